/**
 * The recording panel with ten million events, in headless Chromium: how long it takes to open
 * (first message to the end of the first frame; as one message, and as the host sends a file,
 * in 4 MiB messages), and frames per second while panning and zooming, on the collapsed time
 * axis (the default) and, for comparison, in true time. The recording has a 1 s pause every
 * 2,000 request cycles, so the collapsed axis has gaps to draw (about 430 of them).
 *   node --max-old-space-size=8192 --import tsx bench/panel-render.ts [events] [runs]
 */
import { loadavg } from 'node:os';
import { syntheticRecording } from '../src/core/trace/syntheticRecording';
import { measureFps, PanelHarness, TRUE_TIME_STATE } from '../test/webview/panelHarness';

/** What the host sends a recording file in (src/panel/recordingPanel.ts). */
const CHUNK_BYTES = 4 * 1024 * 1024;

async function main(): Promise<void> {
  const events = Number(process.argv[2] ?? 10_000_000);
  const runs = Number(process.argv[3] ?? 3);
  const built = performance.now();
  const bytes = syntheticRecording({ events, pauseEvery: 2000 });
  console.log(`recording: ${(bytes.length / 1e6).toFixed(0)} MB, built in ${((performance.now() - built) / 1000).toFixed(1)} s`);
  const harness = await PanelHarness.start();
  try {
    for (const axis of ['collapsed', 'true'] as const) {
      for (let run = 1; run <= runs; run++) {
        const panel = await harness.open({ bypassCsp: true, savedState: axis === 'true' ? TRUE_TIME_STATE : undefined });
        await panel.init();
        const chunked = await harness.with({ bypassCsp: true, savedState: axis === 'true' ? TRUE_TIME_STATE : undefined }, async (other) => {
          await other.init();
          return other.deliverServed(harness.serve(bytes), CHUNK_BYTES);
        });
        const openMs = await panel.deliverServed(harness.serve(bytes));
        const shown = await panel.dataset();
        const gaps = (shown.gapLabels ?? '').split('|').filter(Boolean).length;
        const fps = await measureFps(panel);
        console.log(
          `${axis} axis, run ${run}: ${shown.events} events: open ${openMs.toFixed(0)} ms (in 4 MiB messages ${chunked.toFixed(0)} ms), ` +
            `pan ${fps.pan.toFixed(1)} fps, zoom ${fps.zoom.toFixed(1)} fps (idle page ${fps.idle.toFixed(1)} fps), ` +
            `${fps.drawMs.toFixed(1)} ms per frame drawn, ${gaps} gap labels at the fit`,
        );
        await panel.close();
        console.log(`  load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
      }
    }
  } finally {
    await harness.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

/**
 * The recording panel with a million events, in headless Chromium: how long it takes to open
 * (message to first frame), and frames per second while panning and zooming.
 *   node --import tsx bench/panel-render.ts [events]
 */
import { syntheticRecording } from '../src/core/trace/syntheticRecording';
import { measureFps, PanelHarness } from '../test/webview/panelHarness';

async function main(): Promise<void> {
  const events = Number(process.argv[2] ?? 1_000_000);
  const bytes = syntheticRecording({ events });
  const harness = await PanelHarness.start();
  try {
    for (let run = 1; run <= 3; run++) {
      const panel = await harness.open({ bypassCsp: true });
      await panel.init();
      const openMs = await panel.deliverServed(harness.serve(bytes));
      const shown = (await panel.dataset()).events;
      const fps = await measureFps(panel);
      console.log(
        `run ${run}: ${shown} events (${(bytes.length / 1e6).toFixed(1)} MB): open ${openMs.toFixed(0)} ms, ` +
          `pan ${fps.pan.toFixed(1)} fps, zoom ${fps.zoom.toFixed(1)} fps (idle page ${fps.idle.toFixed(1)} fps), ` +
          `${fps.drawMs.toFixed(1)} ms per frame drawn`,
      );
      await panel.close();
    }
  } finally {
    await harness.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

/**
 * Benchmark This Server when the stage dies under load, for real: the test sends the stage
 * being benchmarked SIGSEGV in the middle of a point (as a crash would), or SIGKILL during the
 * first one (as `kill -9` or the out-of-memory killer would). The user gets one message through
 * the Ui seam (what happened, at which point, what is kept, what to do), the finished points are
 * stored marked as stopped early and shown in the results panel, the command ends soon after,
 * and no stage process is left.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import * as vscode from 'vscode';
import type { ServerModelsApi } from '../../../src/extension';
import { newResults, resultFiles } from './benchResults';
import { cancellableProgress, startBenchmark } from './benchmarkRun';
import { fakeUi } from './fakeUi';
import { processExists, stageChildren } from './processes';
import { waitFor } from './waitFor';

suite('Benchmark: the stage dies under load', () => {
  let api: ServerModelsApi;

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<ServerModelsApi>('server-models.server-models')!.activate();
  });

  test('06-epoll crashes with SIGSEGV during the second point: one error, the first point kept as stopped early and shown, nothing left', async function () {
    this.timeout(120_000);
    const before = resultFiles();
    const progress = cancellableProgress();
    const ui = fakeUi(api, { error: () => undefined, warning: () => undefined, information: () => undefined }, { withProgress: progress.withProgress });
    try {
      const { running, settled } = startBenchmark<{ file: string; complete: boolean }>('06-epoll', { connections: [1, 10], durationS: 2 });
      await waitFor(() => progress.messages().includes('10 connections…'), 'the second point to start', 60_000);
      // Into the second point's measurement.
      await delay(700);
      const pid = api.benchmarks.serverPid;
      assert.ok(pid !== undefined && processExists(pid), 'the stage under load runs');
      assert.equal(settled(), false, 'the benchmark is still going');

      const crashedAt = Date.now();
      process.kill(pid, 'SIGSEGV');
      await waitFor(settled, 'the benchmark to end after the crash', 10_000);
      const stored = await running;
      console.log(`      benchmark ended ${Date.now() - crashedAt} ms after the crash`);

      const shown = ui.asked.filter((a) => a.kind !== 'quickPick');
      assert.equal(shown.length, 1, `one message: ${JSON.stringify(ui.asked)}`);
      assert.equal(shown[0].kind, 'error');
      assert.equal(
        shown[0].message,
        '06-epoll crashed: segmentation fault (SIGSEGV). It happened during the benchmark point at 10 connections. ' +
          'The finished point (connections: 1) is kept, marked as stopped early. ' +
          'Run Stage shows everything it prints: fix the cause there, then benchmark again. Nothing is left running.',
      );

      assert.equal(stored?.complete, false, 'the stored run says it stopped early');
      const results = newResults(before);
      assert.equal(results.length, 1, 'one new result file');
      assert.equal(results[0].complete, false, 'the file says it stopped early');
      assert.deepEqual(results[0].rows.map((r) => r.connections), [1], 'only the point that finished before the crash is kept');

      assert.ok(api.benchmarks.isPanelOpen, 'the results panel is open');
      const focus = api.benchmarks.shownResults?.runs.find((r) => r.file === stored.file);
      assert.ok(focus, 'the panel was given the stored run');
      assert.equal(focus.complete, false, 'the panel shows it as stopped early');
      assert.deepEqual(focus.rows.map((r) => r.connections), [1]);
      await waitFor(() => (api.benchmarks.lastRendered?.runs ?? 0) >= 1, 'the results panel to draw');

      assert.ok(!processExists(pid), 'the crashed stage process is gone');
      assert.equal(api.benchmarks.serverPid, undefined);
      assert.deepEqual(stageChildren(), [], 'no stage process is left');
    } finally {
      ui.dispose();
      progress.dispose();
    }
  });

  test('06-epoll killed with SIGKILL during the first point: a warning that no point finished, nothing stored, nothing left', async function () {
    this.timeout(120_000);
    const before = resultFiles();
    const progress = cancellableProgress();
    const ui = fakeUi(api, { error: () => undefined, warning: () => undefined, information: () => undefined }, { withProgress: progress.withProgress });
    try {
      const { running, settled } = startBenchmark<unknown>('06-epoll', { connections: [100, 1000], durationS: 10 });
      await waitFor(() => progress.messages().includes('100 connections…') && api.benchmarks.serverPid !== undefined, 'the first point to start', 60_000);
      await delay(700);
      const pid = api.benchmarks.serverPid!;
      assert.ok(processExists(pid), 'the stage under load runs');

      const killedAt = Date.now();
      process.kill(pid, 'SIGKILL');
      await waitFor(settled, 'the benchmark to end after the kill', 10_000);
      const result = await running;
      console.log(`      benchmark ended ${Date.now() - killedAt} ms after the kill`);
      assert.equal(result, undefined, 'nothing is returned');

      const shown = ui.asked.filter((a) => a.kind !== 'quickPick');
      assert.equal(shown.length, 1, `one message: ${JSON.stringify(ui.asked)}`);
      assert.equal(shown[0].kind, 'warning', 'a kill from outside is not the stage’s own crash');
      assert.equal(
        shown[0].message,
        '06-epoll was ended by kill (SIGKILL), sent from outside the extension (a kill command, or the system when memory runs out); it did not crash by itself. ' +
          'It happened during the benchmark point at 100 connections. No point had finished, so no result is stored. ' +
          'Benchmark it again once nothing else stops it. Nothing is left running.',
      );
      assert.deepEqual(newResults(before), [], 'no result file');
      assert.ok(!processExists(pid), 'the killed stage process is gone');
      assert.equal(api.benchmarks.serverPid, undefined);
      assert.deepEqual(stageChildren(), [], 'no stage process is left');
    } finally {
      ui.dispose();
      progress.dispose();
    }
  });
});


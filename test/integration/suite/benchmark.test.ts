import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/commands';
import type { ServerModelsApi } from '../../../src/extension';
import type { StageInfo } from '../../../src/core/stages';
import { benchFolder, newResults, resultFiles } from './benchResults';
import { cancellableProgress, startBenchmark } from './benchmarkRun';
import { waitFor } from './waitFor';
import { screenshot } from './screenshot';
import { fakeUi } from './fakeUi';
import { processExists, stageChildren } from './processes';

const EXTENSION_ID = 'server-models.server-models';

suite('Benchmark this server', () => {
  let api: ServerModelsApi;

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<ServerModelsApi>(EXTENSION_ID)!.activate();
  });

  test('the CodeLens above main in 06 runs a tiny sweep, stores it, opens the panel and shows the figure', async function () {
    this.timeout(120_000);
    const source = vscode.Uri.joinPath(vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri, 'servers', '06-epoll', 'main.c');
    const document = await vscode.workspace.openTextDocument(source);
    await vscode.window.showTextDocument(document);
    const lensesNow = () => vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', source);
    let lenses: vscode.CodeLens[] = [];
    await waitFor(async () => (lenses = (await lensesNow()).filter((l) => l.command?.command === COMMANDS.benchmarkStage)).length === 1, 'the benchmark CodeLens');
    const mainLine = document.getText().split('\n').findIndex((l) => /^int main\(/.test(l));
    assert.equal(lenses[0].range.start.line, mainLine, 'the CodeLens stands above main');
    assert.equal(lenses[0].command!.title, 'Benchmark this server');

    // The lens's own command, with a tiny sweep: two points of one second each.
    const before = resultFiles();
    const [stageId, options] = lenses[0].command!.arguments as [string, object];
    const stored = await vscode.commands.executeCommand<{ file: string } | undefined>(COMMANDS.benchmarkStage, stageId, { ...options, connections: [1, 10], durationS: 1 });
    assert.ok(stored, 'a result was stored');
    const results = newResults(before);
    assert.equal(results.length, 1, `one new result file in ${benchFolder()}`);
    const [result] = results;
    assert.equal(result.stage, '06-epoll');
    assert.deepEqual(result.rows.map((r) => r.connections), [1, 10]);
    assert.equal(result.complete, true);
    assert.ok(result.environment.cpuCount >= 1, 'the machine is recorded');
    assert.ok(api.benchmarks.isPanelOpen, 'the results panel is open');
    await waitFor(() => (api.benchmarks.lastRendered?.charts ?? 0) >= 2, 'the results panel to draw its charts');
    assert.equal(api.benchmarks.lastRendered?.runs, 1);
    assert.ok((api.benchmarks.lastRendered?.tableRows ?? 0) >= 2, 'a table row per point');

    await waitFor(async () => /^Benchmark this server · .+ msg\/s @.+ · p99 /.test((await lensesNow()).find((l) => l.command?.command === COMMANDS.benchmarkStage)?.command?.title ?? ''), 'the CodeLens to show the figure');
    assert.match(api.benchmarks.summaryOf(await api.benchmarks.latestRun('06-epoll')) ?? '', /msg\/s/);
    await screenshot('benchmark-06-epoll');
  });

  test("the Stages view's inline Benchmark action benchmarks the stage of its item, without a Quick Pick", async function () {
    this.timeout(120_000);
    // The element the Stages view shows for 05-select: what VS Code hands an inline action's command.
    const elements = (await api.stagesView.getChildren()) ?? [];
    const element = elements.find((e: StageInfo) => e.id === '05-select');
    assert.ok(element, `the Stages view lists 05-select among ${elements.map((e) => e.id).join(', ')}`);
    const item = await api.stagesView.getTreeItem(element);
    const menus = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { menus: Record<string, { command: string; when?: string; group?: string }[]> } }).contributes.menus;
    const action = menus['view/item/context'].find((m) => m.command === COMMANDS.benchmarkStage && m.when?.includes('view == serverModels.stages'));
    assert.ok(action?.group?.startsWith('inline'), 'the Stages view has an inline Benchmark action');
    const viewItem = /viewItem =~ \/(.+?)\//.exec(action?.when ?? '')?.[1];
    assert.ok(viewItem && new RegExp(viewItem).test(item.contextValue ?? ''), `the action shows on the item (contextValue ${item.contextValue})`);

    const before = resultFiles();
    const ui = fakeUi(api, {});
    try {
      const stored = await vscode.commands.executeCommand<{ stage: string } | undefined>(COMMANDS.benchmarkStage, element, { connections: [1], durationS: 1 });
      assert.deepEqual(ui.of('quickPick'), [], 'no Quick Pick was shown');
      assert.equal(stored?.stage, '05-select', 'the item\'s stage was benchmarked');
      const results = newResults(before);
      assert.deepEqual(results.map((r) => r.stage), ['05-select'], 'one new result, of 05-select');
      assert.deepEqual(results[0].rows.map((r) => r.connections), [1]);
      assert.deepEqual(ui.of('error'), [], 'no error was shown');
    } finally {
      ui.dispose();
    }
  });

  test('Cancel in the progress notification ends a long benchmark at once, stores nothing and leaves no stage process', async function () {
    this.timeout(120_000);
    const before = resultFiles();
    const progress = cancellableProgress();
    const ui = fakeUi(api, {}, { withProgress: progress.withProgress });
    try {
      const { running, settled } = startBenchmark<unknown>('06-epoll', { connections: [1], durationS: 30 });
      await waitFor(() => progress.messages().includes('1 connections…') && api.benchmarks.serverPid !== undefined, 'the 30 s point to start', 60_000);
      const pid = api.benchmarks.serverPid!;
      assert.ok(processExists(pid), 'the stage under load runs');
      assert.equal(progress.opened, 1, 'one progress notification');

      const cancelledAt = Date.now();
      progress.cancel();
      await waitFor(settled, 'the benchmark to end after Cancel', 5_000);
      const result = await running;
      console.log(`      cancelled benchmark ended ${Date.now() - cancelledAt} ms after Cancel`);
      assert.equal(result, undefined, 'nothing is returned');
      assert.deepEqual(newResults(before), [], 'no result file for a sweep with no finished point');
      assert.ok(!processExists(pid), 'the benchmarked stage process is gone');
      assert.equal(api.benchmarks.serverPid, undefined);
      assert.deepEqual(stageChildren(), [], 'no stage process is left');
      assert.deepEqual(ui.of('error'), [], 'a cancel is not reported as a failure');
    } finally {
      ui.dispose();
      progress.dispose();
    }
  });

  test('Cancel after a finished point keeps that point, marked as stopped early', async function () {
    this.timeout(120_000);
    const before = resultFiles();
    const progress = cancellableProgress();
    const ui = fakeUi(api, {}, { withProgress: progress.withProgress });
    try {
      const { running, settled } = startBenchmark<{ complete: boolean }>('06-epoll', { connections: [1, 10], durationS: 5 });
      // The first point (5 s) has finished and the second has begun.
      await waitFor(() => progress.messages().includes('10 connections…'), 'the second point to start', 60_000);
      const pid = api.benchmarks.serverPid;
      assert.ok(pid !== undefined && processExists(pid), 'the stage under load runs');
      progress.cancel();
      await waitFor(settled, 'the benchmark to end after Cancel', 5_000);
      const stored = await running;
      assert.equal(stored?.complete, false, 'the stored run says it stopped early');
      const results = newResults(before);
      assert.equal(results.length, 1, 'one new result file');
      assert.equal(results[0].complete, false, 'the file says it stopped early');
      assert.deepEqual(results[0].rows.map((r) => r.connections), [1], 'only the finished point is kept');
      assert.ok(!processExists(pid), 'the benchmarked stage process is gone');
      assert.deepEqual(stageChildren(), [], 'no stage process is left');
      assert.deepEqual(ui.of('error'), [], 'a cancel is not reported as a failure');
    } finally {
      ui.dispose();
      progress.dispose();
    }
  });
});

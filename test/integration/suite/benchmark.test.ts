import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/commands';
import type { ServerModelsApi } from '../../../src/extension';
import { waitFor } from './waitFor';
import { screenshot } from './screenshot';

suite('Benchmark this server', () => {
  test('the CodeLens above main in 06 runs a tiny sweep, stores it, opens the panel and shows the figure', async function () {
    this.timeout(120_000);
    const api = await vscode.extensions.getExtension<ServerModelsApi>('server-models.server-models')!.activate();
    const source = vscode.Uri.joinPath(vscode.extensions.getExtension('server-models.server-models')!.extensionUri, 'servers', '06-epoll', 'main.c');
    const document = await vscode.workspace.openTextDocument(source);
    await vscode.window.showTextDocument(document);
    const lensesNow = () => vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', source);
    let lenses: vscode.CodeLens[] = [];
    await waitFor(async () => (lenses = (await lensesNow()).filter((l) => l.command?.command === COMMANDS.benchmarkStage)).length === 1, 'the benchmark CodeLens');
    const mainLine = document.getText().split('\n').findIndex((l) => /^int main\(/.test(l));
    assert.equal(lenses[0].range.start.line, mainLine, 'the CodeLens stands above main');
    assert.equal(lenses[0].command!.title, 'Benchmark this server');

    // The lens's own command, with a tiny sweep: two points of one second each.
    const [stageId, options] = lenses[0].command!.arguments as [string, object];
    const stored = await vscode.commands.executeCommand<{ file: string } | undefined>(COMMANDS.benchmarkStage, stageId, { ...options, connections: [1, 10], durationS: 1 });
    assert.ok(stored, 'a result was stored');
    const folder = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.server-models', 'bench');
    const files = readdirSync(folder).filter((f) => f.endsWith('.json'));
    assert.equal(files.length, 1, `one result file in ${folder}`);
    const result = JSON.parse(readFileSync(path.join(folder, files[0]), 'utf8')) as { stage: string; rows: { connections: number; errors: Record<string, number> }[]; environment: { cpuCount: number } };
    assert.equal(result.stage, '06-epoll');
    assert.deepEqual(result.rows.map((r) => r.connections), [1, 10]);
    assert.ok(result.environment.cpuCount >= 1, 'the machine is recorded');
    assert.ok(api.benchmarks.isPanelOpen, 'the results panel is open');
    await waitFor(() => (api.benchmarks.lastRendered?.charts ?? 0) >= 2, 'the results panel to draw its charts');
    assert.equal(api.benchmarks.lastRendered?.runs, 1);
    assert.ok((api.benchmarks.lastRendered?.tableRows ?? 0) >= 2, 'a table row per point');

    await waitFor(async () => /^Benchmark this server · .+ msg\/s @.+ · p99 /.test((await lensesNow()).find((l) => l.command?.command === COMMANDS.benchmarkStage)?.command?.title ?? ''), 'the CodeLens to show the figure');
    assert.match(api.benchmarks.summaryOf(await api.benchmarks.latestRun('06-epoll')) ?? '', /msg\/s/);
    await screenshot('benchmark-06-epoll');
  });
});

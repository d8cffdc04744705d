/**
 * Compiler errors land in Problems on the file they are about: a stage with a syntax error is
 * built (through Run Stage, and through the provided task), and the diagnostic is looked for on
 * the real main.c, for a playground outside the workspace, one inside a workspace folder (as
 * servers/ sits in this repository) and the shipped copy in global storage.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/commands';
import { STAGES } from '../../../src/core/stages';
import type { ServerModelsApi } from '../../../src/extension';
import { fakeUi } from './fakeUi';
import { waitFor } from './waitFor';

const config = () => vscode.workspace.getConfiguration('serverModels');
const BROKEN = 'int broken = ;';

/** Appends a line the compiler rejects; returns its 0-based line number. */
function breakSource(file: string): number {
  const text = readFileSync(file, 'utf8');
  const body = text.endsWith('\n') ? text : `${text}\n`;
  writeFileSync(file, `${body}${BROKEN}\n`);
  return body.split('\n').length - 1;
}

/** The errors Problems shows on `file`'s line `line` (0-based). */
function errorsAt(file: string, line: number): vscode.Diagnostic[] {
  return vscode.languages
    .getDiagnostics(vscode.Uri.file(file))
    .filter((d) => d.severity === vscode.DiagnosticSeverity.Error && d.range.start.line === line);
}

async function waitForErrorAt(file: string, line: number): Promise<void> {
  try {
    await waitFor(() => errorsAt(file, line).length > 0, `an error on ${file}:${line + 1}`, 10_000);
  } catch {
    const shown = vscode.languages
      .getDiagnostics()
      .filter(([, ds]) => ds.length > 0)
      .map(([uri, ds]) => `${uri.toString()} lines ${ds.map((d) => d.range.start.line + 1).join(',')}`);
    assert.fail(`no error on ${file}:${line + 1}; Problems holds: ${shown.join('; ') || 'nothing'}`);
  }
}

async function createPlayground(parent: string): Promise<string> {
  mkdirSync(parent, { recursive: true });
  // Not opened: opening the folder would reload this window and end the test.
  const playground = await vscode.commands.executeCommand<string>(COMMANDS.createPlayground, parent, false);
  assert.ok(playground, 'the playground was created');
  return playground;
}

/** Runs a provided build task to its end; resolves with its exit code. */
async function runTask(task: vscode.Task): Promise<number | undefined> {
  const ended = new Promise<number | undefined>((resolve) => {
    const subscription = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.name === task.name && e.execution.task.source === task.source) {
        subscription.dispose();
        resolve(e.exitCode);
      }
    });
  });
  await vscode.tasks.executeTask(task);
  return ended;
}

suite('Build problems: compiler errors point at the right file', () => {
  let api: ServerModelsApi;
  const made: string[] = [];

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<ServerModelsApi>('server-models.server-models')!.activate();
    await config().update('port', 0, vscode.ConfigurationTarget.Global);
    await config().update('clients', 2, vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand(COMMANDS.stopStage);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await config().update('port', undefined, vscode.ConfigurationTarget.Global);
    await config().update('clients', undefined, vscode.ConfigurationTarget.Global);
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  test('a playground outside the workspace: Run Stage fails, and the error is on its main.c', async function () {
    this.timeout(120_000);
    const parent = mkdtempSync(path.join(tmpdir(), 'problems-'));
    made.push(parent);
    const playground = await createPlayground(parent);
    const main = path.join(playground, '01-sequential', 'main.c');
    const line = breakSource(main);
    await vscode.window.showTextDocument(vscode.Uri.file(main));
    const ui = fakeUi(api, { error: () => undefined });
    try {
      const result = await vscode.commands.executeCommand<unknown>(COMMANDS.runStage, '01-sequential');
      assert.equal(result, undefined, 'nothing runs');
      assert.equal(api.run.currentSession, undefined);
      const errors = ui.of('error');
      assert.equal(errors.length, 1, JSON.stringify(ui.asked));
      assert.match(errors[0].message, /^Building 01-sequential failed \(make exited with 2\)/);
    } finally {
      ui.dispose();
    }
    await waitForErrorAt(main, line);
    assert.match(errorsAt(main, line)[0].message, /expected expression/);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (folder) {
      assert.deepEqual(vscode.languages.getDiagnostics(vscode.Uri.file(path.join(folder, '01-sequential', 'main.c'))), [], 'nothing on the same path under the workspace folder');
    }
  });

  test('a playground inside a workspace folder: the provided task (one per stage, in the Build group) puts the error on its main.c', async function () {
    this.timeout(120_000);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the test window has a workspace folder');
    const parent = path.join(folder, 'nested', 'servers-here');
    made.push(path.join(folder, 'nested'));
    const playground = await createPlayground(parent);
    const main = path.join(playground, '03-blocking-io', 'main.c');
    const line = breakSource(main);
    // The task picks its sources when it starts: the playground of the active editor.
    await vscode.window.showTextDocument(vscode.Uri.file(main));

    const tasks = await vscode.tasks.fetchTasks({ type: 'serverModels' });
    const ours = tasks.filter((t) => t.source === 'Server Models');
    assert.deepEqual(
      ours.map((t) => t.definition.stage as unknown).sort(),
      STAGES.map((s) => s.id).sort(),
      'one task per stage',
    );
    assert.ok(ours.every((t) => t.group?.id === vscode.TaskGroup.Build.id), 'all in the Build group');
    const task = ours.find((t) => t.definition.stage === '03-blocking-io');
    assert.ok(task);
    assert.equal(await runTask(task), 2, 'make failed');
    await waitForErrorAt(main, line);
    assert.deepEqual(
      vscode.languages.getDiagnostics(vscode.Uri.file(path.join(folder, '03-blocking-io', 'main.c'))),
      [],
      'nothing on the path relative to the workspace folder, where a workspace-relative matcher would put it',
    );

    // Fixed, the same task builds, and the problem goes.
    writeFileSync(main, readFileSync(main, 'utf8').replace(`${BROKEN}\n`, ''));
    assert.equal(await runTask(task), 0, 'the fixed stage builds');
    await waitFor(() => errorsAt(main, line).length === 0, 'the error to go once the stage builds');
  });

  test('the shipped copy in global storage: the error is on the copy\'s main.c', async function () {
    this.timeout(180_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // A good run first, to learn where the copy is (its binary is in <copy>/build).
    await vscode.commands.executeCommand(COMMANDS.runStage, '01-sequential');
    const session = api.run.currentSession;
    assert.ok(session, 'the shipped stage runs');
    const copy = path.dirname(path.dirname(session.options.binary));
    await session.whenClientDone();
    await vscode.commands.executeCommand(COMMANDS.stopStage);
    await session.stop();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    // Broken in place with the same size and time, so the sync (size and mtime) leaves it be,
    // and its object removed, so make compiles it again.
    const main = path.join(copy, '01-sequential', 'main.c');
    const original = readFileSync(main, 'utf8');
    const { atime, mtime } = statSync(main);
    const lines = original.split('\n');
    const line = lines.findIndex((l) => l.startsWith('#include ') && l.length >= BROKEN.length);
    assert.ok(line >= 0, 'main.c has an #include line to replace');
    lines[line] = BROKEN.padEnd(lines[line].length, ' ');
    const object = path.join(copy, 'build', 'obj', '01-sequential', 'main.o');
    const ui = fakeUi(api, { error: () => undefined });
    try {
      writeFileSync(main, lines.join('\n'));
      utimesSync(main, atime, mtime);
      rmSync(object, { force: true });
      const result = await vscode.commands.executeCommand<unknown>(COMMANDS.runStage, '01-sequential');
      assert.equal(result, undefined, 'nothing runs');
      assert.equal(ui.of('error').length, 1, JSON.stringify(ui.asked));
      await waitForErrorAt(main, line);
    } finally {
      ui.dispose();
      writeFileSync(main, original);
      utimesSync(main, atime, mtime);
      rmSync(object, { force: true });
    }
    // Restored, the provided task builds the shipped copy again and the problem goes.
    const task = (await vscode.tasks.fetchTasks({ type: 'serverModels' })).find((t) => t.definition.stage === '01-sequential');
    assert.ok(task);
    assert.equal(await runTask(task), 0, 'the restored copy builds');
    await waitFor(() => errorsAt(main, line).length === 0, 'the error to go once the copy builds');
  });
});

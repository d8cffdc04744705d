/**
 * Runs in a workspace VS Code does not trust (npm run test:untrusted: the offline runner with
 * Workspace Trust on). Building, running and benchmarking stages, playgrounds and experiments
 * compile and run code, so each is refused with a message saying why and a way to trust the
 * workspace, and nothing is built, started or stored. Reading (the views, the notes) still works.
 */
import Mocha from 'mocha';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/commands';
import type { ServerModelsApi } from '../../../src/extension';
import { resultFiles } from '../suite/benchResults';
import { fakeUi } from '../suite/fakeUi';
import { stageChildren } from '../suite/processes';
import { waitFor } from '../suite/waitFor';

const MANAGE = 'Manage Workspace Trust';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000 });
  mocha.suite.emit('pre-require', globalThis, 'untrusted', mocha);

  suite('an untrusted workspace', () => {
    let api: ServerModelsApi;

    suiteSetup(async () => {
      api = await vscode.extensions.getExtension<ServerModelsApi>('server-models.server-models')!.activate();
    });

    test('the workspace is not trusted, and the extension is active for reading', async () => {
      assert.equal(vscode.workspace.isTrusted, false, 'the runner opened the workspace untrusted');
      await vscode.commands.executeCommand(COMMANDS.openNotes, '06-epoll');
      await waitFor(() => api.shownNote?.noteId === '06-epoll', 'the notes of 06 to show');
    });

    /** Runs `action`, which must be refused with `refusal` and the trust button, and start nothing. */
    async function refused(action: () => Thenable<unknown>, refusal: string): Promise<void> {
      const terminals = vscode.window.terminals.length;
      const results = resultFiles();
      const ui = fakeUi(api, { warning: () => undefined });
      try {
        const returned = await action();
        assert.ok(returned === undefined || (Array.isArray(returned) && returned.length === 0), `nothing is returned: ${JSON.stringify(returned)}`);
        assert.deepEqual(ui.asked.map((a) => [a.kind, a.message, a.items]), [['warning', refusal, [MANAGE]]]);
      } finally {
        ui.dispose();
      }
      assert.equal(vscode.window.terminals.length, terminals, 'no terminal opened');
      assert.deepEqual(stageChildren(), [], 'no stage process');
      assert.deepEqual(resultFiles(), results, 'no result stored');
      assert.equal(api.run.currentSession, undefined, 'no run');
    }

    test('Run Stage is refused: nothing built or started', async () => {
      await refused(() => vscode.commands.executeCommand(COMMANDS.runStage, '01-sequential'), 'Running a stage compiles and runs code: trust this workspace first.');
      assert.deepEqual(vscode.tasks.taskExecutions.map((t) => t.task.name), [], 'no build task');
    });

    test('Benchmark This Server is refused', async () => {
      await refused(
        () => vscode.commands.executeCommand(COMMANDS.benchmarkStage, '06-epoll', { connections: [1], durationS: 1 }),
        'Benchmarking a stage compiles and runs code: trust this workspace first.',
      );
    });

    test('Create Playground is refused: nothing copied', async () => {
      const parent = mkdtempSync(path.join(tmpdir(), 'untrusted-playground-'));
      await refused(() => vscode.commands.executeCommand(COMMANDS.createPlayground, parent, false), 'A playground is code you build and run: trust this workspace first.');
      assert.ok(!existsSync(path.join(parent, 'servers')) && !existsSync(path.join(parent, '01-sequential')), 'nothing copied');
    });

    test('an experiment from the notes is refused', async () => {
      await refused(() => api.experiments.run('sequential-vs-threads', api.notes), 'An experiment compiles and runs the stages: trust this workspace first.');
    });

    test('the refusal’s button opens VS Code’s Workspace Trust editor', async () => {
      const ui = fakeUi(api, { warning: () => MANAGE });
      try {
        await vscode.commands.executeCommand(COMMANDS.runStage, '01-sequential');
        await waitFor(() => /trust/i.test(vscode.window.tabGroups.activeTabGroup.activeTab?.label ?? ''), 'the Workspace Trust editor to open');
      } finally {
        ui.dispose();
      }
      assert.equal(vscode.workspace.isTrusted, false, 'opening the editor trusts nothing by itself');
    });
  });

  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      console.log(`untrusted: ${runner.stats?.passes ?? 0} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} tests in the untrusted workspace failed`));
      else resolve();
    });
  });
}

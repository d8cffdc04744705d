/**
 * Benchmark This Server when the stage does not start: a host setting this machine cannot bind,
 * and a stage (in a playground) that exits at once. Both are real: a real setting and a real
 * `bind`, a real build and a real exit. The user gets one clear message through the Ui seam,
 * the command ends normally, and no stage process is left.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/commands';
import type { ServerModelsApi } from '../../../src/extension';
import { resultFiles } from './benchResults';
import { fakeUi } from './fakeUi';
import { stageChildren } from './processes';
import { waitFor } from './waitFor';

const config = () => vscode.workspace.getConfiguration('serverModels');

/** TEST-NET-1 (RFC 5737): never an address of this machine, so `bind` fails at once. */
const FOREIGN_HOST = '192.0.2.1';

/** The label of the active editor tab (the Settings editor's is "Settings"). */
function activeTabLabel(): string | undefined {
  return vscode.window.tabGroups.activeTabGroup.activeTab?.label;
}

suite('Benchmark: the stage does not start', () => {
  let api: ServerModelsApi;

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<ServerModelsApi>('server-models.server-models')!.activate();
  });

  teardown(async () => {
    // The Settings editor first: it would re-render for the setting's change while closing.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await config().update('host', undefined, vscode.ConfigurationTarget.Global);
  });

  test('serverModels.host names an address this machine does not have: the message says so and opens the setting, and nothing is left', async function () {
    this.timeout(120_000);
    await config().update('host', FOREIGN_HOST, vscode.ConfigurationTarget.Global);
    const before = resultFiles();
    let progressOpened = 0;
    const ui = fakeUi(api, { error: (_message, items) => items.find((i) => i === 'Open Settings') }, {
      withProgress: (options, task) => {
        progressOpened++;
        return vscode.window.withProgress(options, task);
      },
    });
    try {
      // The command resolves (no generic "command failed" error) with nothing stored.
      const result = await vscode.commands.executeCommand<unknown>(COMMANDS.benchmarkStage, '06-epoll', { connections: [1], durationS: 1 });
      assert.equal(result, undefined, 'nothing is returned');
      assert.equal(progressOpened, 1, 'the progress notification went through the Ui seam');
      const errors = ui.of('error');
      assert.equal(errors.length, 1, `one error: ${JSON.stringify(ui.asked)}`);
      const { message, items } = errors[0];
      assert.ok(message.startsWith('Benchmark of 06-epoll: the stage did not start ('), message);
      assert.ok(message.includes(`cannot bind ${FOREIGN_HOST}`), `the stage's own words say why: ${message}`);
      assert.ok(message.includes(`listen on ${FOREIGN_HOST} (setting serverModels.host)`), `the message names the setting and its value: ${message}`);
      assert.ok(message.includes('remove it to use 127.0.0.1'), `the message says what to do: ${message}`);
      assert.deepEqual(items, ['Open Settings']);
      assert.deepEqual(resultFiles(), before, 'no result file');
      assert.equal(api.benchmarks.serverPid, undefined);
      assert.deepEqual(stageChildren(), [], 'no stage process is left');
      // The button (answered above) opens the Settings editor.
      await waitFor(() => activeTabLabel() === 'Settings', `the Settings editor to open (active tab: ${activeTabLabel()})`);
    } finally {
      ui.dispose();
    }
  });

  test('a stage that exits at once (a playground copy): its output is quoted, Run Stage is suggested, and nothing is left', async function () {
    this.timeout(180_000);
    const parent = mkdtempSync(path.join(tmpdir(), 'bench-playground-'));
    const ui = fakeUi(api, { error: () => undefined });
    try {
      // Not opened: opening the folder would reload this window and end the test.
      const playground = await vscode.commands.executeCommand<string>(COMMANDS.createPlayground, parent, false);
      assert.ok(playground && existsSync(path.join(playground, '01-sequential', 'main.c')), 'the stages were copied');
      writeFileSync(
        path.join(playground, '01-sequential', 'main.c'),
        '#include <stdio.h>\n\nint main(void) {\n    fprintf(stderr, "this stage gives up at once\\n");\n    return 3;\n}\n',
      );
      const before = resultFiles();
      const result = await vscode.commands.executeCommand<unknown>(COMMANDS.benchmarkStage, '01-sequential', { connections: [1], durationS: 1, serversDir: playground });
      assert.equal(result, undefined, 'nothing is returned');
      const errors = ui.of('error');
      assert.equal(errors.length, 1, `one error (the build succeeded): ${JSON.stringify(ui.asked)}`);
      const { message, items } = errors[0];
      assert.equal(
        message,
        'Benchmark of 01-sequential: the stage did not start (this stage gives up at once). Run Stage shows everything it prints: fix what stops it there, then benchmark again. Nothing is left running.',
      );
      assert.deepEqual(items, [], 'no button: there is nothing to open at once');
      assert.deepEqual(resultFiles(), before, 'no result file');
      assert.equal(api.benchmarks.serverPid, undefined);
      assert.deepEqual(stageChildren(), [], 'no stage process is left');
    } finally {
      ui.dispose();
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

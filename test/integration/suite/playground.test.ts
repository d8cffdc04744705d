import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/commands';
import type { ServerModelsApi } from '../../../src/extension';

suite('Create Playground', () => {
  test('copies the stages, and Run Stage builds and runs the copy', async function () {
    this.timeout(120_000);
    const api = await vscode.extensions.getExtension<ServerModelsApi>('server-models.server-models')!.activate();
    await vscode.workspace.getConfiguration('serverModels').update('port', 0, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('serverModels').update('clients', 2, vscode.ConfigurationTarget.Global);
    try {
      const parent = mkdtempSync(path.join(tmpdir(), 'playground-'));
      // Not opened: opening the folder would reload this window and end the test.
      const playground = await vscode.commands.executeCommand<string>(COMMANDS.createPlayground, parent, false);
      assert.ok(playground && existsSync(path.join(playground, '02-thread-per-client', 'main.c')), 'the stages were copied');
      await vscode.window.showTextDocument(vscode.Uri.file(path.join(playground, '02-thread-per-client', 'main.c')));
      await vscode.commands.executeCommand(COMMANDS.runStage, '02-thread-per-client');
      const session = api.run.currentSession;
      assert.ok(session, 'the copy runs');
      assert.ok(session.options.binary.startsWith(path.join(playground, 'build')), `built in the playground: ${session.options.binary}`);
      await session.whenClientDone();
      await session.stop();
    } finally {
      await vscode.workspace.getConfiguration('serverModels').update('port', undefined, vscode.ConfigurationTarget.Global);
      await vscode.workspace.getConfiguration('serverModels').update('clients', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});

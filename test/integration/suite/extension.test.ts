import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/commands';
import type { ServerModelsApi } from '../../../src/extension';
import { waitFor } from './waitFor';
import { screenshot } from './screenshot';

const EXTENSION_ID = 'server-models.server-models';

suite('extension', () => {
  let api: ServerModelsApi;

  suiteSetup(async () => {
    console.log(`running in VS Code ${vscode.version} (${vscode.env.appName}, ui kind ${vscode.env.uiKind})`);
    const extension = vscode.extensions.getExtension<ServerModelsApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is loaded`);
    api = await extension.activate();
  });

  test('it runs where the workspace is', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    assert.equal(extension.extensionKind, vscode.ExtensionKind.Workspace);
    assert.ok(extension.isActive);
  });

  test('every declared command is registered', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of Object.values(COMMANDS)) assert.ok(registered.has(id), `${id} is registered`);
    const declared = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string }[] } })
      .contributes.commands.map((c) => c.command);
    assert.deepEqual(declared.sort(), Object.values(COMMANDS).sort());
  });

  test('both views resolve when the container opens', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.serverModels');
    await vscode.commands.executeCommand('serverModels.notes.focus');
    await waitFor(() => api.views.stages && api.views.notes, 'the Stages and Concept Notes views to resolve');
  });

  test('Open Notes shows the notes of the stage it is given', async () => {
    await vscode.commands.executeCommand(COMMANDS.openNotes, '05-select');
    assert.equal(api.currentNote, '05-select');
    await waitFor(() => api.shownNote?.noteId === '05-select', 'the Concept Notes view to show the 05-select note');
    assert.equal(api.shownNote?.sections, 5, 'idea, code, cost, fails, next');
    await screenshot('notes-05-select');
  });

  test('Open Stage Source opens the stage main file', async () => {
    await vscode.commands.executeCommand(COMMANDS.openStageSource, '01-sequential');
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'an editor is open');
    assert.match(editor.document.uri.path, /servers\/01-sequential\/main\.c$/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});

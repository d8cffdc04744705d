/**
 * Runs against the extension installed from the packaged .vsix (npm run test:vsix): what a user
 * gets from `code --install-extension server-models.vsix` loads, activates, and works.
 */
import Mocha from 'mocha';
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/commands';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000 });
  mocha.suite.emit('pre-require', globalThis, 'vsix', mocha);
  suite('the installed .vsix', () => {
    test('is installed (not a development copy), activates, and registers every command', async () => {
      const extension = vscode.extensions.getExtension('server-models.server-models');
      assert.ok(extension, 'installed');
      const installedInto = process.env.SERVER_MODELS_TEST_EXTENSIONS_DIR;
      assert.ok(installedInto && extension.extensionPath.startsWith(installedInto), `installed from the package: ${extension.extensionPath}`);
      await extension.activate();
      assert.ok(extension.isActive);
      const registered = new Set(await vscode.commands.getCommands(true));
      for (const id of Object.values(COMMANDS)) assert.ok(registered.has(id), `${id} is registered`);
    });
    test('ships the stages to build and the notes to read', async () => {
      const extension = vscode.extensions.getExtension('server-models.server-models')!;
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(extension.extensionUri, 'servers', 'Makefile'));
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(extension.extensionUri, 'servers', '09-green-threads', 'main.c'));
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(extension.extensionUri, 'media', 'notes', 'ko', '06-epoll.md'));
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(extension.extensionUri, 'dist', 'webview', 'panel.js'));
      await vscode.commands.executeCommand(COMMANDS.openNotes, '06-epoll');
    });
  });
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      console.log(`vsix: ${runner.stats?.passes ?? 0} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} tests of the installed .vsix failed`));
      else resolve();
    });
  });
}

/** "Create Playground": copies the stages into a folder the user chooses, and opens it. */
import * as vscode from 'vscode';
import path from 'node:path';
import { createPlayground, isServersTree, PlaygroundError, serversRootOf } from '../core/playground';
import { bundledSources, playgroundSources, type StageSources } from './stageBuild';
import { requireTrust } from '../trust';
import { type Ui } from '../ui';

export async function createPlaygroundCommand(extensionUri: vscode.Uri, ui: Ui, parentArg?: unknown, openArg?: unknown): Promise<string | undefined> {
  if (!requireTrust('playground', ui)) return undefined;
  const parent =
    typeof parentArg === 'string'
      ? parentArg
      : (
          await vscode.window.showOpenDialog({
            canSelectFolders: true,
            canSelectFiles: false,
            canSelectMany: false,
            openLabel: vscode.l10n.t('Create Playground Here'),
            title: vscode.l10n.t('Where should the playground go?'),
          })
        )?.[0]?.fsPath;
  if (!parent) return undefined;
  let target: string;
  try {
    target = createPlayground(path.join(extensionUri.fsPath, 'servers'), parent);
  } catch (err) {
    const reason = err instanceof PlaygroundError || err instanceof Error ? err.message : String(err);
    void ui.showErrorMessage(vscode.l10n.t('Could not create the playground: {0}', reason));
    return undefined;
  }
  if (openArg !== false) {
    // Opening the folder reloads the window with the copy as the workspace.
    await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(target), { forceNewWindow: false });
  }
  return target;
}

/**
 * Which sources a run or benchmark of a stage uses: the playground the active editor (or a
 * workspace folder) belongs to, else the shipped stages.
 */
export function sourcesForRun(context: vscode.ExtensionContext, serversDir?: string): StageSources {
  const shipped = path.join(context.extensionUri.fsPath, 'servers');
  if (serversDir) return path.resolve(serversDir) === path.resolve(shipped) ? bundledSources(context) : playgroundSources(serversDir);
  const active = vscode.window.activeTextEditor?.document.uri;
  const fromEditor = active?.scheme === 'file' ? serversRootOf(active.fsPath) : undefined;
  if (fromEditor && path.resolve(fromEditor) !== path.resolve(shipped)) return playgroundSources(fromEditor);
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const dir = folder.uri.fsPath;
    if (folder.uri.scheme === 'file' && path.resolve(dir) !== path.resolve(shipped) && isServersTree(dir)) return playgroundSources(dir);
  }
  return bundledSources(context);
}

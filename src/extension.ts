/**
 * Activation: builds the extension's parts, each owned by the extension's lifetime, and registers
 * the commands of the one table in src/commands.ts. Activation stays cheap: nothing is built or
 * spawned until the user asks for it.
 */
import * as vscode from 'vscode';
import { COMMANDS, type CommandName } from './commands';
import { StageStatusStore } from './stageStatus';
import { StagesViewProvider } from './views/stagesView';
import { NOTES_VIEW_ID, NotesViewProvider } from './views/notesView';
import { findStage, type StageId, STAGES } from './core/stages';
import { stageTitle } from './stageText';

type Handler = (...args: unknown[]) => unknown;

export interface ServerModelsApi {
  /** For the integration tests: whether each view has been resolved by VS Code. */
  readonly views: { readonly stages: boolean; readonly notes: boolean };
  readonly currentNote: string;
  /** What the Concept Notes webview reports it shows. */
  readonly shownNote: { noteId: string; language: string; sections: number } | undefined;
}

export function activate(context: vscode.ExtensionContext): ServerModelsApi {
  const statuses = new StageStatusStore();
  const stagesView = new StagesViewProvider(statuses);
  const notesView = new NotesViewProvider(context.extensionUri, {
    serversDir: () => vscode.Uri.joinPath(context.extensionUri, 'servers').fsPath,
    figures: () => ({}),
    runExperiment: () => notReadyYet(vscode.l10n.t('Experiments')),
  });
  let stagesViewResolved = false;
  const stagesTree = vscode.window.createTreeView('serverModels.stages', { treeDataProvider: stagesView, showCollapseAll: false });
  context.subscriptions.push(
    statuses,
    stagesView,
    notesView,
    stagesTree,
    stagesTree.onDidChangeVisibility((e) => (stagesViewResolved ||= e.visible)),
    vscode.window.registerWebviewViewProvider(NOTES_VIEW_ID, notesView),
  );
  stagesViewResolved = stagesTree.visible;

  const handlers: Record<CommandName, Handler> = {
    runStage: () => notReadyYet(vscode.l10n.t('Run Stage')),
    stopStage: () => notReadyYet(vscode.l10n.t('Stop Stage')),
    benchmarkStage: () => notReadyYet(vscode.l10n.t('Benchmark This Server')),
    openNotes: async (stageArg?: unknown) => {
      const stage = await resolveStage(stageArg, vscode.l10n.t('Open the notes of which stage?'));
      if (stage) await notesView.show(stage);
    },
    openRecording: () => notReadyYet(vscode.l10n.t('Open Recording')),
    exportTrace: () => notReadyYet(vscode.l10n.t('Export Trace')),
    createPlayground: () => notReadyYet(vscode.l10n.t('Create Playground')),
    openStageSource: async (stageArg?: unknown) => {
      const stage = await resolveStage(stageArg, vscode.l10n.t('Open the source of which stage?'));
      const info = stage && findStage(stage);
      if (!info) return;
      const uri = vscode.Uri.joinPath(context.extensionUri, 'servers', ...info.mainSource.split('/'));
      await vscode.window.showTextDocument(uri, { preview: false });
    },
  };
  for (const name of Object.keys(COMMANDS) as CommandName[]) {
    context.subscriptions.push(vscode.commands.registerCommand(COMMANDS[name], handlers[name]));
  }

  return {
    get views() {
      return { stages: stagesViewResolved || stagesTree.visible, notes: notesView.isResolved };
    },
    get currentNote() {
      return notesView.currentNote;
    },
    get shownNote() {
      return notesView.shown;
    },
  };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}

function notReadyYet(what: string): void {
  void vscode.window.showInformationMessage(vscode.l10n.t('{0} is not ready yet in this version of Server Models.', what));
}

/** A stage from a command argument (id, tree item), or asked for with a Quick Pick. */
async function resolveStage(arg: unknown, placeHolder: string): Promise<StageId | undefined> {
  const fromArg = typeof arg === 'string' ? findStage(arg) : typeof arg === 'object' && arg !== null && 'id' in arg ? findStage(String(arg.id)) : undefined;
  if (fromArg) return fromArg.id;
  const picked = await vscode.window.showQuickPick(
    STAGES.map((s) => ({ label: `${String(s.number).padStart(2, '0')} · ${stageTitle(s)}`, detail: s.model, id: s.id })),
    { placeHolder },
  );
  return picked?.id;
}

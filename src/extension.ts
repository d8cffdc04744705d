/**
 * Activation: builds the extension's parts, each owned by the extension's lifetime, and registers
 * the commands of the one table in src/commands.ts. Activation stays cheap: nothing is built or
 * spawned until the user asks for it.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { COMMANDS, CONTEXT_KEYS, type CommandName } from './commands';
import { StageStatusStore } from './stageStatus';
import { StagesViewProvider } from './views/stagesView';
import { NOTES_VIEW_ID, NotesViewProvider } from './views/notesView';
import { STAGES, type StageInfo } from './core/stages';
import { RecordingStore } from './core/recordingStore';
import { chooseStage } from './stagePicker';
import { RunController } from './run/runController';
import { createPlaygroundCommand, sourcesForRun } from './run/playgroundCommand';
import { registerStageBuildTasks } from './run/stageBuild';
import { exportTrace, followInSource, openRecording, type OpenedRecording } from './run/recordingCommands';
import { annotatedServersRoot } from './run/sourceAnnotations';
import { RecordingPanel } from './panel/recordingPanel';
import { BenchmarkPanel } from './panel/benchmarkPanel';
import { BenchmarkController, type BenchmarkOptions } from './bench/benchmarkController';
import { BENCHMARK_SELECTOR, BenchmarkCodeLensProvider } from './bench/benchmarkCodeLens';
import { viewForState } from './core/benchmark/panelViews';
import { ExperimentController } from './views/experimentController';
import { SwitchableUi, type Ui } from './ui';

type Handler = (...args: unknown[]) => unknown;

/** What activate() returns: a narrow window for the integration tests, never used by users. */
export interface ServerModelsApi {
  readonly views: { readonly stages: boolean; readonly notes: boolean };
  readonly currentNote: string;
  /** What the Concept Notes webview reports it shows. */
  readonly shownNote: { noteId: string; language: string; sections: number } | undefined;
  readonly run: RunController;
  readonly benchmarks: BenchmarkController;
  readonly experiments: ExperimentController;
  readonly notes: NotesViewProvider;
  readonly recordings: RecordingStore;
  /** The recording Open Recording opened last: its panel and the annotations of its source. */
  readonly lastOpenedRecording: OpenedRecording | undefined;
  /** The recording panels open now, live and opened ones. */
  readonly recordingPanels: readonly RecordingPanel[];
  /** The Stages view's data: its elements are what the view's inline actions pass to commands. */
  readonly stagesView: vscode.TreeDataProvider<StageInfo>;
  /** Replaces some of the prompts, the Quick Pick and the progress notification for a while. */
  readonly ui: { override(methods: Partial<Ui>): vscode.Disposable };
}

export function activate(context: vscode.ExtensionContext): ServerModelsApi {
  const ui = new SwitchableUi();
  const statuses = new StageStatusStore();
  const stagesView = new StagesViewProvider(statuses);
  const experiments = new ExperimentController(context.workspaceState, () => sourcesForRun(context), ui);
  const notesView: NotesViewProvider = new NotesViewProvider(context.extensionUri, {
    serversDir: () => vscode.Uri.joinPath(context.extensionUri, 'servers').fsPath,
    figures: (language) => experiments.figures(language),
    runExperiment: (id) => void experiments.run(id, notesView),
  });
  const recordings = new RecordingStore(path.join((context.storageUri ?? context.globalStorageUri).fsPath, 'recordings'));
  const run = new RunController({
    context,
    statuses,
    recordings,
    sourcesFor: () => sourcesForRun(context),
    ui,
  });
  run.onDidStart((stage) => {
    notesView.follow(stage.id);
    const visited = new Set(context.globalState.get<string[]>(VISITED_KEY, []));
    visited.add(stage.id);
    void context.globalState.update(VISITED_KEY, [...visited]);
    statuses.update(stage.id, { visited: true });
  });
  run.onDidReachMoment((momentId) => notesView.markMoment(momentId));
  const benchmarks = new BenchmarkController(context, statuses, (_stage, serversDir) => sourcesForRun(context, serversDir), ui);
  void restoreStatuses(context, statuses, benchmarks);
  const codeLens = new BenchmarkCodeLensProvider(benchmarks);
  context.subscriptions.push(
    // Terminal > Run Build Task and tasks.json's `serverModels` tasks: the same builds Run Stage runs.
    registerStageBuildTasks(() => sourcesForRun(context), ui),
    benchmarks,
    codeLens,
    vscode.languages.registerCodeLensProvider(BENCHMARK_SELECTOR, codeLens),
    vscode.window.registerWebviewPanelSerializer(BenchmarkPanel.viewType, {
      deserializeWebviewPanel: async (panel, state) => {
        const revived = await BenchmarkPanel.revive(panel, context.extensionUri, state, async (s) => viewForState(await benchmarks.store.list(), s));
        benchmarks.wire(revived);
      },
    }),
  );
  let stagesViewResolved = false;
  const stagesTree = vscode.window.createTreeView('serverModels.stages', { treeDataProvider: stagesView, showCollapseAll: false });
  context.subscriptions.push(
    statuses,
    stagesView,
    notesView,
    run,
    stagesTree,
    stagesTree.onDidChangeVisibility((e) => (stagesViewResolved ||= e.visible)),
    vscode.window.registerWebviewViewProvider(NOTES_VIEW_ID, notesView),
    vscode.window.registerWebviewPanelSerializer(RecordingPanel.viewType, {
      deserializeWebviewPanel: async (panel, state) => {
        const revived = await RecordingPanel.revive(panel, context.extensionUri, state);
        followInSource(revived, context.extensionUri, annotatedServersRoot(context.extensionUri, sourcesForRun(context)));
        context.subscriptions.push(revived);
      },
    }),
  );
  stagesViewResolved = stagesTree.visible;
  void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.hasRecording, recordings.list().length > 0);

  let lastOpenedRecording: OpenedRecording | undefined;
  const handlers: Record<CommandName, Handler> = {
    runStage: (stageArg?: unknown) => run.run(stageArg),
    stopStage: () => run.stop(),
    benchmarkStage: (stageArg?: unknown, options?: unknown) => benchmarks.benchmark(stageArg, options as BenchmarkOptions | undefined),
    openNotes: async (stageArg?: unknown) => {
      const stage = await chooseStage(stageArg, { placeHolder: vscode.l10n.t('Open the notes of which stage?') }, ui);
      if (stage) await notesView.show(stage.id);
    },
    openRecording: async (fileArg?: unknown) => {
      const opened = await openRecording({ extensionUri: context.extensionUri, store: recordings, ui, sources: () => sourcesForRun(context) }, fileArg);
      if (opened) {
        context.subscriptions.push(opened.panel);
        lastOpenedRecording = opened;
      }
      return opened !== undefined;
    },
    exportTrace: (recordingArg?: unknown, targetArg?: unknown) => exportTrace(recordings, ui, recordingArg, targetArg),
    createPlayground: (parentArg?: unknown, openArg?: unknown) => createPlaygroundCommand(context.extensionUri, ui, parentArg, openArg),
    openStageSource: async (stageArg?: unknown) => {
      const stage = await chooseStage(stageArg, { placeHolder: vscode.l10n.t('Open the source of which stage?') }, ui);
      if (!stage) return;
      const uri = vscode.Uri.joinPath(context.extensionUri, 'servers', ...stage.mainSource.split('/'));
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
    run,
    recordings,
    get lastOpenedRecording() {
      return lastOpenedRecording;
    },
    get recordingPanels() {
      return RecordingPanel.all;
    },
    benchmarks,
    experiments,
    notes: notesView,
    stagesView,
    ui,
  };
}

const VISITED_KEY = 'serverModels.visitedStages';

/** What the Stages view can say from the start: binaries built earlier, stages run, last figures. */
async function restoreStatuses(context: vscode.ExtensionContext, statuses: StageStatusStore, benchmarks: BenchmarkController): Promise<void> {
  const visited = new Set(context.globalState.get<string[]>(VISITED_KEY, []));
  const buildDir = path.join(context.globalStorageUri.fsPath, 'servers', 'build');
  for (const stage of STAGES) {
    statuses.update(stage.id, { built: existsSync(path.join(buildDir, stage.id)), visited: visited.has(stage.id) });
  }
  for (const stage of STAGES) {
    const summary = benchmarks.summaryOf(await benchmarks.latestRun(stage.id));
    if (summary) statuses.update(stage.id, { lastBenchmark: summary });
  }
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}

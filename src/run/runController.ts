/**
 * "Run Stage" and "Stop Stage": picks the stage, builds it, starts a RunSession, opens the
 * stage's source with the panel beside it, and keeps the status bar, the Stages view and the
 * context keys in step. One run at a time; starting another stops the current one first.
 */
import * as vscode from 'vscode';
import { type StageId, type StageInfo } from '../core/stages';
import { type RecordingStore } from '../core/recordingStore';
import { findFreePort, isPortFree } from '../core/ports';
import { StageStartError } from '../core/stageProcess';
import { COMMANDS, CONTEXT_KEYS } from '../commands';
import { readSettings, type Settings, toolchainProbeOptions } from '../settings';
import { type StageStatusStore } from '../stageStatus';
import { stageLabel, stageTitle } from '../stageText';
import { chooseStage, stageFromArgument } from '../stagePicker';
import { RecordingPanel } from '../panel/recordingPanel';
import { BuildFailure, buildStage, type StageSources } from './stageBuild';
import { RunSession } from './runSession';
import { runEndingMessage } from './stageExit';
import { annotatedServersRoot, SourceAnnotations } from './sourceAnnotations';
import { StageTerminals } from './stageTerminals';
import { LiveRecording } from './liveRecording';
import { findMoment } from '../core/notes/moments';
import { noteLanguageFor } from '../core/notes/language';
import { revealSource } from '../views/notesView';
import { stageBuildability, probeToolchain } from '../core/toolchain';
import { requireTrust } from '../trust';
import { showMessage, type Ui } from '../ui';

export interface RunControllerDeps {
  readonly context: vscode.ExtensionContext;
  readonly statuses: StageStatusStore;
  /** The sources to build a stage from: the shipped copy or the playground the user is in. */
  readonly sourcesFor: (stage: StageInfo) => StageSources;
  readonly recordings: RecordingStore;
  /** Messages, the stage pick and the busy-port question go through here. */
  readonly ui: Ui;
}

const LAST_STAGE_KEY = 'serverModels.lastStage';

export class RunController implements vscode.Disposable {
  private session: RunSession | undefined;
  private panel: RecordingPanel | undefined;
  private annotations: SourceAnnotations | undefined;
  /** The servers/ folder of the current run, whose files the panel and annotations point at. */
  private sourceRoot: string | undefined;
  private readonly statusItem: vscode.StatusBarItem;
  private readonly startedEmitter = new vscode.EventEmitter<StageInfo>();
  /** A run started (the Concept Notes view follows the running stage). */
  readonly onDidStart = this.startedEmitter.event;
  private readonly momentEmitter = new vscode.EventEmitter<string>();
  /** The running stage reached a moment a note talks about (its id, src/core/notes/moments.ts). */
  readonly onDidReachMoment = this.momentEmitter.event;
  /** Each stage's server and client terminals, continued by its next run. */
  private readonly terminals = new StageTerminals();
  private readonly disposables: vscode.Disposable[] = [this.startedEmitter, this.momentEmitter, this.terminals];

  constructor(private readonly deps: RunControllerDeps) {
    this.statusItem = vscode.window.createStatusBarItem('serverModels.run', vscode.StatusBarAlignment.Left, 50);
    this.statusItem.name = vscode.l10n.t('Server Models run');
    this.statusItem.command = COMMANDS.stopStage;
    this.disposables.push(this.statusItem);
  }

  get currentSession(): RunSession | undefined {
    return this.session;
  }

  get currentPanel(): RecordingPanel | undefined {
    return this.panel;
  }

  /** The command: `stageArg` may be an id, a tree item, or nothing (then a Quick Pick). */
  async run(stageArg?: unknown): Promise<RunSession | undefined> {
    if (!requireTrust('run', this.deps.ui)) return undefined;
    const stage = await this.pickStage(stageArg);
    if (!stage) return undefined;
    await this.deps.context.globalState.update(LAST_STAGE_KEY, stage.id);
    await this.stop();

    const settings = readSettings();
    const sources = this.deps.sourcesFor(stage);
    let binary: string;
    try {
      binary = (await buildStage(sources, stage, settings, this.deps.ui)).binary;
    } catch (err) {
      if (err instanceof BuildFailure) return undefined;
      throw err;
    }
    this.deps.statuses.update(stage.id, { built: true });

    const port = await this.choosePort(settings);
    if (port === undefined) return undefined;

    const title = stageLabel(stage);
    const recordingPath = settings.traceEnabled ? this.deps.recordings.pathFor(stage.id) : undefined;
    // The source first, in the first column, so that the panel opens beside it.
    await this.showSource(stage, sources);
    const panel = this.showPanel(stage, title, recordingPath);
    const annotations = this.annotate(sources);
    const live = new LiveRecording(stage.id, {
      modelChanged: (model) => annotations.update(model),
      momentsReached: (moments) => {
        const language = noteLanguageFor(vscode.env.language);
        for (const moment of moments) {
          const info = findMoment(moment.id);
          if (info) panel.markMoment(moment.time, `${vscode.l10n.t('Moment')}: ${info.title[language]}`);
          this.momentEmitter.fire(moment.id);
        }
      },
    });
    let session: RunSession;
    try {
      session = await RunSession.start({
        stage,
        binary,
        host: settings.host,
        port,
        client: settings.client,
        clients: settings.clients,
        extraArgs: stageFlags(stage, settings),
        recordingPath,
        title,
        terminals: this.terminals,
        onRecordingBytes: (bytes) => {
          panel.append(bytes);
          live.append(bytes);
        },
        onTraceProblem: (message) => panel.notice('error', message),
      });
    } catch (err) {
      const detail = err instanceof StageStartError && err.output ? `\n${err.output.split('\n').slice(-5).join('\n')}` : '';
      void this.deps.ui.showErrorMessage(vscode.l10n.t('{0} did not start: {1}', stage.id, err instanceof Error ? err.message : String(err)) + detail);
      panel.runEnded();
      return undefined;
    }
    this.session = session;
    this.deps.statuses.update(stage.id, { running: true });
    await vscode.commands.executeCommand('setContext', CONTEXT_KEYS.stageRunning, true);
    this.statusItem.text = `$(debug-stop) ${title} :${session.port ?? port}`;
    this.statusItem.tooltip = vscode.l10n.t('Stop {0}', title);
    this.statusItem.show();
    session.onDidEnd(() => {
      live.finish();
      void this.sessionEnded(session, stage, panel).then(() => this.tellEnding(session, stage, panel));
    });
    this.startedEmitter.fire(stage);
    return session;
  }

  /** Stops the current run, if any; its terminals stay open so their output can be read. */
  async stop(): Promise<void> {
    await this.session?.stop('stopped');
  }

  private async sessionEnded(session: RunSession, stage: StageInfo, panel: RecordingPanel): Promise<void> {
    if (this.session !== session) return;
    this.session = undefined;
    this.statusItem.hide();
    this.deps.statuses.update(stage.id, { running: false });
    await vscode.commands.executeCommand('setContext', CONTEXT_KEYS.stageRunning, false);
    if (!panel.isDisposed) panel.runEnded();
    if (session.options.recordingPath) {
      this.deps.recordings.prune(readSettings().recordingsToKeep);
      await vscode.commands.executeCommand('setContext', CONTEXT_KEYS.hasRecording, true);
    }
  }

  /**
   * A stage that ended on its own while it ran (a crash, a kill from outside, an exit code, a
   * stop signal from outside) is said once, with what became of the run and what to do; a stop
   * the user asked for is not. Not awaited: the message stays up while the user reads the output.
   */
  private tellEnding(session: RunSession, stage: StageInfo, panel: RecordingPanel): void {
    const ending = session.ending;
    if (!ending) return;
    const message = runEndingMessage(stage.id, ending, { recorded: session.options.recordingPath !== undefined, output: session.serverOutput }, vscode.l10n);
    if (!message) return;
    if (!panel.isDisposed) panel.notice(message.severity === 'information' ? 'info' : 'error', message.headline);
    const showTerminal = vscode.l10n.t('Show Terminal');
    const runAgain = vscode.l10n.t('Run Again');
    void Promise.resolve(showMessage(this.deps.ui, message.severity, message.text, showTerminal, runAgain)).then(async (choice) => {
      if (choice === showTerminal) session.showServerTerminal();
      else if (choice === runAgain) await vscode.commands.executeCommand(COMMANDS.runStage, stage.id);
    });
  }

  private showPanel(stage: StageInfo, title: string, recordingPath: string | undefined): RecordingPanel {
    const options = {
      title,
      mode: 'live' as const,
      stage: { id: stage.id, number: stage.number, title: stageTitle(stage), model: stage.model },
      ...(recordingPath ? { recording: recordingPath } : {}),
    };
    if (this.panel && !this.panel.isDisposed) {
      this.panel.reset(options);
      this.panel.reveal();
    } else {
      const panel = RecordingPanel.create(this.deps.context.extensionUri, options);
      this.panel = panel;
      // The panel owns its listeners: they go when the user closes it.
      panel.own(panel.onDidRequestStop(() => void this.stop()));
      panel.own(panel.onDidMoveCursor((message) => this.annotations?.showCursor(message.lines, message.byUser)));
      panel.own(
        panel.onDidRequestReveal((message) => {
          if (this.sourceRoot) void revealSource(this.sourceRoot, message.file, message.line);
        }),
      );
    }
    return this.panel;
  }

  /** Fresh annotations for a run of `sources`; the previous run's go away. */
  private annotate(sources: StageSources): SourceAnnotations {
    this.annotations?.dispose();
    const root = annotatedServersRoot(this.deps.context.extensionUri, sources);
    this.sourceRoot = root;
    this.annotations = new SourceAnnotations(this.deps.context.extensionUri, root);
    return this.annotations;
  }

  get currentAnnotations(): SourceAnnotations | undefined {
    return this.annotations;
  }

  private async showSource(stage: StageInfo, sources: StageSources): Promise<void> {
    const file = sources.isPlayground
      ? vscode.Uri.file(`${sources.serversDir}/${stage.mainSource}`)
      : vscode.Uri.joinPath(this.deps.context.extensionUri, 'servers', ...stage.mainSource.split('/'));
    await vscode.window.showTextDocument(file, { viewColumn: vscode.ViewColumn.One, preview: false });
  }

  /** The configured port, or, when it is busy, a free one if the user agrees. */
  private async choosePort(settings: Settings): Promise<number | undefined> {
    if (settings.port === 0 || (await isPortFree(settings.host, settings.port))) return settings.port;
    const free = await findFreePort(settings.host);
    const use = vscode.l10n.t('Use Port {0}', String(free));
    const choice = await this.deps.ui.showWarningMessage(
      vscode.l10n.t('Port {0} on {1} is already in use (another server, or a stage still running elsewhere).', String(settings.port), settings.host),
      use,
    );
    return choice === use ? free : undefined;
  }

  /** The stage the argument names, else a pick that starts with the last run and says what cannot build. */
  private async pickStage(stageArg: unknown): Promise<StageInfo | undefined> {
    const named = stageFromArgument(stageArg);
    if (named) return named;
    const status = await probeToolchain(toolchainProbeOptions(readSettings()));
    const last = this.deps.context.globalState.get<StageId>(LAST_STAGE_KEY);
    return chooseStage(undefined, {
      placeHolder: vscode.l10n.t('Run which stage?'),
      ...(last ? { first: last } : {}),
      describe: (stage) => {
        const verdict = stageBuildability(stage, status);
        if (!verdict.buildable) return `$(warning) ${verdict.reason ?? ''}`;
        return stage.id === last ? vscode.l10n.t('last run') : undefined;
      },
    }, this.deps.ui);
  }

  dispose(): void {
    void this.session?.stop('stopped');
    this.panel?.dispose();
    this.annotations?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** Each stage's own knobs, from the settings. */
function stageFlags(stage: StageInfo, settings: Settings): string[] {
  switch (stage.id) {
    case '04-nonblocking-polling':
      return ['--poll-interval-ms', String(settings.pollIntervalMs)];
    default:
      return [];
  }
}

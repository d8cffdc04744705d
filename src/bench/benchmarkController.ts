/**
 * "Benchmark This Server": builds the stage, starts it without tracing, sweeps connection counts
 * suited to the model (src/core/benchmark/sweepPlan.ts) with a cancellable progress notification
 * that reports each point, keeps the result under the workspace's .server-models/bench/, and shows
 * it in the results panel. "Compare All Stages" does the same for every stage this platform builds.
 */
import * as vscode from 'vscode';
import { type StageInfo, STAGES } from '../core/stages';
import { StageProcess, StageStartError } from '../core/stageProcess';
import { planSweep } from '../core/benchmark/sweepPlan';
import { ResultStore } from '../core/benchmark/resultStore';
import { captureEnvironment } from '../core/benchmark/environment';
import { describeBuild } from '../core/benchmark/buildInfo';
import { benchSummary } from '../core/benchmark/summary';
import { benchStrings, describeSkip } from '../core/benchmark/strings';
import { formatCount, formatCompactCount, formatLatencyUs } from '../core/benchmark/numberFormat';
import { type StoredRun } from '../core/benchmark/storedRun';
import { viewForState, stageView, compareAllView } from '../core/benchmark/panelViews';
import { runSweep } from '../core/bench/sweep';
import { DEFAULT_RATE, DEFAULT_PAYLOAD_BYTES } from '../core/bench/benchOptions';
import { type BenchRow } from '../core/bench/result';
import { probeToolchain, stageBuildability } from '../core/toolchain';
import { BenchmarkPanel } from '../panel/benchmarkPanel';
import { DEFAULT_HOST, readSettings, toolchainProbeOptions } from '../settings';
import { type StageStatusStore } from '../stageStatus';
import { stageTitle } from '../stageText';
import { chooseStage } from '../stagePicker';
import { BuildFailure, buildStage, type StageSources } from '../run/stageBuild';
import { benchmarkEndingMessage, classifyStageExit, type StageEnding } from '../run/stageExit';
import { stageExitShows, stageOutlivedPoint } from '../core/benchmark/pointGuard';
import { requireTrust } from '../trust';
import { type ProgressReport, showMessage, type Ui } from '../ui';

export interface BenchmarkOptions {
  /** Connection counts; default: the setting serverModels.benchmark.connections. */
  readonly connections?: readonly number[];
  /** Seconds per point; default 5 (the planner may shorten it). */
  readonly durationS?: number;
  /** A servers/ folder to use instead of the one the editor is in (the CodeLens passes its own). */
  readonly serversDir?: string;
}

const DEFAULT_POINT_S = 5;
/** How many of the stage's last output lines a start failure quotes. */
const START_OUTPUT_LINES = 3;

/**
 * The stage exited, or never said `listening on`, before the sweep could begin: what the user is
 * told (outside the progress notification, which has closed by then).
 */
class StageDidNotStart extends Error {
  constructor(
    message: string,
    /** A button and what it does, when there is something to do at once. */
    readonly action?: { readonly label: string; run(): Thenable<unknown> },
  ) {
    super(message);
  }
}

function stageDidNotStart(stage: StageInfo, host: string, err: StageStartError): StageDidNotStart {
  // The stage's own last words say why (`cannot bind …`); without any, the start error does.
  const said = err.output.split('\n').map((l) => l.trim()).filter(Boolean).slice(-START_OUTPUT_LINES);
  const what = vscode.l10n.t('Benchmark of {0}: the stage did not start ({1}).', stage.id, said.length ? said.join(' / ') : err.message);
  if (host !== DEFAULT_HOST) {
    const label = vscode.l10n.t('Open Settings');
    return new StageDidNotStart(
      `${what} ${vscode.l10n.t('It was told to listen on {0} (setting serverModels.host): set the setting to an address of this machine, or remove it to use {1}. Nothing is left running.', host, DEFAULT_HOST)}`,
      { label, run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'serverModels.host') },
    );
  }
  return new StageDidNotStart(`${what} ${vscode.l10n.t('Run Stage shows everything it prints: fix what stops it there, then benchmark again. Nothing is left running.')}`);
}

export class BenchmarkController implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after a result is stored (the CodeLens refreshes its figures). */
  readonly onDidStoreResult = this.changed.event;
  private readonly latest = new Map<string, StoredRun>();
  private loaded: Promise<void> | undefined;
  /** The stage process of the sweep under way. */
  private server: StageProcess | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly statuses: StageStatusStore,
    private readonly sourcesFor: (stage: StageInfo, serversDir?: string) => StageSources,
    /** Messages, the stage pick and the cancellable progress notification go through here. */
    private readonly ui: Ui,
  ) {}

  /** The process id of the stage being benchmarked right now, if any (for tests). */
  get serverPid(): number | undefined {
    return this.server?.pid;
  }

  /** The store of the first workspace folder, or of the extension's storage without one. */
  get store(): ResultStore {
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    return folder ? ResultStore.forWorkspace(folder.uri.fsPath) : ResultStore.forWorkspace(this.context.globalStorageUri.fsPath);
  }

  /** The newest stored run of a stage (for the CodeLens title). The store is read once. */
  async latestRun(stageId: string): Promise<StoredRun | undefined> {
    this.loaded ??= this.store.list().then(({ runs }) => {
      // The listing is newest first, and a run stored since (by a sweep) is newer still.
      for (const run of runs) if (!this.latest.has(run.stage)) this.latest.set(run.stage, run);
    });
    await this.loaded;
    return this.latest.get(stageId);
  }

  /** Whether the results panel is open (for tests). */
  get isPanelOpen(): boolean {
    const panel = BenchmarkPanel.open;
    return panel !== undefined && !panel.isDisposed;
  }

  /** What the results panel last reported drawing. */
  get lastRendered(): BenchmarkPanel['lastRendered'] {
    return BenchmarkPanel.open?.lastRendered;
  }

  /** What the results panel was last told to show (for tests). */
  get shownResults(): BenchmarkPanel['shownResults'] {
    return BenchmarkPanel.open?.shownResults;
  }

  summaryOf(run: StoredRun | undefined): string | undefined {
    return run ? benchSummary(run.rows, vscode.env.language)?.text : undefined;
  }

  async benchmark(stageArg?: unknown, options: BenchmarkOptions = {}): Promise<StoredRun | undefined> {
    if (!requireTrust('benchmark', this.ui)) return undefined;
    const stage = await chooseStage(stageArg, { placeHolder: vscode.l10n.t('Benchmark which stage?') }, this.ui);
    if (!stage) return undefined;
    // The notification's Cancel fires `token`, which aborts the point under way and skips the rest.
    let run: StoredRun | undefined;
    try {
      run = await this.ui.withProgress(
        { location: vscode.ProgressLocation.Notification, cancellable: true, title: vscode.l10n.t('Benchmarking {0}', stageTitle(stage)) },
        (progress, token) => this.sweep(stage, options, progress, token),
      );
    } catch (err) {
      if (!(err instanceof StageDidNotStart)) throw err;
      this.tellDidNotStart(err);
      return undefined;
    }
    if (run) await this.showPanel('stage', run);
    return run;
  }

  /** Not awaited: the command ends while the message stays up. */
  private tellDidNotStart(err: StageDidNotStart, more = ''): void {
    const { action } = err;
    void this.ui.showErrorMessage(err.message + more, ...(action ? [action.label] : [])).then(async (choice) => {
      if (action && choice === action.label) await action.run();
    });
  }

  /** The stage ended under load: one message, not awaited (the results panel opens meanwhile). */
  private tellEnding(stage: StageInfo, ending: StageEnding, underWay: number | undefined, rows: readonly BenchRow[], output: readonly string[]): void {
    const language = vscode.env.language;
    const message = benchmarkEndingMessage(
      stage.id,
      ending,
      { pointConnections: underWay, finished: rows.map((r) => r.connections), output, formatNumber: (n) => formatCount(n, language) },
      vscode.l10n,
    );
    if (message) void showMessage(this.ui, message.severity, message.text);
  }

  /** One sweep over every stage this platform builds, then the chart of how each model scales. */
  async compareAll(options: BenchmarkOptions = {}): Promise<readonly StoredRun[]> {
    if (!requireTrust('benchmark', this.ui)) return [];
    const status = await probeToolchain(toolchainProbeOptions(readSettings()));
    const buildable = STAGES.filter((s) => stageBuildability(s, status).buildable);
    const runs = await this.ui.withProgress(
      { location: vscode.ProgressLocation.Notification, cancellable: true, title: vscode.l10n.t('Comparing all stages') },
      async (progress, token) => {
        const done: StoredRun[] = [];
        for (const [i, stage] of buildable.entries()) {
          if (token.isCancellationRequested) break;
          progress.report({ message: vscode.l10n.t('{0} ({1} of {2})', stageTitle(stage), String(i + 1), String(buildable.length)) });
          let run: StoredRun | undefined;
          try {
            run = await this.sweep(stage, options, { report: () => undefined }, token);
          } catch (err) {
            // A stage that cannot start (a host this machine does not have, …) tells why once,
            // and the comparison ends there rather than repeating it for every stage.
            if (!(err instanceof StageDidNotStart)) throw err;
            this.tellDidNotStart(err, ` ${vscode.l10n.t('Comparing all stages stopped there.')}`);
            break;
          }
          if (run) done.push(run);
        }
        return done;
      },
    );
    if (runs.length) await this.showPanel('compareAll');
    return runs;
  }

  private async sweep(
    stage: StageInfo,
    options: BenchmarkOptions,
    progress: vscode.Progress<ProgressReport>,
    token: vscode.CancellationToken,
  ): Promise<StoredRun | undefined> {
    const settings = readSettings();
    const sources = this.sourcesFor(stage, options.serversDir);
    let built;
    try {
      progress.report({ message: vscode.l10n.t('building') });
      built = await buildStage(sources, stage, settings, this.ui);
    } catch (err) {
      if (err instanceof BuildFailure) return undefined;
      throw err;
    }
    const requested = options.connections ?? settings.benchmarkConnections;
    const plan = planSweep(stage, { connections: requested, durationS: options.durationS ?? DEFAULT_POINT_S });
    const strings = benchStrings(vscode.env.language);
    for (const skip of plan.skipped) progress.report({ message: describeSkip(skip, strings, (n) => formatCount(n, vscode.env.language)) });
    if (plan.points.length === 0) {
      void this.ui.showWarningMessage(vscode.l10n.t('{0}: none of the requested connection counts suit this model.', stage.id));
      return undefined;
    }
    const abort = new AbortController();
    const cancel = token.onCancellationRequested(() => abort.abort());
    const date = new Date().toISOString();
    // No SERVER_MODELS_TRACE: the benchmark measures the model, not the tracer. On port 0 the
    // stage's port cannot be taken; it can still exit at once (a host it cannot bind, a crash).
    // StageProcess.start kills what it started before it rejects, so nothing is left running.
    let server: StageProcess;
    try {
      server = await StageProcess.start({ binary: built.binary, host: settings.host, port: 0, extraArgs: ['--quiet'] });
    } catch (err) {
      cancel.dispose();
      if (err instanceof StageStartError) throw stageDidNotStart(stage, settings.host, err);
      throw err;
    }
    this.server = server;
    /** The points kept: finished while the stage was still running. */
    const rows: BenchRow[] = [];
    /** The connection count of the point under way, until its row is kept. */
    let underWay: number | undefined;
    /** Set when the stage exits before the sweep is over: a crash, a kill from outside, an exit code. */
    let ending: StageEnding | undefined;
    let stopping = false;
    void server.whenExited().then(() => {
      if (stopping) return;
      ending = classifyStageExit(server.exit ?? { code: server.child.exitCode, signal: server.child.signalCode }, false);
      // The point under way is measuring a dead server: end it now rather than at its deadline.
      abort.abort();
    });
    try {
      const first = plan.points[0];
      await runSweep({
        host: server.host,
        port: server.port,
        label: stage.id,
        mode: 'open',
        rate: DEFAULT_RATE,
        payloadBytes: DEFAULT_PAYLOAD_BYTES,
        durationS: plan.durationS,
        ackWaitMs: first.ackWaitMs,
        drainTimeoutMs: first.drainTimeoutMs,
        connections: plan.points.map((p) => p.connections),
        signal: abort.signal,
        onPointStart: (connections) => {
          underWay = connections;
          progress.report({ message: vscode.l10n.t('{0} connections…', formatCount(connections, vscode.env.language)) });
        },
        // A point counts once the stage is known to have outlived it; a stage that exited ends the sweep.
        continueAfter: async (row) => {
          if (!(await stageOutlivedPoint(row, server))) return false;
          rows.push(row);
          underWay = undefined;
          progress.report({
            increment: 100 / plan.points.length,
            message: vscode.l10n.t('{0} connections: {1} msg/s, p99 {2}', formatCount(row.connections, vscode.env.language),
              formatCompactCount(row.throughput_msgs_per_s, vscode.env.language), formatLatencyUs(row.latency_us.p99, vscode.env.language)),
          });
          return true;
        },
      });
    } catch (err) {
      // An error of the load generator can be the first sign of a stage that died (its exit is
      // heard a moment after its sockets close): then the message below says what happened.
      if (!abort.signal.aborted && !(await stageExitShows(server))) {
        void this.ui.showErrorMessage(vscode.l10n.t('Benchmark of {0} failed: {1}', stage.id, err instanceof Error ? err.message : String(err)));
      }
    } finally {
      cancel.dispose();
      stopping = true;
      await server.stop();
      if (this.server === server) this.server = undefined;
    }
    if (ending) this.tellEnding(stage, ending, underWay, rows, server.lines);
    const complete = rows.length === plan.points.length;
    if (rows.length === 0) return undefined;
    const stored = await this.store.write({
      stage: stage.id,
      date,
      tool: { name: 'server-models', version: extensionVersion(this.context) },
      environment: captureEnvironment(),
      build: await describeBuild(sources.serversDir, built.compiler, built.make),
      settings: { mode: 'open', rate: DEFAULT_RATE, durationS: plan.durationS, payloadBytes: DEFAULT_PAYLOAD_BYTES, workEvery: null, requestedConnections: [...requested] },
      rows,
      skipped: plan.skipped,
      complete,
    });
    this.latest.set(stage.id, stored);
    const summary = this.summaryOf(stored);
    if (summary) this.statuses.update(stage.id, { lastBenchmark: summary });
    this.changed.fire();
    return stored;
  }

  async showPanel(view: 'stage' | 'compareAll', run?: StoredRun): Promise<BenchmarkPanel> {
    const panel = BenchmarkPanel.createOrShow(this.context.extensionUri, async (state) => viewForState(await this.store.list(), state));
    if (!panel.isDisposed) this.wire(panel);
    const listing = await this.store.list();
    const shown = view === 'compareAll' ? compareAllView(listing) : stageView(listing, run);
    panel.show(shown.results, shown.comparison);
    return panel;
  }

  private readonly wired = new WeakSet<BenchmarkPanel>();

  wire(panel: BenchmarkPanel): void {
    if (this.wired.has(panel)) return;
    this.wired.add(panel);
    panel.onDidRequestCompareAll(() => void this.compareAll());
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function extensionVersion(context: vscode.ExtensionContext): string {
  const version = (context.extension.packageJSON as { version?: unknown }).version;
  return typeof version === 'string' ? version : '0.0.0';
}

/**
 * The messages between the extension host and the benchmark results webview. Types only: both
 * sides import them, so they agree by construction.
 *
 * Sequence: the webview posts `ready` once it listens (again after every reload); the host
 * answers `init` (strings, locale) and then `show` with what to draw. Every later `show` replaces
 * the picture (after each point of a running sweep, or when the user switches views).
 */
import type { RunComparison } from './compare';
import type { StoredRun, StoreProblem } from './storedRun';

/** Every string the results panel shows; the host sends their values (English or Korean). */
export type BenchStringKey =
  | 'panelTitle'
  | 'stageHeading'
  | 'compareAllHeading'
  | 'views'
  | 'viewStage'
  | 'viewCompareAll'
  | 'runCompareAll'
  | 'openResult'
  | 'runDate'
  | 'workloadOpen'
  | 'workloadClosed'
  | 'workEvery'
  | 'machine'
  | 'build'
  | 'incomplete'
  | 'noResults'
  | 'compareAllEmpty'
  | 'problemsHeading'
  | 'throughputTitle'
  | 'throughputAxis'
  | 'latencyTitle'
  | 'latencyAxis'
  | 'latencyCompareTitle'
  | 'errorsTitle'
  | 'errorsAxis'
  | 'connectionsAxis'
  | 'chartHelp'
  | 'readout'
  | 'seriesPrevious'
  | 'stage'
  | 'connections'
  | 'notMeasured'
  | 'p50'
  | 'p90'
  | 'p99'
  | 'p999'
  | 'max'
  | 'errorsTotal'
  | 'errorRefused'
  | 'errorReset'
  | 'errorClosed'
  | 'errorTimeout'
  | 'errorWrongBytes'
  | 'errorFdLimit'
  | 'errorOther'
  | 'throughputTable'
  | 'latencyTable'
  | 'errorsTable'
  | 'scalingThroughputTable'
  | 'scalingLatencyTable'
  | 'scalingErrorsTable'
  | 'comparisonHeading'
  | 'comparisonTable'
  | 'change'
  | 'better'
  | 'worse'
  | 'same'
  | 'fromZero'
  | 'noPrevious'
  | 'setupDiffers'
  | 'setupDifference'
  | 'onlyCurrent'
  | 'onlyPrevious'
  | 'metricThroughput'
  | 'metricErrors'
  | 'skippedHeading'
  | 'skipSerial'
  | 'skipFdSetsize'
  | 'skipMaxThreads'
  | 'skipSweepLimit'
  | 'skipFdLimit'
  | 'skipTimeBudget'
  | 'skipInvalid';

export type BenchStrings = Readonly<Record<BenchStringKey, string>>;

export type BenchViewKind = 'stage' | 'compareAll';

/** What the panel draws. */
export interface BenchResults {
  readonly view: BenchViewKind;
  /**
   * `stage`: the run in focus first, then runs of other stages on the same workload, overlaid.
   * `compareAll`: the latest run of each stage on one workload, in the order to list them.
   */
  readonly runs: readonly StoredRun[];
  /** `stage`: the previous run of the same stage (drawn dashed; `comparison` compares to it). */
  readonly previous?: StoredRun;
  /** Files the store skipped, shown so the user knows why a run is missing. */
  readonly problems?: readonly StoreProblem[];
}

/** What the webview keeps with setState, so a restarted window reopens the same view. */
export interface BenchViewState {
  readonly view: BenchViewKind;
  /** The run in focus (a StoredRun id) in the `stage` view. */
  readonly runId?: string;
}

// ---- host to webview -----------------------------------------------------------------------

export interface BenchInitMessage {
  readonly type: 'init';
  readonly strings: BenchStrings;
  /** VS Code's display language: digits and separators of every number drawn. */
  readonly locale: string;
}

export interface BenchShowMessage {
  readonly type: 'show';
  readonly results: BenchResults;
  /** `stage` view: the run in focus against `results.previous`. */
  readonly comparison?: RunComparison;
}

export type HostToBenchMessage = BenchInitMessage | BenchShowMessage;

// ---- webview to host -----------------------------------------------------------------------

export interface BenchReadyMessage {
  readonly type: 'ready';
}

/** The user picked a view; the host answers with `show`. */
export interface BenchSelectViewMessage {
  readonly type: 'selectView';
  readonly view: BenchViewKind;
  /** For `stage`: the run to focus (absent: the newest). */
  readonly runId?: string;
}

/** The "Run Compare All Stages" button: sweep every stage this platform builds. */
export interface BenchRunCompareAllMessage {
  readonly type: 'runCompareAll';
}

/** Open a result's JSON file in an editor. */
export interface BenchOpenResultMessage {
  readonly type: 'openResult';
  readonly file: string;
}

/** What the webview drew for the last `show`: how many runs, charts and table rows are on screen. */
export interface BenchRenderedMessage {
  readonly type: 'rendered';
  readonly view: BenchViewKind;
  readonly runs: number;
  readonly charts: number;
  readonly tableRows: number;
}

export type BenchToHostMessage = BenchReadyMessage | BenchSelectViewMessage | BenchRunCompareAllMessage | BenchOpenResultMessage | BenchRenderedMessage;

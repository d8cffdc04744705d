/**
 * What the experiment runner takes and gives back: the caller's options (where the stages are,
 * cancellation, progress), the progress reports, and the result that the Concept Notes view writes
 * into a note (every measured value and the figure already phrased in both languages).
 */
import { type MeasuredValue } from '../experiments';
import { type Localized, type NoteLanguage } from '../notes/language';
import { type StageId } from '../stages';
import { type ProbeOptions, type Tool } from '../toolchain';

export interface ExperimentRunnerOptions {
  /** The folder holding the Makefile: the shipped `servers/`, or a playground copy. */
  readonly serversDir: string;
  /** Where binaries are built (BUILD_DIR); runs with `make` variables build into a subfolder of it. */
  readonly buildDir: string;
  /**
   * How the toolchain probe picks the compiler that make gets as CC (the extension passes its
   * setting through `toolchainProbeOptions`, src/settings.ts). Default: `$CC`, then cc, gcc, clang.
   */
  readonly toolchain?: ProbeOptions;
  /** false: use the binaries already in buildDir (they must exist). Default true (make is incremental). */
  readonly build?: boolean;
  readonly host?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ExperimentProgress) => void;
  /**
   * Shortens a run's own durations (hold, ping-pong duration, echo count, group start) by this
   * factor, 0 < scale <= 1, keeping rates, intervals and the notes' conversation: for tests, which
   * need the figure's ratios, not its full length. Default 1.
   */
  readonly timeScale?: number;
}

export type ExperimentPhase = 'checking-toolchain' | 'building' | 'starting-stage' | 'running-clients' | 'stopping-stage' | 'done';

export interface ExperimentProgress {
  readonly phase: ExperimentPhase;
  /** The run's label in the declaration (absent while checking and building). */
  readonly run?: string;
  readonly stage?: StageId;
  /** 0-based index of the run and how many runs the experiment has. */
  readonly runIndex?: number;
  readonly runCount: number;
  /** Rough share of the experiment done, 0..1, for a progress bar. */
  readonly fraction: number;
  /** What is happening, in English, for a log or a notification. */
  readonly message: string;
}

/** One measure's outcome: a number in the metric's unit, a phrase, or why it cannot be measured here. */
export type MeasureOutcome =
  | { readonly kind: 'value'; readonly value: number }
  | { readonly kind: 'text'; readonly text: Localized }
  | { readonly kind: 'unavailable'; readonly why: Localized };

/** The outcome as formatFigure takes it, in one language. */
export function outcomeValue(outcome: MeasureOutcome | undefined, language: NoteLanguage): MeasuredValue | undefined {
  if (!outcome) return undefined;
  switch (outcome.kind) {
    case 'value':
      return outcome.value;
    case 'text':
      return outcome.text[language];
    case 'unavailable':
      return outcome.why[language];
  }
}

export interface RunReport {
  readonly label: string;
  readonly stage: StageId;
  /** The stage's command-line flags, as run. */
  readonly args: readonly string[];
  /** From the first client connect to the last client done. */
  readonly clientSeconds: number;
  /** Client problems worth knowing (first few): timeouts, wrong bytes. Refusals a run expects are counted, not listed. */
  readonly problems: readonly string[];
}

export interface ExperimentResult {
  readonly experimentId: string;
  /** ISO time the experiment started. */
  readonly startedAt: string;
  /** By measure id. */
  readonly outcomes: Readonly<Record<string, MeasureOutcome>>;
  /** The experiment's figure with every value filled in. */
  readonly figure: Localized;
  readonly runs: readonly RunReport[];
}

export type ExperimentFailure = 'unknown-experiment' | 'toolchain' | 'build' | 'fd-limit' | 'stage-start' | 'stage-exited' | 'deadline' | 'cancelled';

export class ExperimentError extends Error {
  constructor(
    readonly failure: ExperimentFailure,
    message: string,
    /** The run it happened in, when it happened in one. */
    readonly run?: string,
    /** Output worth showing (make's last lines, the stage's output). */
    readonly output?: string,
    /** For a `toolchain` failure: the tools that are missing. */
    readonly missing?: readonly Tool[],
  ) {
    super(message);
    this.name = 'ExperimentError';
  }
}

/**
 * What every command gets: where to print, whether stderr is a terminal (for the progress line),
 * the Ctrl+C signal, and where the package lives. Tests pass their own to capture the output.
 */
import type { WorkerEntry } from '../bench/shardHost';

export interface CliIo {
  /** One line to stdout. */
  out(line: string): void;
  /** One line to stderr. */
  err(line: string): void;
  /** A progress line that replaces the previous one (stderr); only used when `isTTY`. */
  status(line: string): void;
  readonly isTTY: boolean;
}

export interface CliContext {
  readonly io: CliIo;
  /** Aborted on Ctrl+C / SIGTERM: commands stop what they started and return. */
  readonly signal: AbortSignal;
  /** The folder holding servers/ and package.json, if found. */
  readonly packageRoot: string | undefined;
  /** How to start a load-generator worker thread (the command line's own script). */
  readonly worker?: WorkerEntry;
  readonly env: NodeJS.ProcessEnv;
  /**
   * Re-runs this command with a higher open-file soft limit, when the hard limit allows; resolves
   * with its exit code. Absent where that is not possible (or already done).
   */
  readonly relaunchWithFdLimit?: (needed: number) => Promise<number>;
}

/** A command failed for a reason the user can act on: printed as one line, exit code 1. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/**
 * One measured point of the load generator, with the stable JSON keys of the command line's
 * `--json` (issue #5) and of the extension's stored results. Add keys; never rename them.
 */
import type { LatencySummaryUs } from './histogram';

export const ERROR_KINDS = ['refused', 'reset', 'closed', 'timeout', 'wrong_bytes', 'fd_limit', 'other'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];
export type ErrorCounts = Record<ErrorKind, number>;

/**
 * Errors count events: a connection that fails counts once, by its cause (refused, reset, closed
 * early by the server, wrong bytes, out of file descriptors); a message still without its reply
 * when the drain deadline passes counts once as `timeout`, and so does a connect that times out.
 */
export function noErrors(): ErrorCounts {
  return { refused: 0, reset: 0, closed: 0, timeout: 0, wrong_bytes: 0, fd_limit: 0, other: 0 };
}

export function totalErrors(errors: ErrorCounts): number {
  return ERROR_KINDS.reduce((sum, kind) => sum + errors[kind], 0);
}

/** Errors that mean something is broken, as opposed to a server too slow for the load (timeouts). */
export function brokenErrors(errors: ErrorCounts): number {
  return totalErrors(errors) - errors.timeout;
}

export type BenchMode = 'open' | 'closed';

export interface BenchRow {
  /** Stage id, or host:port for a server we did not start. */
  readonly stage: string;
  readonly connections: number;
  /** The measured window, in seconds: what throughput is computed over (timers may run late). */
  readonly duration_s: number;
  readonly mode: BenchMode;
  /** Open loop: messages per second asked for, over all connections. Closed loop: null. */
  readonly rate: number | null;
  readonly payload_bytes: number;
  /** One message in this many is a work request; null when none are. */
  readonly work_every: number | null;
  /** Messages sent during the window. */
  readonly sent: number;
  /** Replies received complete and correct (during the window or the drain after it). */
  readonly received: number;
  /** Replies completed inside the window, per second of the window. */
  readonly throughput_msgs_per_s: number;
  /** Open loop: from each message's intended send time. Closed loop: from its actual send time. */
  readonly latency_us: LatencySummaryUs;
  /** TCP connect time (the `*` ack is not waited for: a serial stage may hold it back). */
  readonly connect_us: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly errors: ErrorCounts;
  /** Reply bytes compared with the oracle and found equal. */
  readonly verified_bytes: number;
  /** Reply bytes the sent messages call for. With no errors, equal to verified_bytes. */
  readonly expected_bytes: number;
  /** CPU time of the client process (all threads) during the window. */
  readonly client_cpu_s: number;
  /** The first error's message, for a clear report. */
  readonly first_error: string | null;
}

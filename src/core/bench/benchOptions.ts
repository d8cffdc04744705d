/**
 * What one benchmark point is asked to do, with the defaults the command line and the extension
 * share, and the checks that turn bad values into clear messages before any socket is opened.
 */
import { DEFAULT_WORK_NUMBER, MAX_PAYLOAD_BYTES, MIN_PAYLOAD_BYTES } from './workload';
import type { BenchMode } from './result';
import type { WorkerEntry } from './shardHost';

export interface BenchProgress {
  readonly phase: 'connecting' | 'measuring' | 'draining';
  readonly connections: number;
  /** Seconds since the window opened (0 while connecting). */
  readonly elapsedS: number;
  readonly sent: number;
  readonly received: number;
  readonly outstanding: number;
  readonly errors: number;
  /** Replies per second over the last progress interval. */
  readonly recentThroughput: number;
}

export interface BenchPointOptions {
  readonly host: string;
  readonly port: number;
  /** What the row calls the server: a stage id, or host:port. */
  readonly label?: string;
  readonly connections: number;
  readonly durationS: number;
  readonly mode: BenchMode;
  /** Open loop: messages per second over all connections (default DEFAULT_RATE). */
  readonly rate?: number;
  readonly payloadBytes?: number;
  /** One message in `workEvery` is a work request for `workNumber`. */
  readonly workEvery?: number;
  readonly workNumber?: bigint;
  readonly connectTimeoutMs?: number;
  /** How long to wait for every `*` before the window opens anyway. */
  readonly ackWaitMs?: number;
  /** After the window, how long to wait for the replies still outstanding. */
  readonly drainTimeoutMs?: number;
  /**
   * Worker threads to spread the connections over (default 1: all in the calling thread). On a
   * 2-core machine more do not help: the stage needs the other core (bench/README.md).
   */
  readonly threads?: number;
  /** Where the worker threads come from, when threads > 1. */
  readonly worker?: WorkerEntry;
  readonly signal?: AbortSignal;
  /** About once a second while the point runs. */
  readonly onProgress?: (progress: BenchProgress) => void;
}

/** Open-loop rate when none is given: messages per second over all connections. */
export const DEFAULT_RATE = 10_000;
export const DEFAULT_DURATION_S = 5;
export const DEFAULT_PAYLOAD_BYTES = 16;
export const DEFAULT_CONNECTIONS = 100;
export const DEFAULTS = {
  connectTimeoutMs: 10_000,
  ackWaitMs: 2_000,
  drainTimeoutMs: 5_000,
  connectConcurrency: 256,
  workNumber: DEFAULT_WORK_NUMBER,
} as const;

export class BenchOptionError extends Error {
  override readonly name = 'BenchOptionError';
}

/** Throws BenchOptionError naming the first bad value. */
export function checkPointOptions(o: BenchPointOptions): void {
  const positiveInt = (name: string, v: number | undefined, max = Number.MAX_SAFE_INTEGER) => {
    if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > max)) throw new BenchOptionError(`${name} must be an integer from 1 to ${max}, got ${v}`);
  };
  const positive = (name: string, v: number | undefined) => {
    if (v !== undefined && (!Number.isFinite(v) || v <= 0)) throw new BenchOptionError(`${name} must be a positive number, got ${v}`);
  };
  positiveInt('connections', o.connections, 1_000_000);
  positive('duration', o.durationS);
  positive('rate', o.rate);
  if (o.mode === 'closed' && o.rate !== undefined) throw new BenchOptionError('a rate applies to open loop only; drop it or --closed');
  if (o.payloadBytes !== undefined && (!Number.isInteger(o.payloadBytes) || o.payloadBytes < MIN_PAYLOAD_BYTES || o.payloadBytes > MAX_PAYLOAD_BYTES)) {
    throw new BenchOptionError(`payload must be an integer from ${MIN_PAYLOAD_BYTES} to ${MAX_PAYLOAD_BYTES} bytes (a frame: '^', data, '$'), got ${o.payloadBytes}`);
  }
  positiveInt('work', o.workEvery);
  positiveInt('threads', o.threads, 64);
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw new BenchOptionError(`port must be 1..65535, got ${o.port}`);
}

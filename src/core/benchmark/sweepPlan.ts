/**
 * The sweep planner: which connection counts a benchmark of one stage runs, and for how long, so
 * that a sweep shows the model's shape without taking minutes and without asking a model for
 * what it refuses by design. Every requested count it leaves out comes back with the reason and
 * the limit that applied, so the UI can say why a point is missing. Pure (no Node, no DOM): the
 * results webview imports its types.
 */
import type { StageId, StageInfo } from '../stages';

export type SkipReason =
  /** A one-client-at-a-time stage: more connections only wait in the listen backlog. */
  | 'serial'
  /** select(): descriptors at or above FD_SETSIZE are refused (minus what the server itself holds). */
  | 'fd-setsize'
  /** Thread per client: past --max-threads a client is refused. */
  | 'max-threads'
  /** More than any sweep runs (the client's and the server's descriptors on one machine). */
  | 'sweep-limit'
  /** More connections than the client process has descriptors for. */
  | 'fd-limit'
  /** The sweep would take longer than its time budget. */
  | 'time-budget'
  /** Not a whole number of at least 1. */
  | 'invalid';

export interface SkippedPoint {
  readonly connections: number;
  readonly reason: SkipReason;
  /** The limit that applied: connections for the caps, seconds for 'time-budget', 1 for 'invalid'. */
  readonly limit: number;
}

/** One point to run, with the phase timeouts to give the load generator (BenchPointOptions). */
export interface PlannedPoint {
  readonly connections: number;
  readonly durationS: number;
  readonly ackWaitMs: number;
  readonly drainTimeoutMs: number;
}

export interface SweepPlan {
  readonly stage: StageId;
  /** Ascending by connections. */
  readonly points: readonly PlannedPoint[];
  /** In the order requested. */
  readonly skipped: readonly SkippedPoint[];
  readonly requestedDurationS: number;
  /** Per point; shorter than requested when `durationCap` says why. */
  readonly durationS: number;
  readonly durationCap?: 'serial' | 'time-budget';
  /** A generous estimate of the whole sweep's wall time, in seconds. */
  readonly estimatedS: number;
}

export interface SweepLimits {
  /** Serial stages serve one connection; a few more show the queue, many only add timeouts. */
  readonly serialMaxConnections: number;
  readonly serialMaxDurationS: number;
  /** Serial stages never ack the queued connections, nor answer them: do not wait long. */
  readonly serialAckWaitMs: number;
  readonly serialDrainTimeoutMs: number;
  /** 02-thread-per-client's own --max-threads default: past it clients are refused. */
  readonly maxThreads: number;
  /** select()'s FD_SETSIZE, and the descriptors the server holds besides its clients. */
  readonly fdSetSize: number;
  readonly selectHeadroom: number;
  /** The most any stage gets: 10,000 client sockets plus 10,000 in the server fit here. */
  readonly maxConnections: number;
  /** Wall-time budget of a whole sweep, and of a serial stage's. */
  readonly sweepBudgetS: number;
  readonly serialSweepBudgetS: number;
  /** Shortest point the budget may shrink a point to. */
  readonly minDurationS: number;
  /** Phase timeouts for the other stages (the load generator's defaults). */
  readonly ackWaitMs: number;
  readonly drainTimeoutMs: number;
}

export const DEFAULT_SWEEP_LIMITS: SweepLimits = {
  serialMaxConnections: 10,
  serialMaxDurationS: 2,
  serialAckWaitMs: 500,
  serialDrainTimeoutMs: 1_000,
  maxThreads: 1_000,
  fdSetSize: 1_024,
  selectHeadroom: 24,
  maxConnections: 10_000,
  sweepBudgetS: 60,
  serialSweepBudgetS: 20,
  minDurationS: 1,
  ackWaitMs: 2_000,
  drainTimeoutMs: 5_000,
};

export const DEFAULT_SWEEP_CONNECTIONS: readonly number[] = [1, 10, 100, 1_000, 10_000];

export interface SweepRequest {
  /** The setting `serverModels.benchmark.connections`. */
  readonly connections: readonly number[];
  readonly durationS: number;
  /**
   * How many connections the client process has descriptors for, when known (its soft open-file
   * limit minus FD_HEADROOM of src/core/bench/fdLimit.ts): larger points are skipped.
   */
  readonly clientMaxConnections?: number;
  readonly limits?: Partial<SweepLimits>;
}

/** The most connections a stage's model takes in a sweep, and the reason it is that number. */
export function connectionCap(stage: StageInfo, limits: SweepLimits = DEFAULT_SWEEP_LIMITS): { max: number; reason: SkipReason } {
  const cap = (max: number, reason: SkipReason) =>
    max < limits.maxConnections ? { max, reason } : { max: limits.maxConnections, reason: 'sweep-limit' as const };
  switch (stage.concurrency) {
    case 'serial':
      return cap(limits.serialMaxConnections, 'serial');
    case 'fd-setsize':
      return cap(limits.fdSetSize - limits.selectHeadroom, 'fd-setsize');
    case 'threads':
      return cap(limits.maxThreads, 'max-threads');
    // Polling asks every socket on every pass: that cost is its lesson, and 10,000 still fits.
    case 'polling':
    case 'unbounded':
      return cap(limits.maxConnections, 'sweep-limit');
  }
}

/**
 * Seconds one point takes, generously: connecting (about 5,000 connections a second here), the
 * ack wait, the window and the drain. A serial stage with queued clients waits out both timeouts.
 */
export function estimatePointS(point: PlannedPoint, serial: boolean): number {
  const connectS = point.connections / 5_000;
  const waitsS = serial && point.connections > 1 ? (point.ackWaitMs + point.drainTimeoutMs) / 1000 : 0.5;
  return connectS + waitsS + point.durationS;
}

export function planSweep(stage: StageInfo, request: SweepRequest): SweepPlan {
  if (!Number.isFinite(request.durationS) || request.durationS <= 0) {
    throw new RangeError(`the duration of a sweep point must be a positive number of seconds, got ${request.durationS}`);
  }
  const limits = { ...DEFAULT_SWEEP_LIMITS, ...request.limits };
  const serial = stage.concurrency === 'serial';
  const cap = connectionCap(stage, limits);
  const skipped: SkippedPoint[] = [];
  const wanted = new Set<number>();
  for (const c of request.connections) {
    if (!Number.isInteger(c) || c < 1) skipped.push({ connections: c, reason: 'invalid', limit: 1 });
    else if (c > cap.max) skipped.push({ connections: c, reason: cap.reason, limit: cap.max });
    else if (request.clientMaxConnections !== undefined && c > request.clientMaxConnections) {
      skipped.push({ connections: c, reason: 'fd-limit', limit: request.clientMaxConnections });
    } else wanted.add(c);
  }
  const counts = [...wanted].sort((a, b) => a - b);

  let durationS = request.durationS;
  let durationCap: SweepPlan['durationCap'];
  if (serial && durationS > limits.serialMaxDurationS) {
    durationS = limits.serialMaxDurationS;
    durationCap = 'serial';
  }
  const pointAt = (connections: number, d: number): PlannedPoint => ({
    connections,
    durationS: d,
    ackWaitMs: serial ? limits.serialAckWaitMs : limits.ackWaitMs,
    drainTimeoutMs: serial ? limits.serialDrainTimeoutMs : limits.drainTimeoutMs,
  });
  const estimate = (cs: readonly number[], d: number) => cs.reduce((sum, c) => sum + estimatePointS(pointAt(c, d), serial), 0);
  const budgetS = serial ? limits.serialSweepBudgetS : limits.sweepBudgetS;

  // Over budget: first shorten every point (down to the minimum), then drop the largest points.
  if (counts.length > 0 && estimate(counts, durationS) > budgetS) {
    const overheadS = estimate(counts, 0);
    const fitted = Math.floor(((budgetS - overheadS) / counts.length) * 10) / 10;
    const shorter = Math.max(limits.minDurationS, Math.min(durationS, fitted));
    if (shorter < durationS) {
      durationS = shorter;
      durationCap = 'time-budget';
    }
    while (counts.length > 1 && estimate(counts, durationS) > budgetS) {
      const dropped = counts.pop() as number;
      skipped.push({ connections: dropped, reason: 'time-budget', limit: budgetS });
    }
  }

  const points = counts.map((c) => pointAt(c, durationS));
  return {
    stage: stage.id,
    points,
    skipped,
    requestedDurationS: request.durationS,
    durationS,
    ...(durationCap ? { durationCap } : {}),
    estimatedS: Math.ceil(estimate(counts, durationS)),
  };
}

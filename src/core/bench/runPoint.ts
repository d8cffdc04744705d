/**
 * One benchmark point: connect C connections, wait for their acks, measure for the duration,
 * drain, and report one row. The phases are the same whether the connections live in this thread
 * or are spread over worker threads (shardHost.ts); either way the caller gets one row.
 */
import { performance } from 'node:perf_hooks';
import type { Histogram } from 'hdr-histogram-js';
import { BenchOptionError, checkPointOptions, DEFAULT_PAYLOAD_BYTES, DEFAULT_RATE, DEFAULTS, type BenchPointOptions, type BenchProgress } from './benchOptions';
import { checkFdLimit, readFdLimits } from './fdLimit';
import { createLatencyHistogram, summarizeUs } from './histogram';
import { LoadShard, type ShardPlan, type ShardTotals } from './loadShard';
import type { BenchRow } from './result';
import { workerDriver } from './shardHost';
import { buildWorkload } from './workload';

export class FdLimitError extends Error {
  override readonly name = 'FdLimitError';
  constructor(message: string, readonly raisable: boolean, readonly needed: number) {
    super(message);
  }
}

/** What a shard reports back, wherever it ran. */
export interface ShardOutcome {
  readonly totals: ShardTotals;
  readonly latency: Histogram;
  readonly connectTime: Histogram;
  readonly windowS: number;
  readonly cpuS: number;
}

/** The phases of a point, for one shard or many. */
export interface PointDriver {
  connect(): Promise<void>;
  waitForAcks(ms: number): Promise<void>;
  /** Opens the window now; resolves when sending stopped (window over, or every connection gone). */
  measure(durationMs: number): Promise<void>;
  drain(ms: number): Promise<void>;
  close(): Promise<ShardOutcome[]>;
  progress(): { sent: number; received: number; outstanding: number; errors: number };
  abort(): void;
}

export function abortError(): Error {
  const err = new Error('The benchmark was cancelled');
  err.name = 'AbortError';
  return err;
}

export async function runPoint(options: BenchPointOptions): Promise<BenchRow> {
  checkPointOptions(options);
  const fd = checkFdLimit(options.connections, readFdLimits());
  if (!fd.ok) throw new FdLimitError(fd.message, fd.raisable, fd.needed);
  const threads = Math.min(options.threads ?? 1, options.connections);
  const payloadBytes = options.payloadBytes ?? DEFAULT_PAYLOAD_BYTES;
  const rate = options.mode === 'open' ? (options.rate ?? DEFAULT_RATE) : null;
  const workNumber = options.workNumber ?? DEFAULTS.workNumber;
  const workload = buildWorkload(payloadBytes, options.workEvery ? { every: options.workEvery, number: workNumber } : undefined);
  const plans = splitPlans(options, threads, rate, workload);
  if (threads > 1 && !options.worker) throw new BenchOptionError('more than one thread needs a worker script (options.worker)');
  const driver = threads > 1 && options.worker ? workerDriver(plans, options.worker) : inThreadDriver(plans[0]);

  const signal = options.signal;
  if (signal?.aborted) throw abortError();
  let aborted = false;
  const onAbort = () => {
    aborted = true;
    driver.abort();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const progress = startProgress(options, driver);
  try {
    await driver.connect();
    if (!aborted) await driver.waitForAcks(options.ackWaitMs ?? DEFAULTS.ackWaitMs);
    progress.windowOpened();
    if (!aborted) await driver.measure(options.durationS * 1000);
    progress.draining();
    if (!aborted) await driver.drain(options.drainTimeoutMs ?? DEFAULTS.drainTimeoutMs);
  } finally {
    progress.stop();
    signal?.removeEventListener('abort', onAbort);
  }
  const outcomes = await driver.close();
  if (aborted) throw abortError();
  return toRow(options, rate, payloadBytes, outcomes);
}

function splitPlans(options: BenchPointOptions, threads: number, rate: number | null, workload: ShardPlan['workload']): ShardPlan[] {
  const plans: ShardPlan[] = [];
  let first = 0;
  for (let t = 0; t < threads; t++) {
    const connections = Math.floor(options.connections / threads) + (t < options.connections % threads ? 1 : 0);
    plans.push({
      host: options.host,
      port: options.port,
      firstConnection: first,
      connections,
      totalConnections: options.connections,
      mode: options.mode,
      rate,
      workload,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      connectConcurrency: Math.max(1, Math.floor(DEFAULTS.connectConcurrency / threads)),
    });
    first += connections;
  }
  return plans;
}

/** All connections in the calling thread. */
export function inThreadDriver(plan: ShardPlan): PointDriver {
  const shard = new LoadShard(plan);
  let windowStart = 0;
  let windowEnd = 0;
  let cpuStart = process.cpuUsage();
  let cpuUsed = { user: 0, system: 0 };
  return {
    connect: () => shard.connectAll(),
    waitForAcks: (ms) => shard.waitForAcks(ms),
    async measure(durationMs) {
      cpuStart = process.cpuUsage();
      windowStart = performance.now();
      shard.startWindow(windowStart, windowStart + durationMs);
      await shard.sendingStopped();
      windowEnd = performance.now();
      cpuUsed = process.cpuUsage(cpuStart);
    },
    drain: (ms) => shard.drain(ms),
    close() {
      shard.close();
      return Promise.resolve([
        {
          totals: shard.totals,
          latency: shard.latency.toHistogram(),
          connectTime: shard.connectTime.toHistogram(),
          windowS: Math.max(0, windowEnd - windowStart) / 1000,
          cpuS: (cpuUsed.user + cpuUsed.system) / 1e6,
        },
      ]);
    },
    progress: () => shard.progress,
    abort: () => shard.close(),
  };
}

function startProgress(options: BenchPointOptions, driver: PointDriver) {
  let phase: BenchProgress['phase'] = 'connecting';
  let windowStart = 0;
  let last = { at: performance.now(), received: 0 };
  const timer = options.onProgress
    ? setInterval(() => {
        const p = driver.progress();
        const now = performance.now();
        const recentThroughput = ((p.received - last.received) * 1000) / Math.max(1, now - last.at);
        last = { at: now, received: p.received };
        options.onProgress?.({
          phase,
          connections: options.connections,
          elapsedS: windowStart ? (now - windowStart) / 1000 : 0,
          ...p,
          recentThroughput,
        });
      }, 1000)
    : undefined;
  timer?.unref();
  return {
    windowOpened() {
      phase = 'measuring';
      windowStart = performance.now();
    },
    draining() {
      phase = 'draining';
    },
    stop() {
      clearInterval(timer);
    },
  };
}

function toRow(options: BenchPointOptions, rate: number | null, payloadBytes: number, outcomes: readonly ShardOutcome[]): BenchRow {
  const latency = createLatencyHistogram();
  const connectTime = createLatencyHistogram();
  const errors = { ...outcomes[0].totals.errors };
  let sent = 0, received = 0, inWindow = 0, verified = 0, expected = 0, cpuS = 0, windowS = 0;
  let firstError: string | null = null;
  for (const o of outcomes) {
    latency.add(o.latency);
    connectTime.add(o.connectTime);
    sent += o.totals.sent;
    received += o.totals.received;
    inWindow += o.totals.receivedInWindow;
    verified += o.totals.verifiedBytes;
    expected += o.totals.expectedBytes;
    cpuS = Math.max(cpuS, o.cpuS);
    windowS = Math.max(windowS, o.windowS);
    firstError ??= o.totals.firstError;
    if (o !== outcomes[0]) for (const k of Object.keys(errors) as (keyof typeof errors)[]) errors[k] += o.totals.errors[k];
  }
  const connectSummary = summarizeUs(connectTime);
  return {
    stage: options.label ?? `${options.host}:${options.port}`,
    connections: options.connections,
    duration_s: round(windowS, 3),
    mode: options.mode,
    rate,
    payload_bytes: payloadBytes,
    work_every: options.workEvery ?? null,
    sent,
    received,
    throughput_msgs_per_s: windowS > 0 ? Math.round(inWindow / windowS) : 0,
    latency_us: summarizeUs(latency),
    connect_us: { p50: connectSummary.p50, p99: connectSummary.p99, max: connectSummary.max },
    errors,
    verified_bytes: verified,
    expected_bytes: expected,
    client_cpu_s: round(cpuS, 3),
    first_error: firstError,
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

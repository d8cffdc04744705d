/**
 * What the main thread and a load-generator worker thread say to each other (shardHost.ts and
 * shardWorker.ts). Times cross threads as absolute ms (performance.timeOrigin + now), because
 * each thread's performance.now() counts from its own origin.
 */
import type { ShardPlan, ShardProgress, ShardTotals } from './loadShard';

/** workerData of a shard worker; `kind` lets a bundle that doubles as the worker recognise it. */
export interface ShardWorkerData {
  readonly kind: 'server-models-bench-shard';
  readonly plan: ShardPlan;
}

export type ToShard =
  | { readonly cmd: 'connect' }
  | { readonly cmd: 'acks'; readonly ms: number }
  | { readonly cmd: 'measure'; readonly startAbsMs: number; readonly durationMs: number }
  | { readonly cmd: 'drain'; readonly ms: number }
  | { readonly cmd: 'close' };

export type FromShard =
  | { readonly ev: 'connected' | 'acked' | 'stopped' | 'drained' }
  | { readonly ev: 'progress'; readonly progress: ShardProgress }
  | {
      readonly ev: 'closed';
      readonly totals: ShardTotals;
      readonly latency: string;
      readonly connectTime: string;
      readonly windowS: number;
    };

export const SHARD_WORKER_KIND = 'server-models-bench-shard';

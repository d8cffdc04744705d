/**
 * The main-thread side of a sharded benchmark point: one worker thread per shard, all driven
 * through the same phases in lock step (every shard connected before any measures), with one
 * shared window start so that the open-loop schedule stays one schedule.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import type { ShardPlan, ShardProgress } from './loadShard';
import type { PointDriver, ShardOutcome } from './runPoint';
import { SHARD_WORKER_KIND, type FromShard, type ShardWorkerData, type ToShard } from './shardMessages';

export interface WorkerEntry {
  /** A script that calls serveShardIfWorker() at its top (the command line's own bundle does). */
  readonly script: string;
  /** `script` is code, not a path (e.g. a bootstrap that loads TypeScript sources through tsx). */
  readonly eval?: boolean;
}

/** Lead time so that every worker has the window start before it comes. */
const START_LEAD_MS = 20;

export function workerDriver(plans: readonly ShardPlan[], entry: WorkerEntry): PointDriver {
  const workers = plans.map((plan) => {
    const data: ShardWorkerData = { kind: SHARD_WORKER_KIND, plan };
    return new Worker(entry.script, { workerData: data, eval: entry.eval ?? false });
  });
  const latest: ShardProgress[] = plans.map(() => ({ sent: 0, received: 0, outstanding: 0, errors: 0 }));
  const outcomes: (ShardOutcome | undefined)[] = plans.map(() => undefined);
  const replies: string[][] = plans.map(() => []);
  const exited = plans.map(() => false);
  let failure: Error | undefined;
  let cpuS = 0;
  const waiters = new Set<() => void>();
  workers.forEach((worker, i) => {
    worker.on('message', (message: FromShard) => {
      if (message.ev === 'progress') latest[i] = message.progress;
      else if (message.ev === 'closed') {
        outcomes[i] = {
          totals: message.totals,
          latency: decodeFromCompressedBase64(message.latency),
          connectTime: decodeFromCompressedBase64(message.connectTime),
          windowS: message.windowS,
          cpuS: 0,
        };
      }
      replies[i].push(message.ev);
      for (const wake of [...waiters]) wake();
    });
    worker.on('error', (err) => {
      failure ??= err;
      for (const wake of [...waiters]) wake();
    });
    worker.on('exit', () => {
      exited[i] = true;
      for (const wake of [...waiters]) wake();
    });
  });

  /** Sends `command` to every worker and resolves when each has answered `ev` (or is gone). */
  const everyone = (command: ToShard, ev: FromShard['ev']): Promise<void> => {
    for (let i = 0; i < workers.length; i++) if (!exited[i]) workers[i].postMessage(command);
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (failure) {
          waiters.delete(check);
          reject(failure);
        } else if (replies.every((r, i) => exited[i] || r.includes(ev))) {
          waiters.delete(check);
          for (const r of replies) r.splice(r.indexOf(ev), 1);
          resolve();
        }
      };
      waiters.add(check);
      check();
    });
  };

  return {
    connect: () => everyone({ cmd: 'connect' }, 'connected'),
    waitForAcks: (ms) => everyone({ cmd: 'acks', ms }, 'acked'),
    async measure(durationMs) {
      const cpuStart = process.cpuUsage();
      const startAbsMs = performance.timeOrigin + performance.now() + START_LEAD_MS;
      await everyone({ cmd: 'measure', startAbsMs, durationMs }, 'stopped');
      const used = process.cpuUsage(cpuStart);
      cpuS = (used.user + used.system) / 1e6;
    },
    drain: (ms) => everyone({ cmd: 'drain', ms }, 'drained'),
    async close() {
      try {
        await everyone({ cmd: 'close' }, 'closed');
      } finally {
        await Promise.all(workers.map((w) => w.terminate()));
      }
      if (failure) throw failure;
      return outcomes.map((o, i) => {
        if (!o) throw new Error(`load generator thread ${i} ended without its results`);
        // process.cpuUsage covers every thread of the process: the whole client, once.
        return { ...o, cpuS: i === 0 ? cpuS : 0 };
      });
    },
    progress: () =>
      latest.reduce(
        (sum, p) => ({ sent: sum.sent + p.sent, received: sum.received + p.received, outstanding: sum.outstanding + p.outstanding, errors: sum.errors + p.errors }),
        { sent: 0, received: 0, outstanding: 0, errors: 0 },
      ),
    abort() {
      for (let i = 0; i < workers.length; i++) if (!exited[i]) workers[i].postMessage({ cmd: 'close' } satisfies ToShard);
    },
  };
}

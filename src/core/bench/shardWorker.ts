/**
 * The worker-thread side of a sharded benchmark point: runs one LoadShard and answers the main
 * thread's commands (shardMessages.ts). A bundle that may be started as a shard worker calls
 * `serveShardIfWorker()` first thing; it returns false in the main thread.
 */
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { encodeHistogram } from './histogram';
import { LoadShard } from './loadShard';
import { SHARD_WORKER_KIND, type FromShard, type ShardWorkerData, type ToShard } from './shardMessages';

export function isShardWorker(): boolean {
  return !isMainThread && (workerData as Partial<ShardWorkerData> | undefined)?.kind === SHARD_WORKER_KIND;
}

export function serveShardIfWorker(): boolean {
  if (!isShardWorker() || !parentPort) return false;
  const port = parentPort;
  const { plan } = workerData as ShardWorkerData;
  const shard = new LoadShard(plan);
  const post = (message: FromShard) => port.postMessage(message);
  let windowStart = 0;
  let windowEnd = 0;
  const progress = setInterval(() => post({ ev: 'progress', progress: shard.progress }), 250);
  progress.unref();

  port.on('message', (message: ToShard) => {
    switch (message.cmd) {
      case 'connect':
        void shard.connectAll().then(() => post({ ev: 'connected' }));
        return;
      case 'acks':
        void shard.waitForAcks(message.ms).then(() => post({ ev: 'acked' }));
        return;
      case 'measure': {
        const start = message.startAbsMs - performance.timeOrigin;
        const begin = () => {
          windowStart = start;
          shard.startWindow(start, start + message.durationMs);
          void shard.sendingStopped().then(() => {
            windowEnd = performance.now();
            post({ ev: 'stopped' });
          });
        };
        setTimeout(begin, Math.max(0, start - performance.now()));
        return;
      }
      case 'drain':
        void shard.drain(message.ms).then(() => post({ ev: 'drained' }));
        return;
      case 'close':
        shard.close();
        clearInterval(progress);
        post({
          ev: 'closed',
          totals: shard.totals,
          latency: encodeHistogram(shard.latency.toHistogram()),
          connectTime: encodeHistogram(shard.connectTime.toHistogram()),
          windowS: Math.max(0, windowEnd - windowStart) / 1000,
        });
        port.close();
        return;
    }
  });
  return true;
}

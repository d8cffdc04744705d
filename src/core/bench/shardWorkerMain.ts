/**
 * A worker-thread entry for hosts whose own bundle cannot double as the worker (the extension:
 * dist/extension.js imports `vscode`, which a worker thread cannot load). Bundle it on its own
 * and pass its path as BenchPointOptions.worker.script. The command line needs none of this: its
 * bundle checks for itself (src/cli.ts).
 */
import { serveShardIfWorker } from './shardWorker';

serveShardIfWorker();

/**
 * The `server-models` command (package.json "bin"; esbuild bundles this into dist/cli.js). The
 * same file is started again as the load generator's worker threads, so it first checks whether
 * it is one of them.
 */
import { serveShardIfWorker } from './core/bench/shardWorker';
import { RELAUNCH_MARKER, relaunchWithFdLimit } from './core/cli/fdRelaunch';
import { runCli } from './core/cli/main';
import { findPackageRoot } from './core/cli/paths';

function main(): void {
  const controller = new AbortController();
  let interrupted = 0;
  const interrupt = () => {
    // First Ctrl+C: stop cleanly (the stage is stopped, sockets closed). Second: leave now.
    if (++interrupted > 1) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  // `server-models stages | head`: a closed pipe ends the output, not in a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  const stderrIsTTY = process.stderr.isTTY === true;
  const argv = process.argv.slice(2);
  void runCli(
    {
      io: {
        out: (line) => process.stdout.write(`${line}\n`),
        err: (line) => process.stderr.write(`${line}\n`),
        status: (line) => process.stderr.write(`\r\x1b[2K${line}`),
        isTTY: stderrIsTTY,
      },
      signal: controller.signal,
      packageRoot: findPackageRoot(__dirname),
      // Run from source (tests, development), the worker threads load this file through tsx too.
      worker: __filename.endsWith('.ts') ? { script: `require('tsx/cjs'); require(${JSON.stringify(__filename)});`, eval: true } : { script: __filename },
      env: process.env,
      ...(process.env[RELAUNCH_MARKER] ? {} : { relaunchWithFdLimit: (needed: number) => relaunchWithFdLimit(needed, process.argv.slice(1), process.env, controller.signal) }),
    },
    argv,
  ).then((code) => {
    process.exitCode = code;
  });
}

if (!serveShardIfWorker()) main();

/**
 * The `server-models` command line for the test layers that run it as a user does: bundled from
 * src/cli.ts into a file of the test's own (as esbuild.mjs bundles dist/cli.js), and run as a
 * child process with a deadline, its output collected.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.join(__dirname, '..');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export async function bundleCli(outfile: string): Promise<void> {
  await build({
    entryPoints: [path.join(ROOT, 'src/cli.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  });
}

export interface RunCliOptions {
  readonly timeoutMs: number;
  /** Called with all of stdout so far, whenever more arrives. */
  readonly onStdout?: (soFar: string) => void;
  /** Run under this command first (e.g. ['/usr/bin/time', '-v']). */
  readonly wrapper?: readonly string[];
}

/** Runs `node <cli> ...args`; rejects (after killing it) if it outlives the deadline. */
export function runCli(cli: string, args: readonly string[], options: RunCliOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const argv = [process.execPath, cli, ...args];
    const [command, ...rest] = [...(options.wrapper ?? []), ...argv];
    const child = spawn(command, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      options.onStdout?.(stdout);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server-models ${args.join(' ')} did not finish within ${options.timeoutMs} ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

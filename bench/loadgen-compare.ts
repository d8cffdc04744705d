/**
 * Our load generator next to a minimal C one (bench/loadgen.c), side by side in one run against
 * stage 06-epoll: 16-byte frames, closed loop, at 100 and 10,000 connections. Prints messages per
 * second and client CPU-seconds per million messages for each, and the ratio to C.
 *
 *   node --import tsx bench/loadgen-compare.ts [--duration 5] [--reps 3] [--sizes 100,10000] [--pin]
 *
 * --pin (Linux, taskset): the stage on CPU 0, the single-threaded generators on CPU 1, so that
 * the scheduler cannot put both ends on one core in some runs and on two in others (which moves
 * the figures by 2x); our two-thread generator runs on both CPUs, as it must.
 *
 * Each repetition starts a fresh stage and runs the generators in a rotating order, so that a
 * slow moment of the machine does not always hit the same one; the table shows the median.
 * bench/README.md records the figures and the load the machine was under.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { StageProcess } from '../src/core/stageProcess';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'out', 'bench');

interface Sample {
  readonly msgsPerS: number;
  readonly cpuSPerMillion: number;
}

type Generator = 'C loadgen' | 'ours, 1 thread' | 'ours, 2 threads';
const GENERATORS: readonly Generator[] = ['C loadgen', 'ours, 1 thread', 'ours, 2 threads'];

function run(command: string, args: readonly string[], timeoutMs: number, cpus?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = cpus ? spawn('taskset', ['-c', cpus, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${command} ${args.join(' ')} exited ${String(code)}\n${out}\n${err}`));
    });
  });
}

async function sample(generator: Generator, port: number, connections: number, durationS: number, loadgen: string, cli: string, pin: boolean): Promise<Sample> {
  const timeout = (durationS + 60) * 1000;
  const cpus = pin ? (generator === 'ours, 2 threads' ? '0,1' : '1') : undefined;
  if (generator === 'C loadgen') {
    const r = JSON.parse(await run(loadgen, ['127.0.0.1', String(port), String(connections), String(durationS), '16'], timeout, cpus)) as {
      throughput_msgs_per_s: number; received: number; client_cpu_s: number; wrong_bytes: number; failed_connections: number;
    };
    if (r.wrong_bytes || r.failed_connections) throw new Error(`C loadgen errors: ${JSON.stringify(r)}`);
    return { msgsPerS: r.throughput_msgs_per_s, cpuSPerMillion: (r.client_cpu_s / r.received) * 1e6 };
  }
  const threads = generator === 'ours, 2 threads' ? '2' : '1';
  const r = JSON.parse(
    await run(process.execPath, [cli, 'bench', `127.0.0.1:${port}`, '--closed', '--connections', String(connections), '--duration', String(durationS), '--payload', '16', '--threads', threads, '--json'], timeout, cpus),
  ) as { throughput_msgs_per_s: number; received: number; client_cpu_s: number; errors: Record<string, number> };
  if (Object.values(r.errors).some((n) => n > 0)) throw new Error(`our generator had errors: ${JSON.stringify(r.errors)}`);
  return { msgsPerS: r.throughput_msgs_per_s, cpuSPerMillion: (r.client_cpu_s / r.received) * 1e6 };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { duration: { type: 'string' }, reps: { type: 'string' }, sizes: { type: 'string' }, pin: { type: 'boolean' } } });
  const pin = values.pin ?? false;
  const durationS = Number(values.duration ?? 5);
  const reps = Number(values.reps ?? 3);
  const sizes = (values.sizes ?? '100,10000').split(',').map(Number);

  mkdirSync(OUT, { recursive: true });
  const loadgen = path.join(OUT, 'loadgen');
  execFileSync(process.env.CC ?? 'cc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', loadgen, path.join(ROOT, 'bench', 'loadgen.c')], { stdio: 'inherit' });
  const cli = path.join(OUT, 'cli.js');
  await build({ entryPoints: [path.join(ROOT, 'src', 'cli.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: cli, logLevel: 'warning' });
  const buildDir = path.join(OUT, 'build');
  execFileSync('make', ['-C', path.join(ROOT, 'servers'), `BUILD_DIR=${buildDir}`, '06-epoll'], { stdio: 'ignore' });
  const stageBinary = path.join(buildDir, '06-epoll');

  const loadBefore = loadavg()[0];
  console.log(`load average before: ${loadBefore.toFixed(2)}; ${durationS} s per run, ${reps} repetitions, closed loop, 16-byte frames, stage 06-epoll${pin ? ', pinned' : ''}`);
  const samples = new Map<string, Sample[]>();
  for (const connections of sizes) {
    for (let rep = 0; rep < reps; rep++) {
      for (let i = 0; i < GENERATORS.length; i++) {
        const generator = GENERATORS[(i + rep) % GENERATORS.length];
        // A fresh stage per run: nothing left over from the previous generator's connections.
        const stage = await StageProcess.start({ binary: stageBinary, port: 0 });
        try {
          if (pin && stage.pid) execFileSync('taskset', ['-pc', '0', String(stage.pid)], { stdio: 'ignore' });
          const s = await sample(generator, stage.port, connections, durationS, loadgen, cli, pin);
          const key = `${connections}|${generator}`;
          samples.set(key, [...(samples.get(key) ?? []), s]);
          console.log(`  ${String(connections).padStart(6)} ${generator.padEnd(16)} ${Math.round(s.msgsPerS).toLocaleString('en-US').padStart(9)} msg/s  ${s.cpuSPerMillion.toFixed(2)} CPU-s/M`);
        } finally {
          await stage.stop();
        }
      }
    }
  }
  console.log(`load average after: ${loadavg()[0].toFixed(2)}`);
  console.log('');
  console.log('| connections | generator | msg/s (median) | client CPU-s per 1M msgs | rate vs C |');
  console.log('|---:|---|---:|---:|---:|');
  for (const connections of sizes) {
    const c = median((samples.get(`${connections}|C loadgen`) ?? []).map((s) => s.msgsPerS));
    for (const generator of GENERATORS) {
      const list = samples.get(`${connections}|${generator}`) ?? [];
      const rate = median(list.map((s) => s.msgsPerS));
      const cpu = median(list.map((s) => s.cpuSPerMillion));
      console.log(`| ${connections.toLocaleString('en-US')} | ${generator} | ${Math.round(rate).toLocaleString('en-US')} | ${cpu.toFixed(2)} | ${(rate / c).toFixed(2)}× |`);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});

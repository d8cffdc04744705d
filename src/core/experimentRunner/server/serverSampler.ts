/**
 * Watches the server process during a run: every 100 ms it reads what the run's measures need,
 * keeps the peaks, and at the end reports CPU time and context switches since the start. Linux
 * reads /proc; elsewhere `ps` gives CPU, memory and (on macOS) threads, and the rest is reported
 * as unavailable rather than guessed.
 */
import { performance } from 'node:perf_hooks';
import { type FdEntry, readFdTable } from './fdTable';
import { clockTicksPerSecond, countPlumbingThreads, readCpuTicks, readStatus, readThreadSwitches } from './procFiles';
import { psSample } from './psFallback';

export const SAMPLE_INTERVAL_MS = 100;

export interface SamplerNeeds {
  readonly cpu: boolean;
  readonly threads: boolean;
  readonly memory: boolean;
  readonly switches: boolean;
  readonly fdTable: boolean;
}

export type Sampled = 'cpu' | 'threads' | 'memory' | 'switches' | 'fdTable';

export interface ServerSamples {
  /** CPU time of all the server's threads (those that ended included) from start() to stop(). */
  readonly cpuSeconds?: number;
  readonly threadsPeak?: number;
  readonly rssPeakKb?: number;
  readonly vszPeakKb?: number;
  /** Voluntary + involuntary context switches since start(), summed over threads (each seen last at its final sample). */
  readonly switches?: number;
  /** The largest fd table seen: the moment the most clients were connected. */
  readonly fdTable?: readonly FdEntry[];
  /** What this platform cannot measure. */
  readonly unavailable: ReadonlySet<Sampled>;
}

interface Peaks {
  cpuStart?: number;
  cpuEnd?: number;
  threadsPeak?: number;
  /** Threads that are not the model's (see PLUMBING_THREAD_NAMES), counted out of threadsPeak. */
  plumbingThreads?: number;
  rssPeakKb?: number;
  vszPeakKb?: number;
  switchesStart?: Map<number, number>;
  readonly switchesLast: Map<number, number>;
  fdTable?: FdEntry[];
}

function max(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

export class ServerSampler {
  private readonly peaks: Peaks = { switchesLast: new Map() };
  private readonly linux = process.platform === 'linux';
  private running = true;
  private wake: (() => void) | undefined;
  private loop: Promise<void> = Promise.resolve();
  /** The process is gone: nothing more to read. */
  private gone = false;

  private constructor(
    private readonly pid: number,
    private readonly needs: SamplerNeeds,
  ) {}

  /** Takes the first sample (the baseline for CPU and switches), then samples every 100 ms. */
  static async start(pid: number, needs: SamplerNeeds): Promise<ServerSampler> {
    const sampler = new ServerSampler(pid, needs);
    await sampler.sample(true);
    sampler.loop = sampler.run();
    return sampler;
  }

  /** Takes a last sample and reports. Call before the server is stopped. */
  async stop(): Promise<ServerSamples> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.sample(false);
    return this.report();
  }

  private async run(): Promise<void> {
    while (this.running && !this.gone) {
      const started = performance.now();
      await this.sample(false);
      const wait = SAMPLE_INTERVAL_MS - (performance.now() - started);
      if (wait > 0 && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  private async sample(first: boolean): Promise<void> {
    if (this.gone) return;
    try {
      if (this.linux) await this.sampleProc(first);
      else await this.samplePs(first);
    } catch {
      this.gone = true; // the process exited; what was read so far stands
    }
  }

  private async sampleProc(first: boolean): Promise<void> {
    const { needs, peaks, pid } = this;
    const [plumbing, cpu, status, switches, fdTable] = await Promise.all([
      first && needs.threads ? countPlumbingThreads(pid) : undefined,
      needs.cpu ? readCpuTicks(pid) : undefined,
      needs.threads || needs.memory ? readStatus(pid) : undefined,
      needs.switches ? readThreadSwitches(pid) : undefined,
      needs.fdTable ? readFdTable(pid) : undefined,
    ]);
    if (plumbing !== undefined) peaks.plumbingThreads = plumbing;
    if (cpu !== undefined) {
      if (first) peaks.cpuStart = cpu;
      peaks.cpuEnd = cpu;
    }
    if (status) {
      peaks.threadsPeak = max(peaks.threadsPeak, status.threads);
      peaks.rssPeakKb = max(peaks.rssPeakKb, max(status.rssKb, status.rssPeakKb));
      peaks.vszPeakKb = max(peaks.vszPeakKb, max(status.vszKb, status.vszPeakKb));
    }
    if (switches) {
      if (first) peaks.switchesStart = switches;
      for (const [tid, count] of switches) peaks.switchesLast.set(tid, count);
    }
    if (fdTable && fdTable.length > (peaks.fdTable?.length ?? -1)) peaks.fdTable = fdTable;
  }

  private async samplePs(first: boolean): Promise<void> {
    const sample = await psSample(this.pid);
    if (!sample) throw new Error('ps could not read the process');
    const peaks = this.peaks;
    if (first) peaks.cpuStart = sample.cpuSeconds;
    peaks.cpuEnd = sample.cpuSeconds;
    peaks.threadsPeak = max(peaks.threadsPeak, sample.threads);
    peaks.rssPeakKb = max(peaks.rssPeakKb, sample.rssKb);
    peaks.vszPeakKb = max(peaks.vszPeakKb, sample.vszKb);
  }

  private async report(): Promise<ServerSamples> {
    const p = this.peaks;
    const unavailable = new Set<Sampled>();
    if (!this.linux) {
      unavailable.add('switches').add('fdTable');
      if (process.platform !== 'darwin') unavailable.add('threads');
    }
    const ticks = this.linux ? await clockTicksPerSecond() : 1;
    let switches: number | undefined;
    if (p.switchesStart) {
      switches = 0;
      for (const [tid, last] of p.switchesLast) switches += last - (p.switchesStart.get(tid) ?? 0);
    }
    return {
      ...(p.cpuStart !== undefined && p.cpuEnd !== undefined ? { cpuSeconds: (p.cpuEnd - p.cpuStart) / ticks } : {}),
      ...(p.threadsPeak !== undefined ? { threadsPeak: p.threadsPeak - (p.plumbingThreads ?? 0) } : {}),
      ...(p.rssPeakKb !== undefined ? { rssPeakKb: p.rssPeakKb } : {}),
      ...(p.vszPeakKb !== undefined ? { vszPeakKb: p.vszPeakKb } : {}),
      ...(switches !== undefined ? { switches } : {}),
      ...(p.fdTable ? { fdTable: p.fdTable } : {}),
      unavailable,
    };
  }
}

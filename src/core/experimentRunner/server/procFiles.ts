/**
 * Reading a process from Linux's /proc: CPU time (stat), threads and memory (status), context
 * switches per thread (task/<tid>/status). Parsers are separate from the reads so they can be
 * checked on text.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

export interface ProcStatus {
  readonly threads: number;
  /** kB, as the kernel reports them. */
  readonly rssKb: number;
  readonly vszKb: number;
  /** The kernel's own high-water marks (kB), when it keeps them. */
  readonly rssPeakKb?: number;
  readonly vszPeakKb?: number;
}

/** utime + stime in clock ticks, from /proc/<pid>/stat (fields 14 and 15; the name may hold spaces). */
export function parseStatCpuTicks(text: string): number | undefined {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : undefined;
}

function statusField(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

export function parseStatus(text: string): ProcStatus | undefined {
  const threads = statusField(text, 'Threads');
  const rssKb = statusField(text, 'VmRSS');
  const vszKb = statusField(text, 'VmSize');
  if (threads === undefined || rssKb === undefined || vszKb === undefined) return undefined;
  const rssPeakKb = statusField(text, 'VmHWM');
  const vszPeakKb = statusField(text, 'VmPeak');
  return { threads, rssKb, vszKb, ...(rssPeakKb !== undefined ? { rssPeakKb } : {}), ...(vszPeakKb !== undefined ? { vszPeakKb } : {}) };
}

/** Voluntary + involuntary context switches of one thread. */
export function parseContextSwitches(text: string): number | undefined {
  const voluntary = statusField(text, 'voluntary_ctxt_switches');
  const involuntary = statusField(text, 'nonvoluntary_ctxt_switches');
  return voluntary === undefined || involuntary === undefined ? undefined : voluntary + involuntary;
}

let ticksPerSecond: Promise<number> | undefined;

/** USER_HZ (getconf CLK_TCK): 100 on every mainstream Linux, asked once anyway. */
export function clockTicksPerSecond(): Promise<number> {
  ticksPerSecond ??= new Promise((resolve) => {
    execFile('getconf', ['CLK_TCK'], { timeout: 2_000 }, (err, stdout) => {
      const value = Number(String(stdout).trim());
      resolve(!err && value > 0 ? value : 100);
    });
  });
  return ticksPerSecond;
}

export async function readCpuTicks(pid: number): Promise<number | undefined> {
  return parseStatCpuTicks(await readFile(`/proc/${pid}/stat`, 'utf8'));
}

export async function readStatus(pid: number): Promise<ProcStatus | undefined> {
  return parseStatus(await readFile(`/proc/${pid}/status`, 'utf8'));
}

/**
 * Threads of the stages' plumbing, not of the model they teach: servers/common/stop.c's watcher,
 * which waits on stdin so that a stage ends with its parent. Known by the name the thread gives
 * itself (pthread_setname_np), so a figure can say "1 thread" for a single-threaded loop.
 */
export const PLUMBING_THREAD_NAMES: ReadonlySet<string> = new Set(['parent-watch']);

/** How many of the process's threads are plumbing (PLUMBING_THREAD_NAMES). */
export async function countPlumbingThreads(pid: number): Promise<number> {
  const tids = await readdir(`/proc/${pid}/task`);
  const names = await Promise.all(tids.map((tid) => readFile(`/proc/${pid}/task/${tid}/comm`, 'utf8').catch(() => '')));
  return names.filter((name) => PLUMBING_THREAD_NAMES.has(name.trim())).length;
}

/** Context switches by thread id, for every thread alive now (threads that ended are gone from /proc). */
export async function readThreadSwitches(pid: number): Promise<Map<number, number>> {
  const switches = new Map<number, number>();
  const tids = await readdir(`/proc/${pid}/task`);
  await Promise.all(
    tids.map(async (tid) => {
      try {
        const count = parseContextSwitches(await readFile(`/proc/${pid}/task/${tid}/status`, 'utf8'));
        if (count !== undefined) switches.set(Number(tid), count);
      } catch {
        // The thread ended between the listing and the read.
      }
    }),
  );
  return switches;
}

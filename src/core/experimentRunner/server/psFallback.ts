/**
 * Where there is no /proc (macOS, the BSDs): CPU time and memory from `ps`, and on macOS the
 * thread count from `ps -M` (one line per thread). Coarser than /proc and a process spawn per
 * sample, but it keeps the figures that matter on a Mac.
 */
import { execFile } from 'node:child_process';

export interface PsSample {
  readonly cpuSeconds: number;
  readonly rssKb: number;
  readonly vszKb: number;
  readonly threads?: number;
}

function run(args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('ps', [...args], { timeout: 2_000 }, (err, stdout) => resolve(err ? undefined : String(stdout)));
  });
}

/** `[[dd-]hh:]mm:ss[.cc]` (ps's TIME column on Linux and macOS) in seconds. */
export function parsePsTime(text: string): number | undefined {
  const m = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$/.exec(text.trim());
  if (!m) return undefined;
  const [, days, hours, minutes, seconds] = m;
  return Number(days ?? 0) * 86_400 + Number(hours ?? 0) * 3_600 + Number(minutes) * 60 + Number(seconds);
}

export async function psSample(pid: number, platform: NodeJS.Platform = process.platform): Promise<PsSample | undefined> {
  const [line, threadLines] = await Promise.all([
    run(['-o', 'rss=,vsz=,time=', '-p', String(pid)]),
    platform === 'darwin' ? run(['-M', '-p', String(pid)]) : Promise.resolve(undefined),
  ]);
  const fields = line?.trim().split(/\s+/);
  if (!fields || fields.length < 3) return undefined;
  const cpuSeconds = parsePsTime(fields[2]);
  if (cpuSeconds === undefined) return undefined;
  const threads = threadLines ? threadLines.trim().split('\n').length - 1 : undefined;
  return { cpuSeconds, rssKb: Number(fields[0]), vszKb: Number(fields[1]), ...(threads ? { threads } : {}) };
}

/**
 * Benchmark results kept as JSON files under the workspace's `.server-models/bench/`, one file per
 * sweep of one stage, named `<start time>-<stage>.json` (a numeric suffix when two runs share a
 * millisecond: a result is never overwritten). Reading never throws past the store: a file that
 * is not JSON, not ours, or from a newer version is skipped and reported by name.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sameWorkload } from './compare';
import { parseRunRecord, RESULT_FORMAT, RESULT_VERSION, type BenchRun, type BenchRunRecord, type StoredRun, type StoreProblem } from './storedRun';

/** Relative to the workspace folder. */
export const BENCH_FOLDER = path.join('.server-models', 'bench');
const EXTENSION = '.json';
/** Results are a few kilobytes; anything this big is not one of ours. */
const MAX_FILE_BYTES = 8 * 1024 * 1024;
const MAX_NAME_ATTEMPTS = 1000;

export interface StoreListing {
  /** Newest first. */
  readonly runs: readonly StoredRun[];
  readonly problems: readonly StoreProblem[];
}

export type ReadResult = { readonly run: StoredRun; readonly problem?: undefined } | { readonly run?: undefined; readonly problem: StoreProblem };

export function benchFolder(workspaceRoot: string): string {
  return path.join(workspaceRoot, BENCH_FOLDER);
}

/** `2025-03-26T17:34:15.783Z` → `20250326T173415783Z`. */
function stamp(date: string): string {
  const d = new Date(date);
  return (Number.isNaN(d.getTime()) ? new Date() : d).toISOString().replace(/[-:.]/g, '');
}

/** A stage id as it is; `host:port` and anything odd made safe for a file name. */
function safeStage(stage: string): string {
  return stage.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80) || 'stage';
}

function byNewest(a: StoredRun, b: StoredRun): number {
  return Date.parse(b.date) - Date.parse(a.date) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

function isErrno(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === code;
}

export class ResultStore {
  constructor(readonly folder: string) {}

  static forWorkspace(workspaceRoot: string): ResultStore {
    return new ResultStore(benchFolder(workspaceRoot));
  }

  /** Writes a new file for the run and returns it as the store will read it back. */
  async write(run: BenchRun): Promise<StoredRun> {
    await mkdir(this.folder, { recursive: true });
    // Field by field: stable key order, and nothing extra (an id or path) slips into the file.
    const { stage, date, tool, environment, build, settings, rows, skipped, complete } = run;
    const record: BenchRunRecord = { format: RESULT_FORMAT, version: RESULT_VERSION, stage, date, tool, environment, build, settings, rows, skipped, complete };
    const text = `${JSON.stringify(record, null, 2)}\n`;
    const base = `${stamp(run.date)}-${safeStage(run.stage)}`;
    for (let n = 1; n <= MAX_NAME_ATTEMPTS; n++) {
      const id = n === 1 ? base : `${base}-${n}`;
      const file = path.join(this.folder, id + EXTENSION);
      try {
        await writeFile(file, text, { flag: 'wx' });
        return { ...record, id, file };
      } catch (err) {
        if (!isErrno(err, 'EEXIST')) throw err;
      }
    }
    throw new Error(`${this.folder}: more than ${MAX_NAME_ATTEMPTS} results named ${base}; not writing another`);
  }

  /**
   * One file, by path (absolute, or relative to the folder) or by id. An id is a bare file name
   * (it may come from a webview), never a way out of the folder.
   */
  async read(fileOrId: string): Promise<ReadResult> {
    const isPath = fileOrId.endsWith(EXTENSION);
    const file = isPath ? path.resolve(this.folder, fileOrId) : path.join(this.folder, fileOrId + EXTENSION);
    if (!isPath && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(fileOrId)) {
      return { problem: { file, message: `"${fileOrId}" is not the id of a benchmark result; skipped.` } };
    }
    const problem = (message: string): ReadResult => ({ problem: { file, message: `${path.basename(file)} ${message}; skipped.` } });
    let text: string;
    try {
      const info = await stat(file);
      if (!info.isFile()) return problem('is not a file');
      if (info.size > MAX_FILE_BYTES) return problem(`is ${info.size} bytes, too large to be a benchmark result`);
      text = await readFile(file, 'utf8');
    } catch (err) {
      return problem(`could not be read (${(err as Error).message})`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      return problem(`is not valid JSON (${(err as Error).message})`);
    }
    const record = parseRunRecord(json);
    if (typeof record === 'string') return problem(record);
    return { run: { ...record, id: path.basename(file, EXTENSION), file } };
  }

  /** Every result in the folder, newest first; files that are not results are reported. */
  async list(): Promise<StoreListing> {
    let names: string[];
    try {
      names = await readdir(this.folder);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return { runs: [], problems: [] };
      return { runs: [], problems: [{ file: this.folder, message: `${this.folder} could not be listed (${(err as Error).message}).` }] };
    }
    // Only *.json: editors' backups and temporary files are not worth a message.
    const reads = await Promise.all(names.filter((n) => n.endsWith(EXTENSION)).map((n) => this.read(path.join(this.folder, n))));
    const runs: StoredRun[] = [];
    const problems: StoreProblem[] = [];
    for (const r of reads) {
      if (r.run) runs.push(r.run);
      else problems.push(r.problem);
    }
    problems.sort((a, b) => a.file.localeCompare(b.file));
    return { runs: runs.sort(byNewest), problems };
  }
}

/**
 * The run of the same stage and workload that came just before `run` (by start time, then name),
 * or undefined. A different workload is not "the previous run": its numbers measure other things.
 */
export function previousRun(runs: readonly StoredRun[], run: StoredRun): StoredRun | undefined {
  return [...runs]
    .sort(byNewest)
    .find((r) => r.id !== run.id && r.stage === run.stage && sameWorkload(r, run) && byNewest(run, r) < 0);
}

/**
 * The newest run of each stage, newest first; with `like`, only runs on its workload, so that
 * they can share one chart.
 */
export function latestPerStage(runs: readonly StoredRun[], like?: BenchRun): StoredRun[] {
  const latest = new Map<string, StoredRun>();
  for (const r of [...runs].sort(byNewest)) {
    if (like && !sameWorkload(r, like)) continue;
    if (!latest.has(r.stage)) latest.set(r.stage, r);
  }
  return [...latest.values()];
}

/**
 * A benchmark run as kept on disk (one JSON file per sweep of one stage), with everything needed
 * to trust a comparison later: the machine, the build, the workload and the tool. The rows are
 * the load generator's own (src/core/bench/result.ts is their source of truth). Pure: the
 * results webview imports these types, and `parseRunRecord` checks what is read back.
 */
import type { BenchMode, BenchRow } from '../bench/result';
import type { SkippedPoint } from './sweepPlan';

export const RESULT_FORMAT = 'server-models.bench';
/** Raise when a change would make older readers misread a file; add optional keys freely. */
export const RESULT_VERSION = 1;

export interface MachineEnvironment {
  /** Logical CPUs, and how many this process may use (affinity, containers). */
  readonly cpuCount: number;
  readonly availableCpus: number;
  readonly cpuModel: string;
  /** os.platform(), os.arch(), os.release() (the kernel), os.version(). */
  readonly platform: string;
  readonly arch: string;
  readonly kernel: string;
  readonly osVersion: string;
  readonly totalMemoryBytes: number;
  /** One-minute load average when the run started: a busy machine measures slow. */
  readonly loadAverage1m: number;
  readonly node: string;
}

/** How the stage was built; the caller knows the make command. */
export interface BuildInfo {
  /** The compiler command and its `--version` first line, e.g. `cc (Debian 12.2.0-14) 12.2.0`. */
  readonly compiler: string;
  readonly flags: string;
  readonly command?: string;
  /** The servers/ folder built from: the shipped copy or a playground the user may have edited. */
  readonly sources?: string;
}

export interface ToolInfo {
  readonly name: string;
  readonly version: string;
}

/** The workload and the sweep as asked for. */
export interface RunSettings {
  readonly mode: BenchMode;
  /** Open loop: messages per second over all connections; closed loop: null. */
  readonly rate: number | null;
  readonly durationS: number;
  readonly payloadBytes: number;
  readonly workEvery: number | null;
  /** The setting `serverModels.benchmark.connections` as it was. */
  readonly requestedConnections: readonly number[];
}

/** What a caller hands to the store. */
export interface BenchRun {
  /** Stage id (or host:port for a server we did not start). */
  readonly stage: string;
  /** ISO 8601, when the sweep started. */
  readonly date: string;
  readonly tool: ToolInfo;
  readonly environment: MachineEnvironment;
  readonly build: BuildInfo;
  readonly settings: RunSettings;
  readonly rows: readonly BenchRow[];
  /** Points the planner left out, with the reasons. */
  readonly skipped: readonly SkippedPoint[];
  /** False when the sweep was cancelled or stopped early: the rows are what finished. */
  readonly complete: boolean;
}

/** The file's content. */
export interface BenchRunRecord extends BenchRun {
  readonly format: typeof RESULT_FORMAT;
  readonly version: number;
}

/** A record read back, with where it came from. */
export interface StoredRun extends BenchRunRecord {
  /** The file name without `.json`: stable, unique in the folder. */
  readonly id: string;
  readonly file: string;
}

/** A file the store skipped, and why. */
export interface StoreProblem {
  readonly file: string;
  /** A whole sentence that starts with the file's name. */
  readonly message: string;
}

type Check = (value: unknown) => boolean;
const isNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isString: Check = (v) => typeof v === 'string';
const isNumberOrNull: Check = (v) => v === null || isNumber(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const ROW_FIELDS: Readonly<Record<string, Check>> = {
  stage: isString,
  connections: isNumber,
  duration_s: isNumber,
  mode: (v) => v === 'open' || v === 'closed',
  rate: isNumberOrNull,
  sent: isNumber,
  received: isNumber,
  throughput_msgs_per_s: isNumber,
  'latency_us.p50': isNumber,
  'latency_us.p90': isNumber,
  'latency_us.p99': isNumber,
  'latency_us.p999': isNumber,
  'latency_us.max': isNumber,
  errors: (v) => isObject(v) && Object.values(v).every(isNumber),
  verified_bytes: isNumber,
};

const RECORD_FIELDS: Readonly<Record<string, Check>> = {
  stage: isString,
  date: (v) => isString(v) && !Number.isNaN(Date.parse(v as string)),
  'tool.name': isString,
  'tool.version': isString,
  'environment.cpuCount': isNumber,
  'environment.cpuModel': isString,
  'environment.platform': isString,
  'environment.arch': isString,
  'environment.kernel': isString,
  'build.compiler': isString,
  'build.flags': isString,
  'settings.mode': (v) => v === 'open' || v === 'closed',
  'settings.rate': isNumberOrNull,
  'settings.durationS': isNumber,
  'settings.payloadBytes': isNumber,
  'settings.workEvery': isNumberOrNull,
  'settings.requestedConnections': (v) => Array.isArray(v) && v.every(isNumber),
  rows: Array.isArray,
  skipped: Array.isArray,
  complete: (v) => typeof v === 'boolean',
};

/** The value at a dotted path (`environment.cpuModel`), or undefined. */
export function fieldAt(value: unknown, path: string): unknown {
  let here = value;
  for (const key of path.split('.')) here = isObject(here) ? here[key] : undefined;
  return here;
}

/** The first field that is missing or of the wrong type, or undefined when all are right. */
function firstBadField(value: unknown, fields: Readonly<Record<string, Check>>): string | undefined {
  return Object.keys(fields).find((path) => !fields[path](fieldAt(value, path)));
}

/**
 * Checks parsed JSON; returns the record, or a sentence saying what is wrong with it (the store
 * puts the file name in front).
 */
export function parseRunRecord(json: unknown): BenchRunRecord | string {
  if (!isObject(json) || json.format !== RESULT_FORMAT) return `is not a Server Models benchmark result (no "format": "${RESULT_FORMAT}")`;
  if (!Number.isInteger(json.version) || (json.version as number) < 1) return 'has no valid format version';
  if ((json.version as number) > RESULT_VERSION) {
    return `was written by a newer Server Models (format version ${String(json.version)}, this one reads up to ${RESULT_VERSION})`;
  }
  const bad = firstBadField(json, RECORD_FIELDS);
  if (bad) return `has a missing or malformed "${bad}"`;
  const rows = json.rows as unknown[];
  for (const [i, row] of rows.entries()) {
    const badRow = firstBadField(row, ROW_FIELDS);
    if (badRow) return `has a malformed row ${i}: "${badRow}" is missing or of the wrong type`;
  }
  return json as unknown as BenchRunRecord;
}

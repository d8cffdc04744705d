/**
 * A run against an earlier run: per connection count and metric, better or worse and by how much,
 * plus every difference of machine, build or workload that makes the comparison less fair. Pure:
 * the host computes it, the results webview draws it.
 */
import type { BenchRow } from '../bench/result';
import { fieldAt, type BenchRun } from './storedRun';

export type Metric = 'throughput' | 'p50' | 'p99' | 'p999' | 'errors';
export const METRICS: readonly Metric[] = ['throughput', 'p50', 'p99', 'p999', 'errors'];

export type Verdict = 'better' | 'worse' | 'same';

export interface MetricChange {
  readonly metric: Metric;
  readonly previous: number;
  readonly current: number;
  /** (current − previous) / previous × 100; null when previous is 0 and current is not. */
  readonly changePct: number | null;
  readonly verdict: Verdict;
}

export interface PointComparison {
  readonly connections: number;
  readonly changes: readonly MetricChange[];
}

/** A field of the setup whose value differs between the two runs. */
export interface SetupDifference {
  readonly field: string;
  readonly previous: string;
  readonly current: string;
}

export interface RunComparison {
  /** Ids (file names) of the two runs, when they came from the store. */
  readonly currentId?: string;
  readonly previousId?: string;
  readonly previousDate: string;
  /** Connection counts measured in both, ascending. */
  readonly points: readonly PointComparison[];
  readonly onlyCurrent: readonly number[];
  readonly onlyPrevious: readonly number[];
  readonly differences: readonly SetupDifference[];
}

/** Changes smaller than this are noise on a shared machine. */
export const DEFAULT_NOISE_PCT = 5;

export function errorTotal(row: BenchRow): number {
  return Object.values(row.errors).reduce((sum, n) => sum + (Number.isFinite(n) ? n : 0), 0);
}

export function metricValue(row: BenchRow, metric: Metric): number {
  switch (metric) {
    case 'throughput':
      return row.throughput_msgs_per_s;
    case 'p50':
    case 'p99':
    case 'p999':
      return row.latency_us[metric];
    case 'errors':
      return errorTotal(row);
  }
}

export function compareMetric(metric: Metric, previous: number, current: number, noisePct = DEFAULT_NOISE_PCT): MetricChange {
  const higherIsBetter = metric === 'throughput';
  const changePct = previous === 0 ? (current === 0 ? 0 : null) : ((current - previous) / previous) * 100;
  // Errors: any change in whether there are errors matters, however small the percentage.
  const noise = metric === 'errors' ? 0 : noisePct;
  let verdict: Verdict = 'same';
  if (current !== previous && (changePct === null || Math.abs(changePct) > noise)) {
    verdict = current > previous === higherIsBetter ? 'better' : 'worse';
  }
  return { metric, previous, current, changePct, verdict };
}

/** What a fair comparison needs to be equal, as dotted paths into the run. */
const SETUP_FIELDS: readonly string[] = [
  'environment.cpuModel',
  'environment.cpuCount',
  'environment.platform',
  'environment.arch',
  'environment.kernel',
  'build.compiler',
  'build.flags',
  'build.sources',
  'settings.mode',
  'settings.rate',
  'settings.payloadBytes',
  'settings.workEvery',
  'settings.durationS',
  'tool.version',
];

export function setupDifferences(previous: BenchRun, current: BenchRun): SetupDifference[] {
  const text = (run: BenchRun, field: string) => {
    const v = fieldAt(run, field);
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
  };
  return SETUP_FIELDS.filter((field) => text(previous, field) !== text(current, field)).map((field) => ({
    field,
    previous: text(previous, field),
    current: text(current, field),
  }));
}

/** Same messages on the wire at the same pace: results can be overlaid on one chart. */
export function sameWorkload(a: BenchRun, b: BenchRun): boolean {
  return (
    a.settings.mode === b.settings.mode &&
    a.settings.rate === b.settings.rate &&
    a.settings.payloadBytes === b.settings.payloadBytes &&
    a.settings.workEvery === b.settings.workEvery
  );
}

export function compareRuns(
  current: BenchRun & { readonly id?: string },
  previous: BenchRun & { readonly id?: string },
  noisePct = DEFAULT_NOISE_PCT,
): RunComparison {
  const before = new Map(previous.rows.map((r) => [r.connections, r]));
  const now = new Map(current.rows.map((r) => [r.connections, r]));
  const shared = [...now.keys()].filter((c) => before.has(c)).sort((a, b) => a - b);
  const points = shared.map((connections) => {
    const a = before.get(connections) as BenchRow;
    const b = now.get(connections) as BenchRow;
    return { connections, changes: METRICS.map((m) => compareMetric(m, metricValue(a, m), metricValue(b, m), noisePct)) };
  });
  const ascending = (xs: Iterable<number>) => [...xs].sort((a, b) => a - b);
  return {
    ...(current.id ? { currentId: current.id } : {}),
    ...(previous.id ? { previousId: previous.id } : {}),
    previousDate: previous.date,
    points,
    onlyCurrent: ascending([...now.keys()].filter((c) => !before.has(c))),
    onlyPrevious: ascending([...before.keys()].filter((c) => !now.has(c))),
    differences: setupDifferences(previous, current),
  };
}

/**
 * What the results panel draws, computed from the host's `show` message without touching the DOM:
 * for each of throughput, latency and errors, a chart (series over connection counts) and the
 * table under it with the same values, plus the comparison with the previous run.
 */
import { ERROR_KINDS, type BenchRow, type ErrorKind } from '../../src/core/bench/result';
import { errorTotal, METRICS, type Metric, type MetricChange, type RunComparison } from '../../src/core/benchmark/compare';
import type { BenchResults, BenchStringKey } from '../../src/core/benchmark/panelProtocol';
import type { StoredRun } from '../../src/core/benchmark/storedRun';

/** Strings and number formats in the host's language. */
export interface Text {
  readonly get: (key: BenchStringKey, ...args: (string | number)[]) => string;
  readonly count: (n: number) => string;
  readonly compact: (n: number) => string;
  readonly latency: (us: number) => string;
  /** Signed (+12%) or, where words say the direction, the size alone (12%). */
  readonly pct: (pct: number, signed?: boolean) => string;
}

export type ValueKind = 'throughput' | 'latency' | 'errors';
export type LineStyle = 'solid' | 'dotted' | 'dashed';

export interface SeriesSpec {
  readonly label: string;
  /** Index into the panel's palette of theme colours; -1 is the muted colour of a previous run. */
  readonly color: number;
  readonly style: LineStyle;
  /** Aligned with the chart's `xs`; null where the run has no such point. */
  readonly values: readonly (number | null)[];
}

export interface ChartSpec {
  readonly id: ValueKind;
  readonly title: string;
  readonly yAxis: string;
  readonly xs: readonly number[];
  readonly series: readonly SeriesSpec[];
}

export interface Cell {
  readonly text: string;
  readonly tone?: 'better' | 'worse' | 'same' | 'missing';
}

export interface TableSpec {
  readonly caption: string;
  /** Header of the first column, whose cells head the rows. */
  readonly corner: string;
  readonly columns: readonly string[];
  readonly rows: readonly { readonly header: string; readonly cells: readonly Cell[] }[];
}

export interface Section {
  readonly chart: ChartSpec;
  readonly table: TableSpec;
}

const ERROR_KEYS: Readonly<Record<ErrorKind, BenchStringKey>> = {
  refused: 'errorRefused',
  reset: 'errorReset',
  closed: 'errorClosed',
  timeout: 'errorTimeout',
  wrong_bytes: 'errorWrongBytes',
  fd_limit: 'errorFdLimit',
  other: 'errorOther',
};

const PERCENTILES = [
  ['p50', 'dotted'],
  ['p99', 'solid'],
  ['p999', 'dashed'],
] as const;

/** Every connection count measured by any of the runs, ascending. */
export function connectionCounts(runs: readonly StoredRun[]): number[] {
  return [...new Set(runs.flatMap((r) => r.rows.map((row) => row.connections)))].sort((a, b) => a - b);
}

function rowAt(run: StoredRun, connections: number): BenchRow | undefined {
  return run.rows.find((r) => r.connections === connections);
}

type Percentile = 'p50' | 'p90' | 'p99' | 'p999' | 'max';

/** A latency of 0 means no reply arrived: nothing to draw (and no place on a log axis). */
function latencyOf(row: BenchRow | undefined, p: Percentile): number | null {
  const v = row?.latency_us[p];
  return v !== undefined && v > 0 ? v : null;
}

function valuesOf(run: StoredRun, xs: readonly number[], value: (row: BenchRow | undefined) => number | null): (number | null)[] {
  return xs.map((x) => value(rowAt(run, x)));
}

const throughputOf = (row: BenchRow | undefined) => (row ? row.throughput_msgs_per_s : null);
const errorsOf = (row: BenchRow | undefined) => (row ? errorTotal(row) : null);

function cell(value: number | null, format: (v: number) => string, t: Text): Cell {
  return value === null ? { text: t.get('notMeasured'), tone: 'missing' } : { text: format(value) };
}

/** A point that did not run says so; one that ran without a single reply has no latency: a dash. */
function latencyCell(row: BenchRow | undefined, p: Percentile, t: Text): Cell {
  return row ? { text: row.latency_us[p] > 0 ? t.latency(row.latency_us[p]) : '\u2014' } : cell(null, t.latency, t);
}

/** `better by 9.8%`, `worse by 12%`, `about the same (+1.2%)`, `from 0 to 42`. */
export function changeText(change: MetricChange, t: Text): string {
  if (change.changePct === null) return t.get('fromZero', change.metric === 'errors' ? t.count(change.current) : String(change.current));
  return t.get(change.verdict, t.pct(change.changePct, change.verdict === 'same'));
}

/** The runs of the `stage` view as drawn: the focus, the previous run, then the overlays. */
interface ShownRun {
  readonly run: StoredRun;
  readonly label: string;
  readonly color: number;
}

function shownRuns(results: BenchResults, t: Text): ShownRun[] {
  const [focus, ...overlays] = results.runs;
  if (!focus) return [];
  return [
    { run: focus, label: focus.stage, color: 0 },
    ...(results.previous ? [{ run: results.previous, label: t.get('seriesPrevious', results.previous.stage), color: -1 }] : []),
    ...overlays.map((run, i) => ({ run, label: run.stage, color: i + 1 })),
  ];
}

/** The `stage` view: one run in focus, its previous run and other stages overlaid. */
export function stageSections(results: BenchResults, comparison: RunComparison | undefined, t: Text): Section[] {
  const shown = shownRuns(results, t);
  if (shown.length === 0) return [];
  const focus = shown[0];
  const others = shown.slice(1);
  const xs = connectionCounts(shown.map((s) => s.run));
  const previousId = results.previous?.id;
  const throughputChange = (x: number): Cell => {
    const change = comparison?.points.find((p) => p.connections === x)?.changes.find((c) => c.metric === 'throughput');
    return change ? { text: changeText(change, t), tone: change.verdict } : { text: '', tone: 'missing' };
  };

  const throughput: Section = {
    chart: {
      id: 'throughput',
      title: t.get('throughputTitle'),
      yAxis: t.get('throughputAxis'),
      xs,
      series: shown.map((s) => ({ label: s.label, color: s.color, style: s.color === -1 ? 'dashed' : 'solid', values: valuesOf(s.run, xs, throughputOf) })),
    },
    table: {
      caption: t.get('throughputTable'),
      corner: t.get('connections'),
      columns: shown.flatMap((s) => (s.run.id === previousId && comparison ? [s.label, t.get('change')] : [s.label])),
      rows: xs.map((x) => ({
        header: t.count(x),
        cells: shown.flatMap((s) => {
          const value = cell(throughputOf(rowAt(s.run, x)), t.count, t);
          return s.run.id === previousId && comparison ? [value, throughputChange(x)] : [value];
        }),
      })),
    },
  };

  const latencyColumns = ['p50', 'p90', 'p99', 'p999', 'max'] as const;
  const latency: Section = {
    chart: {
      id: 'latency',
      title: t.get('latencyTitle'),
      yAxis: t.get('latencyAxis'),
      xs,
      series: [
        ...PERCENTILES.map(([p, style]) => ({ label: `${focus.label} ${t.get(p)}`, color: focus.color, style, values: valuesOf(focus.run, xs, (r) => latencyOf(r, p)) })),
        ...others.map((s) => ({ label: `${s.label} ${t.get('p99')}`, color: s.color, style: 'solid' as const, values: valuesOf(s.run, xs, (r) => latencyOf(r, 'p99')) })),
      ],
    },
    table: {
      caption: t.get('latencyTable'),
      corner: t.get('connections'),
      columns: [...latencyColumns.map((p) => `${focus.label} ${t.get(p)}`), ...others.map((s) => `${s.label} ${t.get('p99')}`)],
      rows: xs.map((x) => ({
        header: t.count(x),
        cells: [...latencyColumns.map((p) => latencyCell(rowAt(focus.run, x), p, t)), ...others.map((s) => latencyCell(rowAt(s.run, x), 'p99', t))],
      })),
    },
  };

  const errors: Section = {
    chart: {
      id: 'errors',
      title: t.get('errorsTitle'),
      yAxis: t.get('errorsAxis'),
      xs,
      series: shown.map((s) => ({ label: s.label, color: s.color, style: s.color === -1 ? 'dashed' : 'solid', values: valuesOf(s.run, xs, errorsOf) })),
    },
    table: {
      caption: t.get('errorsTable'),
      corner: t.get('connections'),
      columns: [
        `${focus.label} ${t.get('errorsTotal')}`,
        ...ERROR_KINDS.map((k) => t.get(ERROR_KEYS[k])),
        ...others.map((s) => `${s.label} ${t.get('errorsTotal')}`),
      ],
      rows: xs.map((x) => {
        const row = rowAt(focus.run, x);
        return {
          header: t.count(x),
          cells: [
            cell(errorsOf(row), t.count, t),
            ...ERROR_KINDS.map((k) => cell(row ? (row.errors[k] ?? 0) : null, t.count, t)),
            ...others.map((s) => cell(errorsOf(rowAt(s.run, x)), t.count, t)),
          ],
        };
      }),
    },
  };
  return [throughput, latency, errors];
}

/** The `compareAll` view: one series per stage, tables with a row per stage. */
export function compareAllSections(results: BenchResults, t: Text, paletteSize: number): Section[] {
  const runs = results.runs;
  if (runs.length === 0) return [];
  const xs = connectionCounts(runs);
  const section = (
    id: ValueKind,
    titleKey: BenchStringKey,
    axisKey: BenchStringKey,
    captionKey: BenchStringKey,
    value: (row: BenchRow | undefined) => number | null,
    format: (v: number) => string,
  ): Section => ({
    chart: {
      id,
      title: t.get(titleKey),
      yAxis: t.get(axisKey),
      xs,
      // Past the palette, colours repeat: the dash tells those stages apart.
      series: runs.map((run, i) => ({ label: run.stage, color: i, style: i < paletteSize ? 'solid' : 'dashed', values: valuesOf(run, xs, value) })),
    },
    table: {
      caption: t.get(captionKey),
      corner: t.get('stage'),
      columns: xs.map((x) => t.count(x)),
      rows: runs.map((run) => ({ header: run.stage, cells: xs.map((x) => cell(value(rowAt(run, x)), format, t)) })),
    },
  });
  return [
    section('throughput', 'throughputTitle', 'throughputAxis', 'scalingThroughputTable', throughputOf, t.count),
    section('latency', 'latencyCompareTitle', 'latencyAxis', 'scalingLatencyTable', (r) => latencyOf(r, 'p99'), t.latency),
    section('errors', 'errorsTitle', 'errorsAxis', 'scalingErrorsTable', errorsOf, t.count),
  ];
}

function metricLabel(metric: Metric, t: Text): string {
  return metric === 'throughput' ? t.get('metricThroughput') : metric === 'errors' ? t.get('metricErrors') : t.get(metric);
}

function metricFormat(metric: Metric, t: Text): (v: number) => string {
  return metric === 'throughput' ? t.compact : metric === 'errors' ? t.count : t.latency;
}

/** The run against its previous run: `45k ← 41k, better by 9.8%` per point and metric. */
export function comparisonTable(comparison: RunComparison, t: Text): TableSpec {
  return {
    caption: t.get('comparisonTable'),
    corner: t.get('connections'),
    columns: METRICS.map((m) => metricLabel(m, t)),
    rows: comparison.points.map((p) => ({
      header: t.count(p.connections),
      cells: METRICS.map((m) => {
        const change = p.changes.find((c) => c.metric === m);
        if (!change) return { text: t.get('notMeasured'), tone: 'missing' as const };
        const format = metricFormat(m, t);
        return { text: `${format(change.previous)} → ${format(change.current)}: ${changeText(change, t)}`, tone: change.verdict };
      }),
    })),
  };
}

/**
 * How benchmark results read: a table for people, one JSON object (or `{ "rows": [...] }` for a
 * sweep) for programs, and the once-a-second progress line.
 */
import type { BenchProgress } from './benchOptions';
import { totalErrors, ERROR_KINDS, type BenchRow } from './result';

/** 66 µs, 1.23 ms, 4.5 s: three significant digits, in the unit that keeps them readable. */
export function formatMicros(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${trim(us / 1000)} ms`;
  return `${trim(us / 1_000_000)} s`;
}

function trim(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function errorSummary(row: BenchRow): string {
  const parts = ERROR_KINDS.filter((k) => row.errors[k] > 0).map((k) => `${k} ${formatCount(row.errors[k])}`);
  return parts.length ? parts.join(', ') : '0';
}

const COLUMNS: readonly { readonly title: string; readonly cell: (row: BenchRow) => string; readonly left?: boolean }[] = [
  { title: 'stage', cell: (r) => r.stage, left: true },
  { title: 'conns', cell: (r) => formatCount(r.connections) },
  { title: 'mode', cell: (r) => (r.mode === 'open' ? `open ${formatCount(r.rate ?? 0)}/s` : 'closed'), left: true },
  { title: 'msg/s', cell: (r) => formatCount(r.throughput_msgs_per_s) },
  { title: 'p50', cell: (r) => formatMicros(r.latency_us.p50) },
  { title: 'p90', cell: (r) => formatMicros(r.latency_us.p90) },
  { title: 'p99', cell: (r) => formatMicros(r.latency_us.p99) },
  { title: 'p99.9', cell: (r) => formatMicros(r.latency_us.p999) },
  { title: 'max', cell: (r) => formatMicros(r.latency_us.max) },
  { title: 'sent', cell: (r) => formatCount(r.sent) },
  { title: 'received', cell: (r) => formatCount(r.received) },
  { title: 'verified', cell: (r) => (r.verified_bytes === r.expected_bytes ? `${formatCount(r.verified_bytes)} B` : `${formatCount(r.verified_bytes)}/${formatCount(r.expected_bytes)} B`) },
  { title: 'errors', cell: errorSummary, left: true },
];

/** A plain-text table, one line per row, columns aligned; first errors listed under it. */
export function formatTable(rows: readonly BenchRow[]): string {
  const cells = [COLUMNS.map((c) => c.title), ...rows.map((r) => COLUMNS.map((c) => c.cell(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  const lines = cells.map((line) =>
    line.map((cell, i) => (COLUMNS[i].left ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) {
    if (totalErrors(r.errors) > 0 && r.first_error) lines.push(`${r.stage} @ ${formatCount(r.connections)}: first error: ${r.first_error}`);
  }
  return lines.join('\n');
}

/** One point: the row itself; a sweep: `{ "rows": [...] }`. Pretty-printed, stable key order. */
export function formatJson(rows: readonly BenchRow[], sweep: boolean): string {
  return JSON.stringify(sweep ? { rows } : rows[0], null, 2);
}

export function formatProgress(p: BenchProgress): string {
  const head = p.phase === 'measuring' ? `${p.elapsedS.toFixed(0)} s` : p.phase;
  return (
    `[${head}] ${formatCount(p.connections)} conns · ${formatCount(p.recentThroughput)} msg/s · ` +
    `sent ${formatCount(p.sent)} · received ${formatCount(p.received)} · in flight ${formatCount(p.outstanding)} · errors ${formatCount(p.errors)}`
  );
}

/**
 * The figure the CodeLens shows after a run, e.g. `41k msg/s @100 · p99 3.1 ms`.
 *
 * It describes one point: the one with the best throughput (the smaller connection count on a
 * tie), with that same point's p99. The best point is what "how fast is this model" means, and
 * it exists for every model, while "the largest count" would show a serial stage at its worst
 * and a sweep cut short at whatever point it reached. The connection count says which point it is.
 */
import type { BenchRow } from '../bench/result';
import { formatCompactCount, formatCount, formatLatencyUs } from './numberFormat';

export interface BenchSummary {
  readonly text: string;
  /** The point the text describes. */
  readonly row: BenchRow;
}

/** The row the summary describes, or undefined when no point delivered a single reply. */
export function headlineRow(rows: readonly BenchRow[]): BenchRow | undefined {
  let best: BenchRow | undefined;
  for (const row of rows) {
    if (!(row.throughput_msgs_per_s > 0)) continue;
    if (
      !best ||
      row.throughput_msgs_per_s > best.throughput_msgs_per_s ||
      (row.throughput_msgs_per_s === best.throughput_msgs_per_s && row.connections < best.connections)
    ) {
      best = row;
    }
  }
  return best;
}

/** `locale` picks digits and separators (VS Code's display language); the words are units. */
export function benchSummary(rows: readonly BenchRow[], locale = 'en'): BenchSummary | undefined {
  const row = headlineRow(rows);
  if (!row) return undefined;
  const text =
    `${formatCompactCount(row.throughput_msgs_per_s, locale)} msg/s @${formatCount(row.connections, locale)}` +
    ` · p99 ${formatLatencyUs(row.latency_us.p99, locale)}`;
  return { text, row };
}

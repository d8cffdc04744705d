/**
 * A sweep: the same workload at several connection counts, one point after the other, each
 * reported as soon as it finishes (the extension's progress notification and chart fill in point
 * by point). Cancelling through the signal ends the running point and skips the rest.
 */
import type { BenchPointOptions } from './benchOptions';
import type { BenchRow } from './result';
import { abortError, runPoint } from './runPoint';

export interface SweepOptions extends Omit<BenchPointOptions, 'connections'> {
  readonly connections: readonly number[];
  /** Called with each finished point, in order. */
  readonly onPoint?: (row: BenchRow, index: number) => void;
  /** Called before each point starts. */
  readonly onPointStart?: (connections: number, index: number) => void;
  /** After each point: false ends the sweep there (e.g. the server died). */
  readonly continueAfter?: (row: BenchRow) => boolean | Promise<boolean>;
}

export async function runSweep(options: SweepOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [index, connections] of options.connections.entries()) {
    if (options.signal?.aborted) throw abortError();
    options.onPointStart?.(connections, index);
    const row = await runPoint({ ...options, connections });
    rows.push(row);
    options.onPoint?.(row, index);
    if (options.continueAfter && !(await options.continueAfter(row))) break;
  }
  return rows;
}

/**
 * Whether a benchmark point measured a live stage. When a stage dies under load its sockets close
 * at once, but its parent hears of the exit a little later (on Linux about 20 ms with ten
 * connections and 150 ms with a thousand to tear down): a point can end, its connections closed
 * by the dying server, before the exit is known, and the next point can even start against a
 * port nobody listens on. So a point whose connections the server dropped waits a moment for the
 * exit to show before it is kept; a point without any is judged at once.
 */
import type { BenchRow } from '../bench/result';

/** The stage process as the guard sees it (StageProcess has both). */
export interface WatchedStage {
  readonly hasExited: boolean;
  whenExited(): Promise<void>;
}

/** How long a point whose connections were dropped waits for the stage's exit to show. */
export const EXIT_GRACE_MS = 1000;

/** Whether the server closed, reset or refused any of the point's connections. */
export function serverDroppedConnections(row: Pick<BenchRow, 'errors'>): boolean {
  return row.errors.closed + row.errors.reset + row.errors.refused > 0;
}

/** Whether the stage has exited, waiting up to `graceMs` for an exit under way to be heard. */
export async function stageExitShows(stage: WatchedStage, graceMs = EXIT_GRACE_MS): Promise<boolean> {
  if (stage.hasExited) return true;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([stage.whenExited(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
  clearTimeout(timer);
  return stage.hasExited;
}

/** Whether the point's row is a measurement of a stage that was alive until the point's end. */
export async function stageOutlivedPoint(row: Pick<BenchRow, 'errors'>, stage: WatchedStage, graceMs = EXIT_GRACE_MS): Promise<boolean> {
  if (stage.hasExited) return false;
  if (!serverDroppedConnections(row)) return true;
  return !(await stageExitShows(stage, graceMs));
}

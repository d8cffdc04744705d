/**
 * Figures only the stage itself knows, read from the log lines it prints (servers/*\/main.c):
 * 04's once-a-second empty-poll count, 08's timer lateness, and 09's green threads alive (one per
 * client being served, plus the accept loop's own). These lines are silenced by --quiet, so a run
 * that needs them keeps the log on (see runOnce.ts).
 */
import { type Metric } from '../experiments';

/** The metrics that are read from the log. */
export const LOG_METRICS: ReadonlySet<Metric> = new Set<Metric>(['empty-polls', 'timer-late-max', 'green-threads-peak']);

/** 04: "empty polls: 812 in the last second, 9031 in all (501 clients)": the last "in all". */
export function emptyPolls(lines: readonly string[]): number | undefined {
  let last: number | undefined;
  for (const line of lines) {
    const m = /^empty polls: \d+ in the last second, (\d+) in all/.exec(line);
    if (m) last = Number(m[1]);
  }
  return last;
}

/** 08: "timer fired 953 ms late": the worst, in ms. */
export function timerLateMax(lines: readonly string[]): number | undefined {
  let worst: number | undefined;
  for (const line of lines) {
    const m = /^timer fired (-?\d+) ms late/.exec(line);
    if (m) worst = Math.max(worst ?? -Infinity, Number(m[1]));
  }
  return worst;
}

/**
 * 09: green threads alive at once. "g<id> serves peer <name> on carrier <n>" starts one, "peer
 * <name> done" ends it; the accept loop is a green thread for the whole run.
 */
export function greenThreadsPeak(lines: readonly string[]): number | undefined {
  let alive = 0;
  let peak = 0;
  let seen = false;
  for (const line of lines) {
    if (/^g\d+ serves peer /.test(line)) {
      seen = true;
      peak = Math.max(peak, ++alive);
    } else if (/^peer \S+ done$/.test(line)) {
      alive = Math.max(0, alive - 1);
    }
  }
  return seen ? peak + 1 : undefined;
}

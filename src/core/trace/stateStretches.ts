/**
 * What one lane was doing over a stretch of time, as the innermost state of its nested spans
 * (a callback inside the loop's wait is the callback, not the wait). Plain TypeScript: the model's
 * spans in, stretches out.
 */
import type { Lane } from './lane';
import type { LaneStateId } from './states';

export interface StateStretch {
  readonly startNs: number;
  readonly endNs: number;
  /** The innermost open span's state; undefined where the lane has no span (not alive). */
  readonly state: LaneStateId | undefined;
}

interface Span {
  readonly start: number;
  readonly end: number;
  readonly state: LaneStateId;
}

/** The lane's innermost states from `fromNs` to `toNs`, in order, adjacent equal states merged. */
export function innermostStates(lane: Lane, fromNs: number, toNs: number): StateStretch[] {
  if (!(toNs > fromNs)) return [];
  // Per depth, the spans that overlap [from, to): they never overlap each other at one depth.
  const byDepth: Span[][] = lane.levels.map((level) => {
    const spans: Span[] = [];
    for (let i = level.firstEndingAfter(fromNs); i < level.length; i++) {
      const start = level.start.get(i);
      if (start >= toNs) break;
      // An open span lasts as far as anyone asks.
      const end = level.isOpen(i) ? Infinity : level.end.get(i);
      if (end > start && end > fromNs) spans.push({ start, end, state: level.state.get(i) as LaneStateId });
    }
    return spans;
  });
  const cuts = new Set<number>([fromNs, toNs]);
  for (const spans of byDepth) {
    for (const span of spans) {
      if (span.start > fromNs && span.start < toNs) cuts.add(span.start);
      if (span.end > fromNs && span.end < toNs) cuts.add(span.end);
    }
  }
  const points = [...cuts].sort((a, b) => a - b);
  const next = byDepth.map(() => 0);
  const out: StateStretch[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const startNs = points[i];
    const endNs = points[i + 1];
    // No span begins or ends strictly inside [startNs, endNs): its start decides for all of it.
    let state: LaneStateId | undefined;
    for (let depth = byDepth.length - 1; depth >= 0 && state === undefined; depth--) {
      const spans = byDepth[depth];
      while (next[depth] < spans.length && spans[next[depth]].end <= startNs) next[depth]++;
      const span = spans[next[depth]];
      if (span && span.start <= startNs) state = span.state;
    }
    const last = out[out.length - 1];
    if (last && last.state === state) out[out.length - 1] = { ...last, endNs };
    else out.push({ startNs, endNs, state });
  }
  return out;
}

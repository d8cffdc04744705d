/**
 * The slices of one lane at one nesting depth, in columns. Depth 0 is the lane's life (running,
 * or a client's state); depth 1 a wait or callback inside it; and so on. Spans at one depth never
 * overlap and are stored in time order, so the panel finds what is visible by binary search.
 *
 * Order of events is (time, arrival): two events at the same nanosecond keep the order in which
 * they arrived. A span covers the keys [begin, end); an open span (end event not seen yet) has
 * end = NaN and endEvent = NO_EVENT.
 */
import { F64Column, keyUpperBound, U32Column, U8Column, upperBound } from './columns';
import type { LaneStateId } from './states';

export const NO_EVENT = 0xffffffff;

/** True when event key (t1, a1) is at or before (t2, a2). */
export function keyAtOrBefore(t1: number, a1: number, t2: number, a2: number): boolean {
  return t1 < t2 || (t1 === t2 && a1 <= a2);
}

export class SpanLevel {
  readonly start = new F64Column();
  readonly end = new F64Column();
  readonly state = new U8Column();
  /** The state's number: fds watched for select / epoll_wait / kevent, green id, bytes ... */
  readonly value = new F64Column();
  /** Arrival index of the event that opened the span (its source line, its detail). */
  readonly beginEvent = new U32Column();
  readonly endEvent = new U32Column();

  get length(): number {
    return this.start.length;
  }

  open(time: number, event: number, state: LaneStateId, value: number): number {
    this.start.push(time);
    this.end.push(NaN);
    this.state.push(state);
    this.value.push(value);
    this.beginEvent.push(event);
    return this.endEvent.push(NO_EVENT);
  }

  close(index: number, time: number, event: number): void {
    this.end.set(index, time);
    this.endEvent.set(index, event);
  }

  isOpen(index: number): boolean {
    return this.endEvent.get(index) === NO_EVENT;
  }

  /** The span that covers the event key (time, event), or -1. */
  find(time: number, event: number): number {
    const starts = this.start.data;
    const begins = this.beginEvent.data;
    const i = keyUpperBound(this.length, (k) => starts[k], (k) => begins[k], time, event) - 1;
    if (i < 0) return -1;
    if (this.isOpen(i)) return i;
    return keyAtOrBefore(this.end.get(i), this.endEvent.get(i), time, event) ? -1 : i;
  }

  /** Index of the first span that ends after `time` (or is open): where drawing starts. */
  firstEndingAfter(time: number): number {
    // Spans do not overlap: only the one starting last at or before `time` can still cover it.
    const i = upperBound(this.start.data, this.length, time) - 1;
    if (i >= 0 && (this.isOpen(i) || this.end.get(i) > time)) return i;
    return i + 1;
  }

  clear(): void {
    for (const column of [this.start, this.end, this.state, this.value, this.beginEvent, this.endEvent]) {
      column.length = 0;
    }
  }
}

/**
 * The lesson counters as step functions of time: threads alive, empty polls, fds watched per
 * select / epoll_wait call, connections, work waiting for the pool, events dropped. Each is a
 * series of points sorted by event key (time, arrival); an event that arrives late (another
 * thread flushed its buffer first) is inserted where it belongs.
 */
import { F64Column, keyUpperBound, U32Column } from './columns';
import { keyAtOrBefore } from './spans';

export const COUNTER_NAMES = ['threads', 'emptyPolls', 'fdsWatched', 'connections', 'queuedWork', 'dropped'] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];

export class CounterSeries {
  readonly time = new F64Column();
  readonly event = new U32Column();
  /** The counter's value from this point on. */
  readonly value = new F64Column();
  /** For a sum: each point's own contribution; its value is the running total. */
  private readonly delta = new F64Column();

  /** `absolute`: each point states the value; `sum`: each point adds to the total. */
  constructor(readonly mode: 'absolute' | 'sum') {}

  get length(): number {
    return this.time.length;
  }

  add(time: number, event: number, amount: number): void {
    let at = this.length;
    while (at > 0 && !keyAtOrBefore(this.time.get(at - 1), this.event.get(at - 1), time, event)) at--;
    this.time.insert(at, time);
    this.event.insert(at, event);
    this.delta.insert(at, amount);
    this.value.insert(at, amount);
    if (this.mode === 'sum') {
      for (let i = at; i < this.length; i++) {
        this.value.set(i, (i > 0 ? this.value.get(i - 1) : 0) + this.delta.get(i));
      }
    }
  }

  /** The value after every point at or before the key, or undefined before the first point. */
  at(time: number, event: number): number | undefined {
    const times = this.time.data;
    const events = this.event.data;
    const after = keyUpperBound(this.length, (i) => times[i], (i) => events[i], time, event);
    return after === 0 ? undefined : this.value.get(after - 1);
  }

  /** The latest value (what a live view shows), or undefined if none yet. */
  current(): number | undefined {
    return this.length === 0 ? undefined : this.value.last();
  }
}

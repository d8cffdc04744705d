/**
 * The span rules of lane.ts applied one event at a time while keeping only the spans still
 * open: for a reader that cannot keep every event (the streaming Chrome export). A closed span
 * is handed out at once and forgotten.
 *
 * The rules are Lane's: a thread's (Lane.applyThread) over the same tables, a flat lane's
 * lane.ts nextFlatState itself. Events must come in the lane's (time, arrival) order, which Lane
 * restores by replaying and a streaming reader by sorting (green threads) or by refusing records
 * that go back in time (every other lane). test/unit/chrome-export.test.ts holds the two exports
 * to the same output.
 */
import { Kind } from './format';
import { MAX_DEPTH, nextFlatState, STATE_OF_BEGIN, STATE_OF_END } from './lane';
import { LaneKind, LaneState, type LaneKindId, type LaneStateId } from './states';

/** The fields of an event that spans are made of. */
export interface SpanEvent {
  /** ns on the model's axis. */
  readonly time: number;
  readonly kind: number;
  readonly fd: number;
  readonly value: number;
  /** The model's file index and line of the event's call site. */
  readonly file: number;
  readonly line: number;
}

export interface OpenSpan {
  readonly start: number;
  readonly state: LaneStateId;
  /** The span's number: fds watched, green thread id, ... (0 for a thread's life). */
  readonly value: number;
  /** fd and call site of the event that opened it. */
  readonly fd: number;
  readonly file: number;
  readonly line: number;
}

/** A span closed at `end`; `depth` 0 is the lane's life (or a flat lane's state). */
export type SpanClosed = (depth: number, span: OpenSpan, end: number) => void;

export interface SpanMachine {
  apply(event: SpanEvent, closed: SpanClosed): void;
  /** The spans still open, outermost first. */
  readonly open: readonly OpenSpan[];
}

function spanOf(event: SpanEvent, state: LaneStateId, value: number): OpenSpan {
  return { start: event.time, state, value, fd: event.fd, file: event.file, line: event.line };
}

abstract class Machine implements SpanMachine {
  protected stack: OpenSpan[] = [];

  get open(): readonly OpenSpan[] {
    return this.stack;
  }

  abstract apply(event: SpanEvent, closed: SpanClosed): void;

  protected closeFrom(depth: number, time: number, closed: SpanClosed): void {
    for (let d = this.stack.length - 1; d >= depth; d--) closed(d, this.stack[d], time);
    this.stack.length = depth;
  }
}

/** An OS thread: its life at depth 0, waits, callbacks and work nested inside (Lane.applyThread). */
class ThreadMachine extends Machine {
  apply(event: SpanEvent, closed: SpanClosed): void {
    const kind = event.kind;
    if (kind === Kind.THREAD_EXITED) {
      if (this.stack.length > 0) this.closeFrom(0, event.time, closed);
      return;
    }
    const begins = STATE_OF_BEGIN.get(kind);
    const ends = STATE_OF_END.get(kind);
    if (kind !== Kind.THREAD_STARTED && begins === undefined && ends === undefined) return;
    if (this.stack.length === 0) this.stack.push(spanOf(event, LaneState.running, 0));
    if (begins !== undefined) {
      if (this.stack.length < MAX_DEPTH) this.stack.push(spanOf(event, begins, event.value));
    } else if (ends !== undefined) {
      for (let depth = this.stack.length - 1; depth >= 1; depth--) {
        if (this.stack[depth].state === ends) {
          this.closeFrom(depth, event.time, closed);
          break;
        }
      }
    }
  }
}

/** A client connection or a green thread: each state replaces the one before (Lane.setFlat). */
class FlatMachine extends Machine {
  constructor(private readonly base: LaneKindId) {
    super();
  }

  apply(event: SpanEvent, closed: SpanClosed): void {
    // With nothing open the lane is gone (or done: the rules do not tell the two apart).
    const current = this.stack.length > 0 ? this.stack[this.stack.length - 1].state : LaneState.gone;
    const state = nextFlatState(this.base, event.kind, current);
    if (state === undefined) return;
    if (this.stack.length > 0) this.closeFrom(0, event.time, closed);
    if (state !== LaneState.done && state !== LaneState.gone) this.stack.push(spanOf(event, state, event.value));
  }
}

/** The machine for a lane of this base kind (thread, client or green). */
export function spanMachine(base: LaneKindId): SpanMachine {
  return base === LaneKind.client || base === LaneKind.green ? new FlatMachine(base) : new ThreadMachine();
}

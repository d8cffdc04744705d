/**
 * The span rules of lane.ts applied one event at a time while keeping only the spans still
 * open: for a reader that cannot keep every event (the streaming Chrome export). A closed span
 * is handed out at once and forgotten.
 *
 * The rules are Lane's (applyThread, applyClient, applyGreen) over the same tables; events must
 * come in the lane's (time, arrival) order, which Lane restores by replaying and a streaming
 * reader by sorting (green threads) or by refusing records that go back in time (every other
 * lane). test/unit/chrome-export.test.ts holds the two exports to the same output.
 */
import { Kind } from './format';
import { CLIENT_STATE_AFTER, MAX_DEPTH, STATE_OF_BEGIN, STATE_OF_END } from './lane';
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

  /** The innermost open span's state; gone when none is open (what Lane.currentState compares). */
  protected current(): LaneStateId {
    return this.stack.length > 0 ? this.stack[this.stack.length - 1].state : LaneState.gone;
  }

  /** A flat lane's next state: it replaces the one before (Lane.setFlat). */
  protected setFlat(event: SpanEvent, state: LaneStateId, closed: SpanClosed): void {
    if (this.stack.length > 0) this.closeFrom(0, event.time, closed);
    if (state === LaneState.done || state === LaneState.gone) return;
    this.stack.push(spanOf(event, state, event.value));
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

/** A client connection (Lane.applyClient). */
class ClientMachine extends Machine {
  apply(event: SpanEvent, closed: SpanClosed): void {
    const state = CLIENT_STATE_AFTER.get(event.kind);
    if (state !== undefined && !(state === LaneState.queued && this.current() === LaneState.queued)) this.setFlat(event, state, closed);
  }
}

/** A green thread (Lane.applyGreen). */
class GreenMachine extends Machine {
  apply(event: SpanEvent, closed: SpanClosed): void {
    const state = this.current();
    switch (event.kind) {
      case Kind.GREEN_STARTED:
        this.setFlat(event, LaneState.runnable, closed);
        break;
      case Kind.GREEN_MOUNTED:
        this.setFlat(event, LaneState.running, closed);
        break;
      case Kind.GREEN_PARKED:
        this.setFlat(event, LaneState.parked, closed);
        break;
      case Kind.GREEN_UNMOUNTED:
        if (state !== LaneState.parked) this.setFlat(event, LaneState.runnable, closed);
        break;
      case Kind.GREEN_RESUMED:
        if (state === LaneState.parked || state === LaneState.gone) this.setFlat(event, LaneState.runnable, closed);
        break;
      case Kind.GREEN_EXITED:
        this.setFlat(event, LaneState.gone, closed);
        break;
    }
  }
}

/** The machine for a lane of this base kind (thread, client or green). */
export function spanMachine(base: LaneKindId): SpanMachine {
  if (base === LaneKind.client) return new ClientMachine();
  if (base === LaneKind.green) return new GreenMachine();
  return new ThreadMachine();
}

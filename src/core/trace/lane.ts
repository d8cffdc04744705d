/**
 * One lane of the picture and the state machine that turns its events into spans.
 *
 * OS thread lanes nest: the thread's life is depth 0 (running), a wait or a callback opens a
 * span one level deeper and its *_END closes it. Client and green-thread lanes are flat: each
 * event replaces the state (queued -> connected -> awaiting reply ...).
 *
 * A lane's spans are a function of its events in (time, arrival) order. Events of one OS thread
 * arrive in order, but a green thread's events come from whichever carrier ran it, and carriers
 * flush their buffers independently; an event older than the lane's last one therefore makes the
 * lane replay its events from the start, so live and whole-file views agree.
 */
import { F64Column, keyUpperBound, U32Column } from './columns';
import type { EventTable } from './events';
import { END_OF_BEGIN, Kind } from './format';
import { SpanLevel, keyAtOrBefore } from './spans';
import { LaneKind, LaneState, type LaneKindId, type LaneStateId } from './states';

/** Deeper nesting than this is garbage (begins without ends); further begins are ignored. */
export const MAX_DEPTH = 16;

/** Events that open a span on an OS thread lane, and the state of that span. */
export const STATE_OF_BEGIN = new Map<number, LaneStateId>([
  [Kind.ACCEPT_BEGIN, LaneState.waitAccept],
  [Kind.RECV_BEGIN, LaneState.waitRecv],
  [Kind.SEND_BEGIN, LaneState.waitSend],
  [Kind.SELECT_BEGIN, LaneState.waitSelect],
  [Kind.EPOLL_WAIT_BEGIN, LaneState.waitEpoll],
  [Kind.KEVENT_BEGIN, LaneState.waitKevent],
  [Kind.SLEEP_BEGIN, LaneState.sleepPoll],
  [Kind.LOOP_WAIT_BEGIN, LaneState.waitLoop],
  [Kind.CALLBACK_BEGIN, LaneState.callback],
  [Kind.WORK_STARTED, LaneState.work],
  [Kind.GREEN_MOUNTED, LaneState.mounted],
]);

/** Events that close a span, and the state of the span they close. */
export const STATE_OF_END = new Map<number, LaneStateId>([
  ...[...END_OF_BEGIN].map(([begin, end]): [number, LaneStateId] => [end, STATE_OF_BEGIN.get(begin)!]),
  [Kind.WORK_DONE, LaneState.work],
  [Kind.GREEN_UNMOUNTED, LaneState.mounted],
]);

/** Waits on sockets: a lane that has them is a server thread, not a pool thread. */
const IO_WAITS = new Set<number>([
  Kind.ACCEPT_BEGIN,
  Kind.RECV_BEGIN,
  Kind.SEND_BEGIN,
  Kind.SELECT_BEGIN,
  Kind.EPOLL_WAIT_BEGIN,
  Kind.KEVENT_BEGIN,
  Kind.LOOP_WAIT_BEGIN,
]);

/** Events drawn as marks on their lane. */
export const INSTANT_KINDS: ReadonlySet<number> = new Set<number>([
  Kind.READY_FD,
  Kind.EAGAIN,
  Kind.CONN_ACCEPTED,
  Kind.CONN_CLOSED,
  Kind.TIMER_FIRED,
  Kind.WORK_SUBMITTED,
  Kind.DROPPED,
  Kind.GREEN_STARTED,
  Kind.GREEN_PARKED,
  Kind.GREEN_RESUMED,
  Kind.GREEN_EXITED,
  Kind.CLIENT_SEND,
  Kind.CLIENT_RECEIVE,
]);

/** A client connection's state after each of its events. */
const CLIENT_STATE_AFTER = new Map<number, LaneStateId>([
  [Kind.CLIENT_CONNECT, LaneState.queued],
  [Kind.CLIENT_CONNECTED, LaneState.queued],
  [Kind.CLIENT_ACK, LaneState.connected],
  [Kind.CLIENT_RECEIVE, LaneState.connected],
  [Kind.CLIENT_SEND, LaneState.awaitingReply],
  [Kind.CLIENT_CLOSE, LaneState.done],
]);

/** Kinds that concern a green thread (value = its id), wherever they are emitted. */
export const GREEN_KINDS: ReadonlySet<number> = new Set<number>([
  Kind.GREEN_STARTED,
  Kind.GREEN_PARKED,
  Kind.GREEN_RESUMED,
  Kind.GREEN_MOUNTED,
  Kind.GREEN_UNMOUNTED,
  Kind.GREEN_EXITED,
]);

/** What an OS thread's events have shown it to be (the bits of laneKindOf's evidence). */
const MOUNTED = 1;
const WORKED = 2;
const WAITED_ON_IO = 4;

/** What an event on an OS thread lane says about the lane's kind, as bits for laneKindOf. */
export function kindEvidence(kind: number): number {
  if (kind === Kind.GREEN_MOUNTED) return MOUNTED;
  if (kind === Kind.WORK_STARTED) return WORKED;
  return IO_WAITS.has(kind) ? WAITED_ON_IO : 0;
}

/**
 * Thread, pool thread or carrier, decided by what the lane has done (the kindEvidence of its
 * events, or-ed); clients and green threads are what their base kind says.
 */
export function laneKindOf(base: LaneKindId, evidence: number): LaneKindId {
  if (base !== LaneKind.thread) return base;
  if (evidence & MOUNTED) return LaneKind.carrier;
  if (evidence & WORKED && !(evidence & WAITED_ON_IO)) return LaneKind.pool;
  return LaneKind.thread;
}

/**
 * A flat lane's next state (a client connection or a green thread: each event replaces the
 * state), or undefined when the event leaves `current` as it is. done and gone end the lane's
 * span. Lane and the streaming export's span machines both follow it.
 */
export function nextFlatState(base: LaneKindId, kind: number, current: LaneStateId): LaneStateId | undefined {
  if (base === LaneKind.client) {
    const state = CLIENT_STATE_AFTER.get(kind);
    // Connecting and connected are both "queued" until the `*`: one slice, not two.
    return state === LaneState.queued && current === LaneState.queued ? undefined : state;
  }
  switch (kind) {
    case Kind.GREEN_STARTED:
      return LaneState.runnable;
    case Kind.GREEN_MOUNTED:
      return LaneState.running;
    case Kind.GREEN_PARKED:
      return LaneState.parked;
    case Kind.GREEN_UNMOUNTED:
      // Unmounted because it parked: it stays parked until resumed.
      return current !== LaneState.parked ? LaneState.runnable : undefined;
    case Kind.GREEN_RESUMED:
      return current === LaneState.parked || current === LaneState.gone ? LaneState.runnable : undefined;
    case Kind.GREEN_EXITED:
      return LaneState.gone;
    default:
      return undefined;
  }
}

export class Lane {
  /** Arrival indices of this lane's events, in (time, arrival) order. */
  readonly events = new U32Column();
  /** The subset of `events` drawn as marks. */
  readonly instants = new U32Column();
  /** Their times, beside them: the panel searches these every frame. */
  readonly instantTimes = new F64Column();
  /** Spans by depth. */
  readonly levels: SpanLevel[] = [new SpanLevel()];
  /** Time of the first and last state change; NaN until known. `end` stays NaN while alive. */
  startTime = NaN;
  endTime = NaN;
  name: string;
  /** Bumped whenever the lane's spans change, so views can cache per lane. */
  version = 0;
  /** How many times an out-of-order event made the lane replay its events. */
  replays = 0;

  private stack: number[] = [];
  /** The kindEvidence of the lane's span events so far. */
  private evidence = 0;

  constructor(
    readonly index: number,
    /** Unique key: `<stream>:<lane>` for OS threads and clients, `<stream>:g<id>` for green threads. */
    readonly key: string,
    readonly stream: number,
    /** The process's own lane number, or the green thread's id. */
    readonly localId: number,
    private readonly baseKind: LaneKindId,
    defaultName: string,
    private readonly table: EventTable,
  ) {
    this.name = defaultName;
  }

  /** Thread, pool thread or carrier, decided by what the lane has done; clients and green threads are fixed. */
  get kind(): LaneKindId {
    return laneKindOf(this.baseKind, this.evidence);
  }

  get isFlat(): boolean {
    return this.baseKind === LaneKind.client || this.baseKind === LaneKind.green;
  }

  /** Currently open spans, outermost first (the live state). */
  get openDepth(): number {
    return this.stack.length;
  }

  openSpan(depth: number): number {
    return this.stack[depth];
  }

  /** Adds an event (an arrival index); replays the lane if it is older than the last one. */
  add(event: number): void {
    const t = this.table.time.data;
    const n = this.events.length;
    const last = n > 0 ? this.events.get(n - 1) : -1;
    if (last < 0 || keyAtOrBefore(t[last], last, t[event], event)) {
      this.events.push(event);
      this.apply(event);
      return;
    }
    let at = n;
    while (at > 0 && !keyAtOrBefore(t[this.events.get(at - 1)], this.events.get(at - 1), t[event], event)) at--;
    this.events.insert(at, event);
    this.replay();
  }

  private replay(): void {
    this.replays++;
    for (const level of this.levels) level.clear();
    this.instants.length = 0;
    this.instantTimes.length = 0;
    this.stack = [];
    this.startTime = NaN;
    this.endTime = NaN;
    this.evidence = 0;
    for (let i = 0; i < this.events.length; i++) this.apply(this.events.get(i));
  }

  private apply(event: number): void {
    this.version++;
    const kind = this.table.kind.get(event);
    if (INSTANT_KINDS.has(kind) && this.baseKind !== LaneKind.green) {
      this.instants.push(event);
      this.instantTimes.push(this.table.time.get(event));
    }
    if (this.isFlat) {
      const state = nextFlatState(this.baseKind, kind, this.currentState());
      if (state !== undefined) this.setFlat(event, state);
    } else {
      this.applyThread(event, kind);
    }
  }

  private applyThread(event: number, kind: number): void {
    const time = this.table.time.get(event);
    if (kind === Kind.THREAD_EXITED) {
      if (this.stack.length === 0) return;
      this.closeFrom(0, time, event);
      this.endTime = time;
      return;
    }
    const begins = STATE_OF_BEGIN.get(kind);
    const ends = STATE_OF_END.get(kind);
    // Instants do not bring a thread to life: DROPPED may be flushed after THREAD_EXITED.
    if (kind !== Kind.THREAD_STARTED && begins === undefined && ends === undefined) return;
    if (this.stack.length === 0) {
      this.stack.push(this.levels[0].open(time, event, LaneState.running, 0));
      if (Number.isNaN(this.startTime)) this.startTime = time;
      this.endTime = NaN;
    }
    if (begins !== undefined) {
      this.evidence |= kindEvidence(kind);
      const depth = this.stack.length;
      if (depth >= MAX_DEPTH) return;
      if (this.levels.length === depth) this.levels.push(new SpanLevel());
      this.stack.push(this.levels[depth].open(time, event, begins, this.table.value.get(event)));
    } else if (ends !== undefined) {
      // Close the innermost span of that state and whatever is still open inside it; an end
      // with no matching begin (tracing started mid-call) is ignored.
      for (let depth = this.stack.length - 1; depth >= 1; depth--) {
        if (this.levels[depth].state.get(this.stack[depth]) === ends) {
          this.closeFrom(depth, time, event);
          break;
        }
      }
    }
  }

  /** The state of the innermost open span, or done / gone when none is open. */
  currentState(): LaneStateId {
    const depth = this.stack.length - 1;
    if (depth >= 0) return this.levels[depth].state.get(this.stack[depth]) as LaneStateId;
    return this.endedState();
  }

  /** What a lane is after its life: a client connection is done, anything else is gone. */
  endedState(): LaneStateId {
    return this.baseKind === LaneKind.client && !Number.isNaN(this.endTime) ? LaneState.done : LaneState.gone;
  }

  private setFlat(event: number, state: LaneStateId): void {
    const time = this.table.time.get(event);
    if (this.stack.length > 0) this.closeFrom(0, time, event);
    if (state === LaneState.done || state === LaneState.gone) {
      if (!Number.isNaN(this.startTime)) this.endTime = time;
      return;
    }
    this.stack.push(this.levels[0].open(time, event, state, this.table.value.get(event)));
    if (Number.isNaN(this.startTime)) this.startTime = time;
    this.endTime = NaN;
  }

  private closeFrom(depth: number, time: number, event: number): void {
    for (let d = this.stack.length - 1; d >= depth; d--) this.levels[d].close(this.stack[d], time, event);
    this.stack.length = depth;
  }

  /** Position in `events` of the last event at or before the key, or -1. */
  positionAt(time: number, event: number): number {
    const t = this.table.time.data;
    const ev = this.events.data;
    return keyUpperBound(this.events.length, (i) => t[ev[i]], (i) => ev[i], time, event) - 1;
  }

  /** True once a depth-0 span has begun at or before the key (for telling done from not yet). */
  hasBegunBy(time: number, event: number): boolean {
    const level = this.levels[0];
    return level.length > 0 && keyAtOrBefore(level.start.get(0), level.beginEvent.get(0), time, event);
  }
}

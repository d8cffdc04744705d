/**
 * Finds the moments of moments.ts in a recording as it grows: call update() after each batch the
 * TraceModel takes; it looks only at the events added since the last call and reports each moment
 * the first time its trigger holds, with the time and lane the panel marks. Only the moments of
 * the recording's stage are looked for (its server process names it).
 *
 * Order: a batch's events are taken in time order; across batches, in arrival order. The stages
 * write each thread's events in order and flush before a thread blocks, so what a trigger needs
 * from one lane is complete when it arrives:
 * - "busy longer than" is decided on the busy lane's own events only: its next event past the
 *   limit, still busy, proves it (another thread's later event does not: the busy lane's
 *   buffer may simply not be flushed yet);
 * - "connections open" keeps, per fd, the latest accept and the latest close, so an accept and a
 *   close that arrive out of order (from two threads of a thread-per-client stage) still pair up;
 * - "client unacknowledged" takes its evidence from the client's own stream, which the extension
 *   writes as things happen.
 *
 * Loop threads: besides the trigger's "from a wait's end to the next wait's begin", a callback
 * (CALLBACK_BEGIN to CALLBACK_END) counts as busy: libuv runs I/O callbacks inside its poll phase,
 * so 07's loop thread works while its LOOP_WAIT span is still open.
 */
import { Kind, CloseReason } from '../trace/format';
import { type TraceModel } from '../trace/model';
import { LaneKind } from '../trace/states';
import { isStageId, type StageId } from '../stages';
import { MOMENTS, type MomentId, type MomentInfo, type MomentTrigger } from './moments';

export interface DetectedMoment {
  readonly id: MomentId;
  /** When the trigger became true, ns on the model's time axis (busy and unacknowledged: start + limit). */
  readonly time: number;
  /** The model's lane index to mark. */
  readonly lane: number;
  /** Arrival index of the event that shows it (busy and unacknowledged: the one that began the wait). */
  readonly event: number;
}

export interface MomentDetectorOptions {
  /** The recording's stage; otherwise the server process's name says it. */
  readonly stage?: StageId;
  /** The moments to look for; default all of moments.ts (filtered by stage). */
  readonly moments?: readonly MomentInfo[];
}

/** One event as a trigger sees it. */
interface Seen {
  readonly index: number;
  readonly time: number;
  readonly lane: number;
  readonly kind: number;
  readonly fd: number;
  readonly value: number;
}

interface Hit {
  readonly time: number;
  readonly lane: number;
  readonly event: number;
}

/** A trigger's state machine: fed events, says when it holds. */
interface Watch {
  see(e: Seen): Hit | undefined;
}

const MS = 1_000_000;

const LOOP_WAIT_BEGINS = new Set<number>([Kind.SELECT_BEGIN, Kind.EPOLL_WAIT_BEGIN, Kind.KEVENT_BEGIN, Kind.LOOP_WAIT_BEGIN]);
const LOOP_WAIT_ENDS = new Set<number>([Kind.SELECT_END, Kind.EPOLL_WAIT_END, Kind.KEVENT_END, Kind.LOOP_WAIT_END]);

class MatchWatch implements Watch {
  private matched = 0;

  constructor(
    private readonly kind: number,
    private readonly value: number | undefined,
    private readonly n: number,
  ) {}

  see(e: Seen): Hit | undefined {
    if (e.kind !== this.kind || (this.value !== undefined && e.value !== this.value)) return undefined;
    return ++this.matched === this.n ? { time: e.time, lane: e.lane, event: e.index } : undefined;
  }
}

class ConnectionsOpenWatch implements Watch {
  /** Per "stream:fd": the latest accept and close times seen (an fd is open while accept > close). */
  private readonly fds = new Map<string, { accepted: number; closed: number }>();
  private open = 0;

  constructor(
    private readonly model: TraceModel,
    private readonly count: number,
  ) {}

  see(e: Seen): Hit | undefined {
    const accepted = e.kind === Kind.CONN_ACCEPTED;
    if (!accepted && e.kind !== Kind.CONN_CLOSED) return undefined;
    const key = `${this.model.lanes[e.lane].stream}:${e.fd}`;
    const fd = this.fds.get(key) ?? { accepted: -Infinity, closed: -Infinity };
    const wasOpen = fd.accepted > fd.closed;
    if (accepted) fd.accepted = Math.max(fd.accepted, e.time);
    else fd.closed = Math.max(fd.closed, e.time);
    this.fds.set(key, fd);
    this.open += Number(fd.accepted > fd.closed) - Number(wasOpen);
    return accepted && this.open >= this.count ? { time: e.time, lane: e.lane, event: e.index } : undefined;
  }
}

class UnacknowledgedWatch implements Watch {
  /** Client lanes connected and not yet acknowledged: lane -> the CLIENT_CONNECTED event. */
  private readonly waiting = new Map<number, { time: number; event: number }>();

  constructor(
    private readonly model: TraceModel,
    private readonly limit: number,
  ) {}

  see(e: Seen): Hit | undefined {
    const lane = this.model.lanes[e.lane];
    if (lane.kind !== LaneKind.client) return undefined;
    // Evidence first: this stream is at e.time, and the connection waiting longest (the first in
    // the map: lanes connect in time order) has waited past the limit.
    const longest = this.waiting.entries().next().value;
    if (longest) {
      const [waitingLane, since] = longest;
      if (e.time > since.time + this.limit && this.model.lanes[waitingLane].stream === lane.stream) {
        return { time: since.time + this.limit, lane: waitingLane, event: since.event };
      }
    }
    if (e.kind === Kind.CLIENT_CONNECTED) this.waiting.set(e.lane, { time: e.time, event: e.index });
    else if (e.kind === Kind.CLIENT_ACK || e.kind === Kind.CLIENT_CLOSE) this.waiting.delete(e.lane);
    return undefined;
  }
}

class BusyWatch implements Watch {
  /** Busy lanes: since when, the event that began it, and whether a callback (not a wait's end) began it. */
  private readonly busy = new Map<number, { since: number; event: number; callbacks: number }>();

  constructor(
    private readonly thread: 'loop' | 'carrier',
    private readonly limit: number,
  ) {}

  see(e: Seen): Hit | undefined {
    const stretch = this.busy.get(e.lane);
    // Any later event of the busy lane itself, while still busy, proves it (the end of the stretch included).
    if (stretch && e.time > stretch.since + this.limit) return { time: stretch.since + this.limit, lane: e.lane, event: stretch.event };
    if (this.thread === 'carrier') {
      if (e.kind === Kind.GREEN_MOUNTED) this.busy.set(e.lane, { since: e.time, event: e.index, callbacks: 0 });
      else if (e.kind === Kind.GREEN_UNMOUNTED || e.kind === Kind.THREAD_EXITED) this.busy.delete(e.lane);
      return undefined;
    }
    if (LOOP_WAIT_ENDS.has(e.kind)) {
      if (!stretch) this.busy.set(e.lane, { since: e.time, event: e.index, callbacks: -1 });
    } else if (e.kind === Kind.CALLBACK_BEGIN) {
      if (!stretch) this.busy.set(e.lane, { since: e.time, event: e.index, callbacks: 1 });
      else if (stretch.callbacks > 0) stretch.callbacks++;
    } else if (e.kind === Kind.CALLBACK_END) {
      if (stretch && stretch.callbacks > 0 && --stretch.callbacks === 0) this.busy.delete(e.lane);
    } else if (LOOP_WAIT_BEGINS.has(e.kind) || e.kind === Kind.THREAD_EXITED) {
      this.busy.delete(e.lane);
    } else if (e.kind === Kind.CONN_CLOSED && e.value === CloseReason.stopping) {
      // Closing every client on the way out is not the loop being blocked.
      this.busy.delete(e.lane);
    }
    return undefined;
  }
}

class TimerLateWatch implements Watch {
  constructor(private readonly limit: number) {}

  see(e: Seen): Hit | undefined {
    return e.kind === Kind.TIMER_FIRED && e.value > this.limit ? { time: e.time, lane: e.lane, event: e.index } : undefined;
  }
}

function watchFor(trigger: MomentTrigger, model: TraceModel): Watch {
  switch (trigger.kind) {
    case 'first':
      return new MatchWatch(Kind[trigger.event.kind], trigger.event.value, 1);
    case 'nth':
      return new MatchWatch(Kind[trigger.event.kind], trigger.event.value, trigger.n);
    case 'connections-open':
      return new ConnectionsOpenWatch(model, trigger.count);
    case 'client-unacknowledged':
      return new UnacknowledgedWatch(model, trigger.ms * MS);
    case 'busy-longer-than':
      return new BusyWatch(trigger.thread, trigger.ms * MS);
    case 'timer-late':
      return new TimerLateWatch(trigger.ms * MS);
  }
}

export class MomentDetector {
  /** Every moment found so far, in the order found. */
  readonly found: DetectedMoment[] = [];
  private watches: { readonly id: MomentId; readonly watch: Watch }[] | undefined;
  /** Events (arrival indices) below this have been looked at. */
  private seen = 0;

  constructor(
    private readonly model: TraceModel,
    private readonly options: MomentDetectorOptions = {},
  ) {}

  /** The recording's stage, once known. */
  get stage(): StageId | undefined {
    if (this.options.stage) return this.options.stage;
    for (const process of this.model.processes.values()) {
      if (process.source === 'server' && isStageId(process.name)) return process.name;
    }
    return undefined;
  }

  /** Looks at the events added since the last call; returns the moments that fired in them, by time. */
  update(): DetectedMoment[] {
    const watches = this.watches ?? this.start(false);
    return watches ? this.scan(watches) : [];
  }

  /**
   * Call at the end of a recording: if no server process ever said which stage it is (a client's
   * recording alone), looks for every moment in what was deferred.
   */
  finish(): DetectedMoment[] {
    const watches = this.watches ?? this.start(true);
    return watches ? this.scan(watches) : [];
  }

  /** Sets up the watches once the stage is known (or, forced, with every moment). */
  private start(force: boolean): MomentDetector['watches'] {
    const hasServer = [...this.model.processes.values()].some((p) => p.source === 'server');
    if (!this.options.stage && !hasServer && !force) return undefined; // which moments apply is not known yet
    const stage = this.stage;
    const moments = (this.options.moments ?? MOMENTS).filter((m) => stage === undefined || m.stages.includes(stage));
    this.watches = moments.map((m) => ({ id: m.id, watch: watchFor(m.trigger, this.model) }));
    return this.watches;
  }

  private scan(watches: NonNullable<MomentDetector['watches']>): DetectedMoment[] {
    const { events, order } = this.model;
    const total = events.length;
    if (this.seen >= total) return [];
    // The first look takes the model's own time order; later batches are sorted on their own.
    let fresh: ArrayLike<number>;
    if (this.seen === 0) {
      fresh = order.data.subarray(0, order.length);
    } else {
      const times = events.time.data;
      fresh = Uint32Array.from({ length: total - this.seen }, (_, i) => this.seen + i).sort((a, b) => times[a] - times[b] || a - b);
    }
    this.seen = total;
    const fired: DetectedMoment[] = [];
    const active = watches.filter((w) => !this.found.some((f) => f.id === w.id));
    const { time, lane, kind, fd, value } = events;
    for (let i = 0; i < fresh.length && active.length > 0; i++) {
      const index = fresh[i];
      const seen: Seen = { index, time: time.data[index], lane: lane.data[index], kind: kind.data[index], fd: fd.data[index], value: value.data[index] };
      for (let w = active.length - 1; w >= 0; w--) {
        const hit = active[w].watch.see(seen);
        if (!hit) continue;
        const moment = { id: active[w].id, ...hit };
        this.found.push(moment);
        fired.push(moment);
        active.splice(w, 1);
      }
    }
    return fired.sort((a, b) => a.time - b.time);
  }
}

/** Every moment of a whole recording (a file opened later), by time. */
export function detectMoments(model: TraceModel, options: MomentDetectorOptions = {}): DetectedMoment[] {
  const detector = new MomentDetector(model, options);
  detector.update();
  detector.finish();
  return [...detector.found].sort((a, b) => a.time - b.time);
}

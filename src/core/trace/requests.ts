/**
 * Request journeys: every message a client sent, followed through the server that handled it on
 * the recording's one clock, its latency cut into named segments that add up to it exactly, and a
 * summary of where a run's requests spent their time. Plain TypeScript (no Node, no DOM): the
 * panel may follow journeys too.
 *
 * A request's latency runs from the client's send to its receive of the reply's last byte. A
 * connection's first message also waited for the connection itself (the client sends once it has
 * the `*`): its latency starts at the connect, less the client's own time between the `*` and
 * the send (a scenario's pause before it says anything is the client's, not the server's).
 *
 * What the trace gives decides how closely a request is followed (`ConnectionMatch` says which
 * way each connection went):
 * - reads: by bytes where the stage traces recv's byte counts (01-06), so a recv that read two
 *   messages and a message read by two recvs are both placed; otherwise by time, the first read
 *   callback after the send (07, 08), or the first moment the connection's green thread runs (09);
 * - replies: by bytes where the stage traces its send calls (01-03), so the send carrying the
 *   reply's last byte is known; otherwise by time: what the client received after the server read
 *   the message and before it read the next one. A reply that came only after that (held back, or
 *   read together with the next) is taken to have come with the next one's: replies keep request
 *   order, so that is as late as it can be.
 * Messages read together (by one recv or one callback) share their reply's end.
 */
import { pairConnections, pieceHolding, streamLength, type ClientSide, type ConnectionPair, type ServerSide, type StreamPiece } from './connections';
import { Kind } from './format';
import type { Lane, TraceModel } from './model';
import { innermostStates } from './stateStretches';
import { isWaiting, LaneKind, LaneState, type LaneStateId } from './states';

/** The segments, in the order a journey goes through them. */
export const SEGMENTS = [
  'backlog',
  'greeting',
  'receive_buffer',
  'wait_thread',
  'wait_loop',
  'wait_pool',
  'wait_carrier',
  'work',
  'server',
  'send',
  'untraced',
] as const;

export type SegmentName = (typeof SEGMENTS)[number];

/** What each segment is, in the lessons' words: the command line's summary says them, and the panel can. */
export const SEGMENT_MEANINGS: Readonly<Record<SegmentName, string>> = {
  backlog: 'connected, in the listen backlog until the server accepted it',
  greeting: "accepted, the server's '*' on its way to the client",
  receive_buffer: "in the server's receive buffer, the thread that reads it asleep (a poll interval, another socket's recv, waking up)",
  wait_thread: 'in the receive buffer, the thread that reads it busy with something else',
  wait_loop: 'waiting for the event loop, busy with other callbacks or work (or finished work waiting for its callback)',
  wait_pool: 'handed to the thread pool, waiting for a pool thread',
  wait_carrier: 'its green thread ready, waiting for a free carrier',
  work: 'the work request computing',
  server: 'read, on the server, not otherwise named (parsing, the echo, the send call)',
  send: "the reply on its way: from the server's last traced act (its send, where traced) to the client's last byte",
  untraced: 'no server events for this connection in the recording',
};

/**
 * A journey's stretches of time: its segments, and the client's own pause before a first message
 * (between its `*` and its send), which is part of no segment and not of the latency.
 */
export type PieceName = SegmentName | 'client';

export interface JourneyPiece {
  readonly segment: PieceName;
  readonly startNs: number;
  readonly endNs: number;
}

export interface RequestJourney {
  /** The client connection, `conn0`. */
  readonly connection: string;
  /** The message's place among its connection's messages, from 0. */
  readonly index: number;
  /** The client's send, or its connect for a first message. */
  readonly startNs: number;
  /** The client's receive of the reply's last byte. */
  readonly endNs: number;
  /** endNs - startNs, less clientNs. */
  readonly latencyNs: number;
  /** A first message: the client's own time between its `*` and the send (0 for the others). */
  readonly clientNs: number;
  /** ns in each segment; they add up to latencyNs. */
  readonly segments: Readonly<Record<SegmentName, number>>;
  /** The same time in order, with the client's pause: consecutive pieces that tile [startNs, endNs]. */
  readonly pieces: readonly JourneyPiece[];
}

export interface UnansweredMessage {
  readonly connection: string;
  readonly index: number;
  readonly sentNs: number;
  /** 'not read': no server read took its bytes; 'no reply': no reply bytes reached the client for it. */
  readonly reason: 'not read' | 'no reply';
}

/** How a connection's messages were placed on the server (the most the trace allowed). */
export interface ConnectionMatch {
  readonly connection: string;
  /** The server's fd for it; undefined when the recording has no server side for it. */
  readonly serverFd: number | undefined;
  readonly reads: 'bytes' | 'time' | 'green thread' | 'none';
  readonly replies: 'bytes' | 'time';
}

export interface SegmentTotal {
  readonly segment: SegmentName;
  readonly totalNs: number;
  /** Of all the requests' latency together, 0..1. */
  readonly share: number;
}

export interface JourneySummary {
  readonly requests: number;
  readonly unanswered: number;
  /** All the requests' latencies together. */
  readonly latencyNs: number;
  readonly medianLatencyNs: number | undefined;
  /** The segments any request spent time in, most time first. */
  readonly segments: readonly SegmentTotal[];
}

export interface RequestJourneys {
  readonly requests: readonly RequestJourney[];
  readonly unanswered: readonly UnansweredMessage[];
  readonly connections: readonly ConnectionMatch[];
  readonly summary: JourneySummary;
}

/** Every client message of the recording, followed; connections in lane order, messages in order. */
export function requestJourneys(model: TraceModel): RequestJourneys {
  const loops = new LoopLanes();
  const requests: RequestJourney[] = [];
  const unanswered: UnansweredMessage[] = [];
  const connections: ConnectionMatch[] = [];
  for (const pair of pairConnections(model)) {
    const followed = followConnection(model, pair, loops);
    requests.push(...followed.requests);
    unanswered.push(...followed.unanswered);
    connections.push(followed.match);
  }
  return { requests, unanswered, connections, summary: summarizeJourneys(requests, unanswered.length) };
}

export function summarizeJourneys(requests: readonly RequestJourney[], unanswered = 0): JourneySummary {
  const latencyNs = requests.reduce((sum, r) => sum + r.latencyNs, 0);
  const segments = SEGMENTS.map((segment) => {
    const totalNs = requests.reduce((sum, r) => sum + r.segments[segment], 0);
    return { segment, totalNs, share: latencyNs > 0 ? totalNs / latencyNs : 0 };
  })
    .filter((s) => s.totalNs > 0)
    .sort((a, b) => b.totalNs - a.totalNs);
  return { requests: requests.length, unanswered, latencyNs, medianLatencyNs: median(requests.map((r) => r.latencyNs)), segments };
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// ---- one connection ----

/** A server read that took a message: when, and the lane whose state says how the bytes waited. */
interface ReadPoint {
  readonly timeNs: number;
  readonly lane: Lane;
  /** Messages with the same key were read together. */
  readonly key: number;
  /** Bytes mode: the index of the recv among the connection's counted reads. */
  readonly countedIndex?: number;
}

/** A traced send call and where its bytes lie on the server-to-client stream. */
interface SendCall extends StreamPiece {
  readonly beginNs: number;
}

interface LabelledInterval {
  readonly segment: SegmentName;
  readonly startNs: number;
  readonly endNs: number;
}

/** What the server's events about one connection say, gathered once. */
interface ServerFacts {
  /** recv calls that returned bytes, on the client-to-server stream. */
  readonly counted: readonly StreamPiece[];
  /** Every read, counted or not (read callbacks), in time order. */
  readonly reads: readonly { readonly timeNs: number; readonly lane: Lane }[];
  readonly sends: readonly SendCall[];
  /**
   * Work, waits for the pool, for the loop's after-work callback, for a carrier: disjoint, in time
   * order (where they overlap, the one first in HANDLING_ORDER).
   */
  readonly handling: readonly LabelledInterval[];
  /** Times of all the connection's events, sorted. */
  readonly times: readonly number[];
}

interface Followed {
  readonly requests: RequestJourney[];
  readonly unanswered: UnansweredMessage[];
  readonly match: ConnectionMatch;
}

/** Where a group of messages read together got its reply. */
interface Reply {
  readonly endNs: number;
  /** When the server's part ended and the send path began (undefined: no server side to say). */
  readonly sendStartNs: number | undefined;
}

function followConnection(model: TraceModel, pair: ConnectionPair, loops: LoopLanes): Followed {
  const { client, server } = pair;
  const facts = server ? serverFacts(model, server) : undefined;
  const readsBy = !server || !facts ? 'none' : readMode(client, server, facts);
  const repliesBy = facts && readsBy === 'bytes' && facts.sends.length > 0 && streamLength(facts.sends) === streamLength(client.receives) ? 'bytes' : 'time';
  const match: ConnectionMatch = { connection: client.name, serverFd: server?.fd, reads: readsBy, replies: repliesBy };

  const reads: (ReadPoint | undefined)[] = client.sends.map(() => undefined);
  if (server && facts) placeReads(model, client, server, facts, readsBy, reads);

  // Groups: consecutive messages read together (or, with no reads to go by, each on its own).
  const groups: Group[] = [];
  client.sends.forEach((_, k) => {
    const read = reads[k];
    const previous = groups[groups.length - 1];
    if (read && previous?.read && previous.read.key === read.key) groups[groups.length - 1] = { ...previous, last: k };
    else groups.push({ first: k, last: k, read });
  });
  const replies =
    repliesBy === 'bytes' && facts ? repliesByBytes(client, facts, groups) : repliesByTime(client, facts, groups, readsBy !== 'none');

  const requests: RequestJourney[] = [];
  const unanswered: UnansweredMessage[] = [];
  groups.forEach((group, g) => {
    for (let k = group.first; k <= group.last; k++) {
      const sent = client.sends[k];
      const reply = replies[g];
      if (readsBy !== 'none' && !group.read) {
        unanswered.push({ connection: client.name, index: k, sentNs: sent.timeNs, reason: 'not read' });
        continue;
      }
      const fromConnect = k === 0 && server !== undefined && client.connectNs !== undefined && client.connectNs <= sent.timeNs;
      const startNs = fromConnect ? client.connectNs : sent.timeNs;
      if (!reply || reply.endNs < startNs) {
        unanswered.push({ connection: client.name, index: k, sentNs: sent.timeNs, reason: 'no reply' });
        continue;
      }
      const journey = new JourneyBuilder(startNs, reply.endNs);
      if (fromConnect && server) {
        journey.to('backlog', server.takenNs);
        journey.to('greeting', Math.min(client.ackNs ?? sent.timeNs, sent.timeNs));
        journey.to('client', sent.timeNs);
      }
      const read = group.read;
      if (read && facts && reply.sendStartNs !== undefined) {
        const lane = read.lane;
        journey.through(read.timeNs, (from, to) => waitingStretches(lane, from, to, loops));
        journey.through(reply.sendStartNs, (from, to) => handlingStretches(facts.handling, from, to));
        requests.push(journey.finish('send', client.name, k));
      } else {
        requests.push(journey.finish('untraced', client.name, k));
      }
    }
  });
  return { requests, unanswered, match };
}

function serverFacts(model: TraceModel, server: ServerSide): ServerFacts {
  const { kind, time, value, lane: laneColumn } = model.events;
  const counted: StreamPiece[] = [];
  const reads: { timeNs: number; lane: Lane }[] = [];
  const sends: SendCall[] = [];
  const handling: LabelledInterval[] = [];
  const times: number[] = [];
  const sendBegun = new Map<number, number>();
  const workBegun = new Map<number, number>();
  const submitted: number[] = [];
  // Work finished on a lane: the loop's callback on another lane hands its answer back (07).
  const finished: { lane: number; timeNs: number }[] = [];
  let readBytes = 0;
  let sentBytes = 0;
  let sendsIncomplete = false;
  for (const event of server.events) {
    const k = kind.get(event);
    const t = time.get(event);
    const v = value.get(event);
    const laneIndex = laneColumn.get(event);
    const lane = model.lanes[laneIndex];
    times.push(t);
    switch (k) {
      case Kind.RECV_END:
        if (v > 0) {
          counted.push({ timeNs: t, offset: readBytes, bytes: v, event });
          readBytes += v;
          reads.push({ timeNs: t, lane });
        }
        break;
      case Kind.SEND_BEGIN:
        sendBegun.set(laneIndex, t);
        break;
      case Kind.SEND_END: {
        // Only a whole call counts: a lone SEND_END (05's resumed sends) means the stream's other
        // sends are untraced, and the traced ones cannot be placed on it.
        const beginNs = sendBegun.get(laneIndex);
        sendBegun.delete(laneIndex);
        if (beginNs === undefined) sendsIncomplete = true;
        else if (v > 0) {
          sends.push({ timeNs: t, beginNs, offset: sentBytes, bytes: v, event });
          sentBytes += v;
        }
        break;
      }
      case Kind.WORK_SUBMITTED:
        submitted.push(t);
        break;
      case Kind.WORK_STARTED: {
        workBegun.set(laneIndex, t);
        const queuedAt = submitted.shift();
        if (queuedAt !== undefined) handling.push({ segment: 'wait_pool', startNs: queuedAt, endNs: t });
        break;
      }
      case Kind.WORK_DONE: {
        const began = workBegun.get(laneIndex);
        workBegun.delete(laneIndex);
        if (began !== undefined) handling.push({ segment: 'work', startNs: began, endNs: t });
        finished.push({ lane: laneIndex, timeNs: t });
        break;
      }
      case Kind.CALLBACK_BEGIN: {
        // Work finished on another lane is answered by the loop's next callback for this fd (07's
        // after-work callback); work this loop did itself (08) needs no hand-back.
        const handBack = finished.findIndex((f) => f.lane !== laneIndex);
        if (handBack >= 0) {
          const [done] = finished.splice(handBack, 1);
          handling.push({ segment: 'wait_loop', startNs: done.timeNs, endNs: t });
        } else {
          reads.push({ timeNs: t, lane });
        }
        for (let i = finished.length - 1; i >= 0; i--) if (finished[i].lane === laneIndex) finished.splice(i, 1);
        break;
      }
    }
  }
  if (server.green) {
    const level = server.green.levels[0];
    for (let i = 0; i < level.length; i++) {
      if (level.state.get(i) !== LaneState.runnable) continue;
      const open = level.isOpen(i);
      // Unmounted on its way to park or exit: the scheduler's moment, not a wait for a carrier.
      const ending = open ? undefined : kind.get(level.endEvent.get(i));
      if (ending === Kind.GREEN_PARKED || ending === Kind.GREEN_EXITED) continue;
      handling.push({ segment: 'wait_carrier', startNs: level.start.get(i), endNs: open ? Infinity : level.end.get(i) });
    }
  }
  return { counted, reads, sends: sendsIncomplete ? [] : sends, handling: disjoint(handling), times };
}

function readMode(client: ClientSide, server: ServerSide, facts: ServerFacts): ConnectionMatch['reads'] {
  // More bytes read than the client sent: the counts are not this client's stream (events lost).
  if (facts.counted.length > 0 && streamLength(facts.counted) <= streamLength(client.sends)) return 'bytes';
  if (facts.reads.length > 0) return 'time';
  return server.green ? 'green thread' : 'none';
}

/** For each message, the server read that took its last byte (undefined: none did). */
function placeReads(model: TraceModel, client: ClientSide, server: ServerSide, facts: ServerFacts, mode: ConnectionMatch['reads'], out: (ReadPoint | undefined)[]): void {
  // A later message is never read before an earlier one (it may be read with it).
  let earliest = -Infinity;
  let next = 0;
  client.sends.forEach((sent, k) => {
    let read: ReadPoint | undefined;
    if (mode === 'bytes') {
      const j = pieceHolding(facts.counted, sent.offset + sent.bytes - 1);
      const piece = facts.counted[j];
      if (piece) read = { timeNs: piece.timeNs, lane: model.lanes[model.events.lane.get(piece.event)], key: j, countedIndex: j };
    } else if (mode === 'time') {
      const after = Math.max(sent.timeNs, earliest);
      while (next < facts.reads.length && facts.reads[next].timeNs < after) next++;
      const found = facts.reads[next];
      if (found) read = { timeNs: found.timeNs, lane: found.lane, key: next };
    } else if (mode === 'green thread' && server.green) {
      // Its reads are not traced: it reads as soon as it runs (at once, when it is running already).
      const at = firstRunning(server.green, Math.max(sent.timeNs, earliest));
      if (at !== undefined) read = { timeNs: at, lane: server.green, key: at };
    }
    if (read) earliest = read.timeNs;
    out[k] = read;
  });
}

function firstRunning(green: Lane, fromNs: number): number | undefined {
  const level = green.levels[0];
  for (let i = level.firstEndingAfter(fromNs); i < level.length; i++) {
    if (level.state.get(i) === LaneState.running) return Math.max(level.start.get(i), fromNs);
  }
  return undefined;
}

interface Group {
  readonly first: number;
  readonly last: number;
  readonly read: ReadPoint | undefined;
}

/**
 * By bytes: a group's reply is everything the server sent after reading it and before its next
 * recv (it answers each read before it reads again), ending at the send holding that last byte and
 * the client receive holding it.
 */
function repliesByBytes(client: ClientSide, facts: ServerFacts, groups: readonly Group[]): (Reply | undefined)[] {
  let sentBefore = 0;
  let answered = 0;
  let s = 0;
  return groups.map((group) => {
    const j = group.read?.countedIndex;
    if (j === undefined) return undefined;
    const cutNs = facts.counted[j + 1]?.timeNs ?? Infinity;
    while (s < facts.sends.length && facts.sends[s].beginNs < cutNs) sentBefore += facts.sends[s++].bytes;
    // Nothing sent for it: bytes that ask for no reply (outside a frame).
    if (sentBefore <= answered) return undefined;
    answered = sentBefore;
    const received = pieceHolding(client.receives, sentBefore - 1);
    const carrying = facts.sends[pieceHolding(facts.sends, sentBefore - 1)];
    return received < 0 || !carrying ? undefined : { endNs: client.receives[received].timeNs, sendStartNs: carrying.beginNs };
  });
}

/**
 * By time: a group's reply is what the client received from the server's read of it until the
 * server read the next group (from the send to the next send, with no reads to go by). One that
 * got nothing in its window came with a later one's reply.
 */
function repliesByTime(client: ClientSide, facts: ServerFacts | undefined, groups: readonly Group[], byReads: boolean): (Reply | undefined)[] {
  const starts = groups.map((group) => (byReads ? group.read?.timeNs : client.sends[group.first].timeNs));
  const nextStarts: number[] = [];
  for (let g = starts.length - 1, next = Infinity; g >= 0; g--) {
    nextStarts[g] = next;
    next = starts[g] ?? next;
  }
  const receives = client.receives;
  const out: (Reply | undefined)[] = groups.map(() => undefined);
  let r = 0;
  starts.forEach((fromNs, g) => {
    if (fromNs === undefined) return;
    const untilNs = nextStarts[g];
    while (r < receives.length && receives[r].timeNs < fromNs) r++;
    let last: StreamPiece | undefined;
    while (r < receives.length && receives[r].timeNs < untilNs) last = receives[r++];
    if (last) out[g] = { endNs: last.timeNs, sendStartNs: facts && byReads ? lastTimeWithin(facts.times, fromNs, last.timeNs) : undefined };
  });
  let later: Reply | undefined;
  for (let g = groups.length - 1; g >= 0; g--) {
    if (starts[g] === undefined) continue;
    if (out[g]) later = out[g];
    else out[g] = later;
  }
  return out;
}

/** The latest of the sorted `times` in [from, to], or `from` when none is. */
function lastTimeWithin(times: readonly number[], fromNs: number, toNs: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] <= toNs) lo = mid + 1;
    else hi = mid;
  }
  const latest = times[lo - 1];
  return latest !== undefined && latest >= fromNs ? latest : fromNs;
}

// ---- segments ----

interface Stretch {
  readonly segment: SegmentName;
  readonly endNs: number;
}

/** How bytes waited to be read, from what the lane that read them was doing meanwhile. */
function waitingStretches(lane: Lane, fromNs: number, toNs: number, loops: LoopLanes): Stretch[] {
  const green = lane.kind === LaneKind.green;
  const loop = !green && loops.isLoop(lane);
  return innermostStates(lane, fromNs, toNs).map((s) => ({ segment: green ? greenWait(s.state) : threadWait(s.state, loop), endNs: s.endNs }));
}

function greenWait(state: LaneStateId | undefined): SegmentName {
  if (state === LaneState.runnable) return 'wait_carrier';
  return state === LaneState.running ? 'wait_thread' : 'receive_buffer';
}

function threadWait(state: LaneStateId | undefined, loop: boolean): SegmentName {
  if (state === undefined || isWaiting(state)) return 'receive_buffer';
  return loop ? 'wait_loop' : 'wait_thread';
}

/** Which of overlapping intervals names the time: work over the waits that surround it. */
const HANDLING_ORDER: readonly SegmentName[] = ['work', 'wait_pool', 'wait_loop', 'wait_carrier'];

/** Overlapping labelled intervals as disjoint ones in time order, each stretch named by the first in HANDLING_ORDER. */
function disjoint(intervals: readonly LabelledInterval[]): LabelledInterval[] {
  const points = [...new Set(intervals.flatMap((i) => [i.startNs, i.endNs]))].sort((a, b) => a - b);
  const byStart = [...intervals].sort((a, b) => a.startNs - b.startNs);
  const open: LabelledInterval[] = [];
  const out: LabelledInterval[] = [];
  let next = 0;
  for (let p = 0; p + 1 < points.length; p++) {
    const at = points[p];
    while (next < byStart.length && byStart[next].startNs <= at) open.push(byStart[next++]);
    for (let i = open.length - 1; i >= 0; i--) if (open[i].endNs <= at) open.splice(i, 1);
    if (open.length === 0) continue;
    const segment = HANDLING_ORDER.find((name) => open.some((i) => i.segment === name)) ?? open[0].segment;
    const last = out[out.length - 1];
    if (last && last.segment === segment && last.endNs === at) out[out.length - 1] = { ...last, endNs: points[p + 1] };
    else out.push({ segment, startNs: at, endNs: points[p + 1] });
  }
  return out;
}

/** From the read to the send path: work and waits where the connection's events show them (disjoint, in order), else `server`. */
function handlingStretches(handling: readonly LabelledInterval[], fromNs: number, toNs: number): Stretch[] {
  let lo = 0;
  let hi = handling.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (handling[mid].endNs <= fromNs) lo = mid + 1;
    else hi = mid;
  }
  const out: Stretch[] = [];
  for (let i = lo; i < handling.length && handling[i].startNs < toNs; i++) {
    const { segment, startNs, endNs } = handling[i];
    if (startNs > fromNs) out.push({ segment: 'server', endNs: startNs });
    out.push({ segment, endNs: Math.min(endNs, toNs) });
  }
  out.push({ segment: 'server', endNs: toNs });
  return out;
}

/** Waits of a thread that serves many sockets from one loop (select, epoll, a library's loop, a poller's sleep). */
const LOOP_WAITS: ReadonlySet<LaneStateId> = new Set<LaneStateId>([LaneState.waitSelect, LaneState.waitEpoll, LaneState.waitKevent, LaneState.waitLoop, LaneState.sleepPoll]);

/** Which thread lanes run an event loop, so that their being busy is "waiting for the loop". */
class LoopLanes {
  private readonly known = new Map<Lane, boolean>();

  isLoop(lane: Lane): boolean {
    let loop = this.known.get(lane);
    if (loop === undefined) {
      loop = lane.levels.some((level) => {
        for (let i = 0; i < level.length; i++) if (LOOP_WAITS.has(level.state.get(i) as LaneStateId)) return true;
        return false;
      });
      this.known.set(lane, loop);
    }
    return loop;
  }
}

/** Cuts [start, end] into consecutive pieces, one named stretch after another: they tile it exactly. */
class JourneyBuilder {
  private cursor: number;
  private readonly pieces: JourneyPiece[] = [];

  constructor(
    private readonly startNs: number,
    private readonly endNs: number,
  ) {
    this.cursor = startNs;
  }

  /** The time from where the last piece ended until `untilNs` was `segment` (none if that is past). */
  to(segment: PieceName, untilNs: number): void {
    this.push(segment, untilNs);
  }

  /** The time until `untilNs`, in the stretches `name` gives for it. */
  through(untilNs: number, name: (fromNs: number, toNs: number) => readonly Stretch[]): void {
    const toNs = this.bound(untilNs);
    if (toNs <= this.cursor) return;
    const stretches = name(this.cursor, toNs);
    for (const stretch of stretches) this.push(stretch.segment, Math.min(stretch.endNs, toNs));
    if (this.cursor < toNs) this.push(stretches[stretches.length - 1]?.segment ?? 'server', toNs);
  }

  /** The rest of the time is `segment`; the journey, named. */
  finish(segment: SegmentName, connection: string, index: number): RequestJourney {
    this.push(segment, this.endNs);
    const segments = Object.fromEntries(SEGMENTS.map((name) => [name, 0])) as Record<SegmentName, number>;
    let clientNs = 0;
    for (const piece of this.pieces) {
      const length = piece.endNs - piece.startNs;
      if (piece.segment === 'client') clientNs += length;
      else segments[piece.segment] += length;
    }
    const latencyNs = this.endNs - this.startNs - clientNs;
    return { connection, index, startNs: this.startNs, endNs: this.endNs, latencyNs, clientNs, segments, pieces: this.pieces };
  }

  private bound(timeNs: number): number {
    if (Number.isNaN(timeNs)) return this.cursor;
    return Math.min(Math.max(timeNs, this.cursor), this.endNs);
  }

  private push(segment: PieceName, untilNs: number): void {
    const toNs = this.bound(untilNs);
    if (toNs <= this.cursor) return;
    const last = this.pieces[this.pieces.length - 1];
    if (last && last.segment === segment) this.pieces[this.pieces.length - 1] = { ...last, endNs: toNs };
    else this.pieces.push({ segment, startNs: this.cursor, endNs: toNs });
    this.cursor = toNs;
  }
}

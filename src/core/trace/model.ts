/**
 * The state model of a recording: from trace records (any number of processes: the stage and
 * the client) to lanes of spans in the lesson's words, instants, counters, and "what was every
 * lane doing at time t" for replay. Plain TypeScript (no Node, no DOM): the extension host, the
 * command line and the panel webview all build it the same way.
 *
 * Feeding is incremental; a whole file is the same records fed at once, and gives the same
 * model. Times are ns on one axis for every process (they all read the clock process.hrtime
 * reads), relative to `originNs`, the start time in the first stream header seen.
 *
 * Positions: every event has an arrival index (its row in `events`) and a position in `order`
 * (sorted by time, ties by arrival). The step cursor is a position; "the state at position p"
 * is the state after every event up to and including p.
 */
import { COUNTER_NAMES, CounterSeries, type CounterName } from './counters';
import { EventTable } from './events';
import { Kind, TraceSource, type TraceHeader, type TraceNames, type TraceRecord } from './format';
import { GREEN_KINDS, Lane } from './lane';
import { keyAtOrBefore } from './spans';
import { LaneKind, LaneState, type LaneKindId, type LaneStateId } from './states';
import { keyUpperBound, U32Column } from './columns';

export { Lane } from './lane';
export type { CounterName } from './counters';

/** One process that contributed a stream to the recording. */
export interface TraceProcess {
  readonly stream: number;
  readonly source: 'server' | 'client';
  readonly pid: number;
  /** NAME_PROCESS: the stage id, or "client". */
  name: string;
  /** Unix time in ns at the stream's start, for "recorded at". */
  readonly startUnixNs: bigint;
}

/** What one lane is doing at a cursor. */
export interface LaneSnapshot {
  readonly state: LaneStateId;
  /** How deep the innermost open span is (0 = the lane's life). */
  readonly depth: number;
  /** The span's number: fds watched, green thread id, ... (0 when none). */
  readonly value: number;
  /** When the state began (NaN when gone / done). */
  readonly since: number;
  /** Arrival index of the event that began the state, or -1. */
  readonly event: number;
}

export interface CountersSnapshot {
  /** From the stage's own counters (undefined until the stage reports one). */
  readonly reported: Readonly<Partial<Record<CounterName, number>>>;
  /** Derived from the lanes. */
  readonly threadLanesAlive: number;
  readonly carriersBusy: number;
  readonly clientsConnected: number;
}

export interface ModelSnapshot {
  /** Indexed by lane index. */
  readonly lanes: readonly LaneSnapshot[];
  readonly counters: CountersSnapshot;
}

/** The events that report a counter, and which: the stage's counters and what a wait says. */
const COUNTER_OF_KIND = new Map<number, CounterName>([
  [Kind.THREAD_STARTED, 'threads'],
  [Kind.THREAD_EXITED, 'threads'],
  [Kind.COUNT_THREADS, 'threads'],
  [Kind.COUNT_EMPTY_POLLS, 'emptyPolls'],
  [Kind.SELECT_BEGIN, 'fdsWatched'],
  [Kind.EPOLL_WAIT_BEGIN, 'fdsWatched'],
  [Kind.KEVENT_BEGIN, 'fdsWatched'],
  [Kind.COUNT_FDS_WATCHED, 'fdsWatched'],
  [Kind.COUNT_CONNECTIONS, 'connections'],
  [Kind.COUNT_QUEUED_WORK, 'queuedWork'],
  [Kind.DROPPED, 'dropped'],
]);

/** The same two tables by kind number, for the loop over every record (a Map lookup each is not free at 10 M). */
const COUNTER_BY_KIND: readonly (CounterName | undefined)[] = Array.from({ length: 256 }, (_, kind) => COUNTER_OF_KIND.get(kind));
const IS_GREEN_KIND: readonly boolean[] = Array.from({ length: 256 }, (_, kind) => GREEN_KINDS.has(kind));

/**
 * The counter an event of a stream from `source` reports, if any. Threads alive are the stage's;
 * the client's own threads are not part of the lesson.
 */
export function counterOf(kind: number, source: TraceProcess['source']): CounterName | undefined {
  const counter = COUNTER_BY_KIND[kind];
  return counter === 'threads' && source !== 'server' ? undefined : counter;
}

/** The process of a stream whose header was just read (named as it names itself, or by its pid). */
export function processOfStream(stream: number, header: TraceHeader, names: TraceNames): TraceProcess {
  const source = header.source === TraceSource.client ? 'client' : 'server';
  return { stream, source, pid: header.pid, name: names.process ?? (source === 'client' ? 'client' : `pid ${header.pid}`), startUnixNs: header.startUnixNs };
}

/** A lane's name when it first appears: the process's name for it so far, else its number. */
export function firstLaneName(names: TraceNames, kind: LaneKindId, localId: number): string {
  if (kind === LaneKind.green) return `green ${localId}`;
  return names.lanes.get(localId) ?? (kind === LaneKind.client ? `conn ${localId}` : `thread ${localId}`);
}

/** A source file's name when it first appears: the process's name for it so far, else its number. */
export function firstFileName(names: TraceNames, fileId: number): string {
  return names.files.get(fileId) ?? `file ${fileId}`;
}

/** Per stream: its process, its names, and its lanes and files by the process's own numbers. */
interface StreamContext {
  readonly process: TraceProcess;
  readonly names: TraceNames;
  readonly lanes: Map<number, Lane>;
  readonly greens: Map<number, Lane>;
  readonly files: Map<number, number>;
  namesSeen: number;
}

/** A stream's names as the model and the recording census both keep them. */
export interface NamedStream {
  readonly names: TraceNames;
  readonly lanes: ReadonlyMap<number, { name: string }>;
  /** file_id -> index in the recording's files. */
  readonly files: ReadonlyMap<number, number>;
  /** How many names the last refresh saw. */
  namesSeen: number;
}

/**
 * Names that arrived since the last call, applied to the stream's lanes and the recording's
 * files (when their count changed: a name record only ever adds or renames).
 */
export function applyNewNames(context: NamedStream, files: string[], setProcessName: (name: string) => void): void {
  const { names } = context;
  const count = names.lanes.size + names.files.size + (names.process === undefined ? 0 : 1);
  if (context.namesSeen === count) return;
  context.namesSeen = count;
  if (names.process !== undefined) setProcessName(names.process);
  for (const [id, name] of names.lanes) {
    const lane = context.lanes.get(id);
    if (lane) lane.name = name;
  }
  for (const [id, path] of names.files) {
    const index = context.files.get(id);
    if (index !== undefined) files[index] = path;
  }
}

const GONE: LaneSnapshot = { state: LaneState.gone, depth: -1, value: 0, since: NaN, event: -1 };
const DONE: LaneSnapshot = { state: LaneState.done, depth: -1, value: 0, since: NaN, event: -1 };

export class TraceModel {
  readonly events = new EventTable();
  /** Arrival indices sorted by (time, arrival): the order of stepping. */
  readonly order = new U32Column(1024);
  readonly lanes: Lane[] = [];
  /** Source files; index 0 is "no source". */
  readonly files: string[] = [''];
  readonly processes = new Map<number, TraceProcess>();
  readonly counters: Readonly<Record<CounterName, CounterSeries>>;
  /** Absolute trace-clock ns of time 0 on this model's axis; undefined before the first stream. */
  originNs: number | undefined;
  /** Earliest and latest event time (NaN while empty). */
  minTime = NaN;
  maxTime = NaN;
  /** Bumped on every change, so views know when to redraw. */
  version = 0;

  private readonly streams = new Map<number, StreamContext>();

  constructor() {
    const counters = {} as Record<CounterName, CounterSeries>;
    for (const name of COUNTER_NAMES) counters[name] = new CounterSeries(name === 'dropped' ? 'sum' : 'absolute');
    this.counters = counters;
  }

  get eventCount(): number {
    return this.events.length;
  }

  /** Makes room for `events` events in all, at once (a whole file read in one go). */
  reserve(events: number): void {
    this.events.reserve(events);
    this.order.reserve(events);
  }

  /** A stream's header was read: register its process (the first one sets the time origin). */
  addStream(stream: number, header: TraceHeader, names: TraceNames): void {
    if (this.originNs === undefined) this.originNs = Number(header.startNs);
    const process = processOfStream(stream, header, names);
    this.processes.set(stream, process);
    this.streams.set(stream, { process, names, lanes: new Map(), greens: new Map(), files: new Map(), namesSeen: -1 });
    this.version++;
  }

  /** Names may arrive after the records that first use them (a thread names itself later). */
  refreshNames(stream: number): void {
    const context = this.streams.get(stream);
    if (!context) return;
    const { process } = context;
    applyNewNames(context, this.files, (name) => (process.name = name));
  }

  /** Adds one record of a stream. */
  add(stream: number, record: TraceRecord): void {
    this.addBatch(stream, [record]);
  }

  /**
   * Adds records of one stream, in stream order. The stepping order is merged once per batch:
   * a batch that arrives late (another thread flushed first) is sorted in with one merge.
   */
  addBatch(stream: number, records: readonly TraceRecord[]): void {
    const context = this.streams.get(stream);
    if (!context) throw new Error(`stream ${stream} has no header`);
    const count = records.length;
    const first = this.events.length;
    const events = this.events;
    events.reserve(first + count);
    this.order.reserve(first + count);
    const origin = this.originNs ?? 0;
    const source = context.process.source;
    const laneKind = source === 'client' ? LaneKind.client : LaneKind.thread;
    // Reserved above: the columns are written in place and their lengths set once at the end
    // (lanes and counters read an event's fields by index as they take it, never the lengths).
    const { time: timeColumn, lane: laneColumn, kind: kindColumn, fd: fdColumn, value: valueColumn, file: fileColumn, line: lineColumn } = events;
    const times = timeColumn.data;
    const lanes = laneColumn.data;
    const kinds = kindColumn.data;
    const fds = fdColumn.data;
    const values = valueColumn.data;
    const files = fileColumn.data;
    const lines = lineColumn.data;
    let minTime = this.minTime;
    let maxTime = this.maxTime;
    // Records of one lane come in runs (a thread's buffer is flushed whole).
    let lastId = -1;
    let lastLane: Lane | undefined;
    let event = first;
    for (const record of records) {
      const time = record.timeNs - origin;
      const kind = record.kind;
      const value = record.value;
      const localLane = record.lane;
      const fileId = record.fileId;
      const lane = localLane === lastId && lastLane ? lastLane : (lastLane = this.laneFor(context, (lastId = localLane), laneKind));
      times[event] = time;
      lanes[event] = lane.index;
      kinds[event] = kind;
      fds[event] = record.fd;
      values[event] = value;
      files[event] = fileId === 0 ? 0 : this.fileFor(context, fileId);
      lines[event] = record.line;
      lane.add(event);
      if (IS_GREEN_KIND[kind]) this.laneFor(context, value, LaneKind.green).add(event);
      const counter = counterOf(kind, source);
      if (counter !== undefined) this.counters[counter].add(time, event, value);
      if (!(time >= minTime)) minTime = time;
      if (!(time <= maxTime)) maxTime = time;
      event++;
    }
    timeColumn.length = laneColumn.length = kindColumn.length = fdColumn.length = valueColumn.length = fileColumn.length = lineColumn.length = event;
    this.minTime = minTime;
    this.maxTime = maxTime;
    this.mergeOrder(first);
    this.version++;
  }

  private laneFor(context: StreamContext, localId: number, kind: LaneKindId): Lane {
    const map = kind === LaneKind.green ? context.greens : context.lanes;
    let lane = map.get(localId);
    if (!lane) {
      const stream = context.process.stream;
      const name = firstLaneName(context.names, kind, localId);
      const key = kind === LaneKind.green ? `${stream}:g${localId}` : `${stream}:${localId}`;
      lane = new Lane(this.lanes.length, key, stream, localId, kind, name, this.events);
      this.lanes.push(lane);
      map.set(localId, lane);
    }
    return lane;
  }

  private fileFor(context: StreamContext, fileId: number): number {
    let index = context.files.get(fileId);
    if (index === undefined) {
      index = this.files.length;
      this.files.push(firstFileName(context.names, fileId));
      context.files.set(fileId, index);
    }
    return index;
  }

  /** Puts the events from arrival index `first` on into the stepping order. */
  private mergeOrder(first: number): void {
    const times = this.events.time.data;
    const order = this.order;
    const total = this.events.length;
    let sorted = true;
    let previous = order.length > 0 ? order.last() : -1;
    for (let e = first; e < total && sorted; e++) {
      if (previous >= 0 && !keyAtOrBefore(times[previous], previous, times[e], e)) sorted = false;
      previous = e;
    }
    if (sorted) {
      for (let e = first; e < total; e++) order.push(e);
      return;
    }
    const fresh = new Uint32Array(total - first);
    let freshSorted = true;
    for (let i = 0; i < fresh.length; i++) {
      fresh[i] = first + i;
      if (i > 0 && times[first + i] < times[first + i - 1]) freshSorted = false;
    }
    // A batch is usually in time order already; only its start is late.
    if (!freshSorted) fresh.sort((a, b) => times[a] - times[b] || a - b);
    // Only the old events after the earliest new one move.
    const from = this.upperPosition(times[fresh[0]], fresh[0]);
    const old = order.data.slice(from, order.length);
    order.reserve(order.length + fresh.length);
    order.length += fresh.length;
    const out = order.data;
    let i = 0;
    let j = 0;
    let k = from;
    while (i < old.length && j < fresh.length) {
      const a = old[i];
      const b = fresh[j];
      if (keyAtOrBefore(times[a], a, times[b], b)) {
        out[k++] = a;
        i++;
      } else {
        out[k++] = b;
        j++;
      }
    }
    while (i < old.length) out[k++] = old[i++];
    while (j < fresh.length) out[k++] = fresh[j++];
  }

  // ---- positions ----

  /** Number of positions before the first event with key > (time, event). */
  private upperPosition(time: number, event: number): number {
    const times = this.events.time.data;
    const order = this.order.data;
    return keyUpperBound(this.order.length, (i) => times[order[i]], (i) => order[i], time, event);
  }

  /** The last position whose event is at or before `time` (-1 if none). */
  positionAtTime(time: number): number {
    return this.upperPosition(time, Infinity) - 1;
  }

  /** The position of an event (by arrival index) in the stepping order. */
  positionOf(event: number): number {
    return this.upperPosition(this.events.time.get(event), event) - 1;
  }

  /** Arrival index of the event at a position. */
  eventAt(position: number): number {
    return this.order.get(position);
  }

  timeAt(position: number): number {
    return this.events.time.get(this.order.get(position));
  }

  // ---- state at a cursor ----

  /** Every lane's state after all events up to position `p` (p = -1: before everything). */
  stateAtPosition(position: number): ModelSnapshot {
    if (position < 0) return this.stateAtKey(-Infinity, -1);
    const event = this.order.get(position);
    return this.stateAtKey(this.events.time.get(event), event);
  }

  /** Every lane's state after all events at or before `time`. */
  stateAtTime(time: number): ModelSnapshot {
    return this.stateAtKey(time, Infinity);
  }

  private stateAtKey(time: number, event: number): ModelSnapshot {
    const lanes = this.lanes.map((lane) =>
      this.snapshotLane(lane, (depth) => lane.levels[depth].find(time, event), () => lane.hasBegunBy(time, event)),
    );
    const reported: Partial<Record<CounterName, number>> = {};
    for (const name of COUNTER_NAMES) {
      const value = this.counters[name].at(time, event);
      if (value !== undefined) reported[name] = value;
    }
    return { lanes, counters: this.derive(lanes, reported) };
  }

  /** The state after every event fed so far: what the live view shows. */
  current(): ModelSnapshot {
    const lanes = this.lanes.map((lane) =>
      this.snapshotLane(lane, (depth) => (depth < lane.openDepth ? lane.openSpan(depth) : -1), () => lane.levels[0].length > 0),
    );
    const reported: Partial<Record<CounterName, number>> = {};
    for (const name of COUNTER_NAMES) {
      const value = this.counters[name].current();
      if (value !== undefined) reported[name] = value;
    }
    return { lanes, counters: this.derive(lanes, reported) };
  }

  /** One lane's snapshot from the span open at each depth (found live or by search). */
  private snapshotLane(lane: Lane, spanAt: (depth: number) => number, hasBegun: () => boolean): LaneSnapshot {
    let found: LaneSnapshot | undefined;
    for (let depth = 0; depth < lane.levels.length; depth++) {
      const index = spanAt(depth);
      if (index < 0) break;
      const level = lane.levels[depth];
      found = {
        state: level.state.get(index) as LaneStateId,
        depth,
        value: level.value.get(index),
        since: level.start.get(index),
        event: level.beginEvent.get(index),
      };
    }
    if (found) return found;
    return lane.kind === LaneKind.client && hasBegun() ? DONE : GONE;
  }

  private derive(lanes: readonly LaneSnapshot[], reported: Partial<Record<CounterName, number>>): CountersSnapshot {
    let threadLanesAlive = 0;
    let carriersBusy = 0;
    let clientsConnected = 0;
    lanes.forEach((snap, i) => {
      const kind = this.lanes[i].kind;
      if (snap.state === LaneState.gone || snap.state === LaneState.done) return;
      if (kind === LaneKind.client) clientsConnected++;
      else if (kind !== LaneKind.green) threadLanesAlive++;
      if (kind === LaneKind.carrier && snap.depth >= 1) carriersBusy += this.isMounted(i, snap) ? 1 : 0;
    });
    return { reported, threadLanesAlive, carriersBusy, clientsConnected };
  }

  /** A carrier is busy while a green thread is mounted on it, whatever that thread is doing. */
  private isMounted(laneIndex: number, snap: LaneSnapshot): boolean {
    const lane = this.lanes[laneIndex];
    if (snap.state === LaneState.mounted) return true;
    // Inside the mount (work, a wait): the span at depth 1 is the mount.
    const event = snap.event;
    const time = this.events.time.get(event);
    const outer = lane.levels[1].find(time, event);
    return outer >= 0 && lane.levels[1].state.get(outer) === LaneState.mounted;
  }

  // ---- source lines ----

  /**
   * Where a lane was at a cursor: the source of its last event at or before the key that has
   * one (looking back a bounded number of events), or undefined.
   */
  sourceAt(laneIndex: number, time: number, event: number): { file: string; line: number; event: number } | undefined {
    const lane = this.lanes[laneIndex];
    const ownLane = lane.index;
    for (let p = lane.positionAt(time, event), seen = 0; p >= 0 && seen < 256; p--, seen++) {
      const e = lane.events.get(p);
      // Green lanes hold their carriers' events; their lines are the scheduler's, not the thread's.
      if (this.events.lane.get(e) !== ownLane) continue;
      const line = this.events.line.get(e);
      if (line > 0) return { file: this.files[this.events.file.get(e)], line, event: e };
    }
    return undefined;
  }
}

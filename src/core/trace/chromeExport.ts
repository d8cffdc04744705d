/**
 * The Chrome Trace Event format (JSON), which Perfetto and chrome://tracing open, as this
 * project writes it: the event builders, and the export of a TraceModel. A process per traced
 * process, a thread per lane with its name, complete ("X") slices for every span (they nest
 * exactly as the model's spans do: a wait inside the thread's life, work inside a callback ...),
 * instant ("i") events for the marks, and counter ("C") tracks for the lesson counters.
 *
 * Export Trace and `server-models trace export` write files with chromeStream.ts, which builds
 * the same events from the recording's bytes without a model; the export of a model is what the
 * tests hold that one to (and what they check the nesting of).
 *
 * Times are microseconds from the recording's first event, written with exactly three decimals
 * (nanoseconds) by integer arithmetic, so that a child slice never ends a rounding error after its
 * parent.
 *
 *   const json = [...chromeTraceChunks(model)].join('');
 */
import { COUNTER_NAMES } from './counters';
import { kindName } from './format';
import type { TraceModel } from './model';
import { PANEL_STRINGS_EN } from '../panel/strings';
import { LANE_KIND_NAMES, LaneKind, isWaiting, shownState, stateStringKey, type LaneKindId, type LaneStateId, LaneState } from './states';

/** One Chrome trace event as this exporter writes it. */
export interface ChromeTraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'i' | 'C' | 'M';
  readonly pid: number;
  readonly tid?: number;
  /** Microseconds, as a decimal string with three places (kept exact; JSON gets the number). */
  readonly ts?: string;
  readonly dur?: string;
  readonly cat?: string;
  readonly s?: 't';
  readonly args?: Readonly<Record<string, string | number | boolean>>;
}

/** Green threads have no OS thread id: they get tids from here up. */
export const GREEN_TID_BASE = 1_000_000;

/** The text around the events, and between two of them. */
export const CHROME_TRACE_OPEN = '{"displayTimeUnit":"ns","traceEvents":[\n';
export const CHROME_TRACE_SEPARATOR = ',\n';
export const CHROME_TRACE_CLOSE = '\n]}\n';

function micros(ns: number): string {
  const whole = Math.round(ns);
  const sign = whole < 0 ? '-' : '';
  const abs = Math.abs(whole);
  return `${sign}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}`;
}

const instantNames = new Map<number, string>();

/** An instant's name: READY_FD -> `ready fd`; system call names keep their underscore. */
function instantName(kind: number): string {
  let words = instantNames.get(kind);
  if (words === undefined) {
    const name = kindName(kind) ?? `kind ${kind}`;
    words = name.startsWith('EPOLL_WAIT') ? name.toLowerCase() : name.toLowerCase().replace(/_/g, ' ');
    instantNames.set(kind, words);
  }
  return words;
}

const stateWordsById: string[] = [];

function stateWords(state: LaneStateId): string {
  return (stateWordsById[state] ??= PANEL_STRINGS_EN[stateStringKey(state)]);
}

function category(state: LaneStateId): string {
  if (isWaiting(state)) return 'wait';
  if (state === LaneState.work) return 'work';
  if (state === LaneState.callback) return 'callback';
  return 'state';
}

/** `file:line` of a call site, or '' when the event has none. */
export function sourceOf(fileName: string, line: number): string {
  return line > 0 ? `${fileName}:${line}` : '';
}

/** Each traced process gets its own pid, or 1 + its stream number when two share one (or it is 0). */
export function assignPids(processes: Iterable<{ readonly stream: number; readonly pid: number }>): Map<number, number> {
  const pids = new Map<number, number>();
  for (const process of processes) {
    const taken = new Set(pids.values());
    pids.set(process.stream, process.pid > 0 && !taken.has(process.pid) ? process.pid : 1 + process.stream);
  }
  return pids;
}

export function processEvents(pid: number, name: string, source: 'server' | 'client'): ChromeTraceEvent[] {
  return [
    { name: 'process_name', ph: 'M', pid, args: { name: `${name} (${source})` } },
    { name: 'process_sort_index', ph: 'M', pid, args: { sort_index: source === 'server' ? 0 : 1 } },
  ];
}

/** The thread id of a lane: its own number, or GREEN_TID_BASE + a green thread's id. */
export function laneTid(kind: LaneKindId, localId: number): number {
  return kind === LaneKind.green ? GREEN_TID_BASE + localId : localId;
}

export function threadEvents(pid: number, tid: number, name: string, kind: LaneKindId, index: number): ChromeTraceEvent[] {
  return [
    { name: 'thread_name', ph: 'M', pid, tid, args: { name: `${name} (${LANE_KIND_NAMES[kind]})` } },
    { name: 'thread_sort_index', ph: 'M', pid, tid, args: { sort_index: index } },
  ];
}

export interface SliceFields {
  readonly pid: number;
  readonly tid: number;
  /** The lane's kind once the recording is over (a pool thread's life is shown as idle). */
  readonly laneKind: LaneKindId;
  readonly depth: number;
  readonly state: LaneStateId;
  readonly start: number;
  /** When it ended; undefined while still open at the end of the recording. */
  readonly end: number | undefined;
  readonly endOfRecording: number;
  readonly value: number;
  readonly fd: number;
  readonly source: string;
  /** Time 0 of the export: the recording's first event. */
  readonly zero: number;
}

export function sliceEvent(f: SliceFields): ChromeTraceEvent {
  const state = shownState(f.laneKind, f.depth, f.state);
  const open = f.end === undefined;
  const end = f.end ?? Math.max(f.start, f.endOfRecording);
  const args: Record<string, string | number | boolean> = { value: f.value, fd: f.fd };
  if (f.source) args.source = f.source;
  if (open) args.open = true;
  return {
    name: stateWords(state),
    ph: 'X',
    cat: category(state),
    pid: f.pid,
    tid: f.tid,
    ts: micros(f.start - f.zero),
    dur: micros(Math.round(end) - Math.round(f.start)),
    args,
  };
}

export function instantEvent(pid: number, tid: number, kind: number, time: number, zero: number, fd: number, value: number, source: string): ChromeTraceEvent {
  const args: Record<string, string | number | boolean> = { fd, value };
  if (source) args.source = source;
  return { name: instantName(kind), ph: 'i', s: 't', cat: 'event', pid, tid, ts: micros(time - zero), args };
}

export function counterEvent(name: string, pid: number, time: number, zero: number, value: number): ChromeTraceEvent {
  return { name, ph: 'C', pid, ts: micros(time - zero), args: { [name]: value } };
}

/** The model's events, as Chrome trace events, in an order Perfetto needs none of (it sorts). */
export function* chromeTraceEvents(model: TraceModel): Generator<ChromeTraceEvent> {
  const zero = Number.isNaN(model.minTime) ? 0 : model.minTime;
  const endOfRecording = Number.isNaN(model.maxTime) ? 0 : model.maxTime;
  const pids = assignPids(model.processes.values());
  for (const process of model.processes.values()) yield* processEvents(pids.get(process.stream)!, process.name, process.source);
  const source = (event: number): string => sourceOf(model.files[model.events.file.get(event)], model.events.line.get(event));

  for (const lane of model.lanes) {
    const pid = pids.get(lane.stream) ?? 1 + lane.stream;
    const tid = laneTid(lane.kind, lane.localId);
    yield* threadEvents(pid, tid, lane.name, lane.kind, lane.index);

    for (let depth = 0; depth < lane.levels.length; depth++) {
      const level = lane.levels[depth];
      for (let i = 0; i < level.length; i++) {
        const begin = level.beginEvent.get(i);
        yield sliceEvent({
          pid,
          tid,
          laneKind: lane.kind,
          depth,
          state: level.state.get(i) as LaneStateId,
          start: level.start.get(i),
          end: level.isOpen(i) ? undefined : level.end.get(i),
          endOfRecording,
          value: level.value.get(i),
          fd: model.events.fd.get(begin),
          source: source(begin),
          zero,
        });
      }
    }

    for (let i = 0; i < lane.instants.length; i++) {
      const event = lane.instants.get(i);
      const { kind, time, fd, value } = model.events;
      yield instantEvent(pid, tid, kind.get(event), time.get(event), zero, fd.get(event), value.get(event), source(event));
    }
  }

  for (const name of COUNTER_NAMES) {
    const series = model.counters[name];
    for (let i = 0; i < series.length; i++) {
      const event = series.event.get(i);
      const pid = pids.get(model.lanes[model.events.lane.get(event)].stream) ?? 1;
      yield counterEvent(name, pid, series.time.get(i), zero, series.value.get(i));
    }
  }
}

function jsonValue(value: string | number | boolean): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  return value ? 'true' : 'false';
}

/**
 * One event as JSON, its fields in one order (name, ph, s, cat, pid, tid, args, ts, dur); ts and
 * dur go out as bare numbers with their exact decimal digits. Written by hand rather than by
 * JSON.stringify: a recording makes millions of these, and this is most of an export's time.
 */
export function chromeEventJson(e: ChromeTraceEvent): string {
  let json = `{"name":${JSON.stringify(e.name)},"ph":"${e.ph}"`;
  if (e.s !== undefined) json += `,"s":"${e.s}"`;
  if (e.cat !== undefined) json += `,"cat":${JSON.stringify(e.cat)}`;
  json += `,"pid":${jsonValue(e.pid)}`;
  if (e.tid !== undefined) json += `,"tid":${jsonValue(e.tid)}`;
  if (e.args !== undefined) {
    let args = '';
    for (const key in e.args) args += `${args ? ',' : ''}${JSON.stringify(key)}:${jsonValue(e.args[key])}`;
    json += `,"args":{${args}}`;
  }
  if (e.ts !== undefined) json += `,"ts":${e.ts}`;
  if (e.dur !== undefined) json += `,"dur":${e.dur}`;
  return `${json}}`;
}

/** The whole trace as JSON text, in chunks (a million events make a string too big to build at once). */
export function* chromeTraceChunks(model: TraceModel, eventsPerChunk = 4096): Generator<string> {
  yield CHROME_TRACE_OPEN;
  let batch: string[] = [];
  let first = true;
  for (const event of chromeTraceEvents(model)) {
    batch.push(chromeEventJson(event));
    if (batch.length === eventsPerChunk) {
      yield (first ? '' : CHROME_TRACE_SEPARATOR) + batch.join(CHROME_TRACE_SEPARATOR);
      first = false;
      batch = [];
    }
  }
  if (batch.length > 0) yield (first ? '' : CHROME_TRACE_SEPARATOR) + batch.join(CHROME_TRACE_SEPARATOR);
  yield CHROME_TRACE_CLOSE;
}

/**
 * Exports a recording's state model in the Chrome Trace Event format (JSON), which Perfetto and
 * chrome://tracing open: a process per traced process, a thread per lane with its name, complete
 * ("X") slices for every span (they nest exactly as the model's spans do: a wait inside the
 * thread's life, work inside a callback ...), instant ("i") events for the marks, and counter
 * ("C") tracks for the lesson counters.
 *
 * Times are microseconds from the recording's first event, written with exactly three decimals
 * (nanoseconds) by integer arithmetic, so that a child slice never ends a rounding error after its
 * parent.
 *
 *   await writeChromeTrace(model, 'out.json');          // a file, streamed
 *   const json = [...chromeTraceChunks(model)].join('');  // in memory
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { COUNTER_NAMES } from './counters';
import { kindName } from './format';
import type { TraceModel } from './model';
import { PANEL_STRINGS_EN } from '../panel/strings';
import { LANE_KIND_NAMES, LaneKind, isWaiting, shownState, stateStringKey, type LaneStateId, LaneState } from './states';

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
const GREEN_TID_BASE = 1_000_000;

function micros(ns: number): string {
  const whole = Math.round(ns);
  const sign = whole < 0 ? '-' : '';
  const abs = Math.abs(whole);
  return `${sign}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}`;
}

/** An instant's name: READY_FD -> `ready fd`; system call names keep their underscore. */
function instantName(kind: number): string {
  const name = kindName(kind) ?? `kind ${kind}`;
  return name.startsWith('EPOLL_WAIT') ? name.toLowerCase() : name.toLowerCase().replace(/_/g, ' ');
}

function stateWords(state: LaneStateId): string {
  return PANEL_STRINGS_EN[stateStringKey(state)];
}

function category(state: LaneStateId): string {
  if (isWaiting(state)) return 'wait';
  if (state === LaneState.work) return 'work';
  if (state === LaneState.callback) return 'callback';
  return 'state';
}

/** The model's events, as Chrome trace events, in an order Perfetto needs none of (it sorts). */
export function* chromeTraceEvents(model: TraceModel): Generator<ChromeTraceEvent> {
  const zero = Number.isNaN(model.minTime) ? 0 : model.minTime;
  const endOfRecording = Number.isNaN(model.maxTime) ? 0 : model.maxTime;
  const pids = new Map<number, number>();
  for (const process of model.processes.values()) {
    const taken = new Set(pids.values());
    const pid = process.pid > 0 && !taken.has(process.pid) ? process.pid : 1 + process.stream;
    pids.set(process.stream, pid);
    yield { name: 'process_name', ph: 'M', pid, args: { name: `${process.name} (${process.source})` } };
    yield { name: 'process_sort_index', ph: 'M', pid, args: { sort_index: process.source === 'server' ? 0 : 1 } };
  }
  const source = (event: number): string => {
    const line = model.events.line.get(event);
    return line > 0 ? `${model.files[model.events.file.get(event)]}:${line}` : '';
  };

  for (const lane of model.lanes) {
    const pid = pids.get(lane.stream) ?? 1 + lane.stream;
    const tid = lane.kind === LaneKind.green ? GREEN_TID_BASE + lane.localId : lane.localId;
    yield { name: 'thread_name', ph: 'M', pid, tid, args: { name: `${lane.name} (${LANE_KIND_NAMES[lane.kind]})` } };
    yield { name: 'thread_sort_index', ph: 'M', pid, tid, args: { sort_index: lane.index } };

    for (let depth = 0; depth < lane.levels.length; depth++) {
      const level = lane.levels[depth];
      for (let i = 0; i < level.length; i++) {
        const state = shownState(lane.kind, depth, level.state.get(i) as LaneStateId);
        const begin = level.beginEvent.get(i);
        const open = level.isOpen(i);
        const start = level.start.get(i);
        const end = open ? Math.max(start, endOfRecording) : level.end.get(i);
        const args: Record<string, string | number | boolean> = { value: level.value.get(i), fd: model.events.fd.get(begin) };
        const where = source(begin);
        if (where) args.source = where;
        if (open) args.open = true;
        yield {
          name: stateWords(state),
          ph: 'X',
          cat: category(state),
          pid,
          tid,
          ts: micros(start - zero),
          dur: micros(Math.round(end) - Math.round(start)),
          args,
        };
      }
    }

    for (let i = 0; i < lane.instants.length; i++) {
      const event = lane.instants.get(i);
      const kind = model.events.kind.get(event);
      const args: Record<string, string | number | boolean> = {
        fd: model.events.fd.get(event),
        value: model.events.value.get(event),
      };
      const where = source(event);
      if (where) args.source = where;
      yield {
        name: instantName(kind),
        ph: 'i',
        s: 't',
        cat: 'event',
        pid,
        tid,
        ts: micros(model.events.time.get(event) - zero),
        args,
      };
    }
  }

  for (const name of COUNTER_NAMES) {
    const series = model.counters[name];
    for (let i = 0; i < series.length; i++) {
      const event = series.event.get(i);
      const pid = pids.get(model.lanes[model.events.lane.get(event)].stream) ?? 1;
      yield { name, ph: 'C', pid, ts: micros(series.time.get(i) - zero), args: { [name]: series.value.get(i) } };
    }
  }
}

function eventJson(e: ChromeTraceEvent): string {
  // ts and dur go out as bare numbers with their exact decimal digits.
  const { ts, dur, ...rest } = e;
  let json = JSON.stringify(rest);
  if (ts !== undefined) json = `${json.slice(0, -1)},"ts":${ts}${dur !== undefined ? `,"dur":${dur}` : ''}}`;
  return json;
}

/** The whole trace as JSON text, in chunks (a million events make a string too big to build at once). */
export function* chromeTraceChunks(model: TraceModel, eventsPerChunk = 4096): Generator<string> {
  yield '{"displayTimeUnit":"ns","traceEvents":[\n';
  let batch: string[] = [];
  let first = true;
  for (const event of chromeTraceEvents(model)) {
    batch.push(eventJson(event));
    if (batch.length === eventsPerChunk) {
      yield (first ? '' : ',\n') + batch.join(',\n');
      first = false;
      batch = [];
    }
  }
  if (batch.length > 0) yield (first ? '' : ',\n') + batch.join(',\n');
  yield '\n]}\n';
}

/** Writes the Chrome trace of a model to a file (for `server-models trace export` and Export Trace). */
export async function writeChromeTrace(model: TraceModel, path: string): Promise<void> {
  const out = createWriteStream(path);
  const failed = once(out, 'error').then(([err]) => {
    throw err as Error;
  });
  failed.catch(() => undefined);
  for (const chunk of chromeTraceChunks(model)) {
    if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
  }
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
}

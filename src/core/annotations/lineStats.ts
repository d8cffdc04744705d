/**
 * What happened at each source line of a run: how often each traced call ran there and how long
 * threads spent waiting (or working) in it. The editor shows this beside the stage's source,
 * e.g. `recv ×128 · blocked 3.2 s`.
 */
import { END_OF_BEGIN, Kind } from '../trace/format';
import { type TraceModel } from '../trace/model';

/** A traced call, named as the lesson names it. */
export type CallName =
  | 'accept' | 'recv' | 'send' | 'select' | 'epoll_wait' | 'kevent' | 'sleep' | 'loop'
  | 'ready' | 'EAGAIN' | 'callback' | 'work' | 'submit' | 'timer' | 'thread' | 'green'
  | 'park' | 'resume' | 'connection' | 'close';

/** Kinds that start a span (their *_END closes it) or stand alone, by call. */
const CALL_OF_KIND = new Map<number, CallName>([
  [Kind.ACCEPT_BEGIN, 'accept'],
  [Kind.RECV_BEGIN, 'recv'],
  [Kind.SEND_BEGIN, 'send'],
  [Kind.SELECT_BEGIN, 'select'],
  [Kind.EPOLL_WAIT_BEGIN, 'epoll_wait'],
  [Kind.KEVENT_BEGIN, 'kevent'],
  [Kind.SLEEP_BEGIN, 'sleep'],
  [Kind.LOOP_WAIT_BEGIN, 'loop'],
  [Kind.READY_FD, 'ready'],
  [Kind.EAGAIN, 'EAGAIN'],
  [Kind.CALLBACK_BEGIN, 'callback'],
  [Kind.WORK_SUBMITTED, 'submit'],
  [Kind.WORK_STARTED, 'work'],
  [Kind.TIMER_FIRED, 'timer'],
  [Kind.THREAD_STARTED, 'thread'],
  [Kind.GREEN_STARTED, 'green'],
  [Kind.GREEN_PARKED, 'park'],
  [Kind.GREEN_RESUMED, 'resume'],
  [Kind.CONN_ACCEPTED, 'connection'],
  [Kind.CONN_CLOSED, 'close'],
]);

/** WORK_STARTED … WORK_DONE is a span too, though its names do not say BEGIN/END. */
const END_OF: ReadonlyMap<number, number> = new Map([...END_OF_BEGIN, [Kind.WORK_STARTED, Kind.WORK_DONE]]);

/** Calls whose span is time spent working rather than waiting. */
const BUSY_CALLS: ReadonlySet<CallName> = new Set(['work', 'callback']);

export interface CallStat {
  readonly call: CallName;
  count: number;
  /** ns spent inside the call's span (waiting, or working for work/callback). */
  spanNs: number;
  readonly busy: boolean;
}

export interface LineStat {
  /** As named in the trace: relative to servers/, e.g. `05-select/main.c`. */
  readonly file: string;
  readonly line: number;
  readonly calls: CallStat[];
}

/** Stats of every source line that emitted events, by file then line. */
export function lineStats(model: TraceModel): LineStat[] {
  const { events } = model;
  const byKey = new Map<string, LineStat>();
  /** Per lane: open spans as [end kind, begin time, stat] (innermost last). */
  const open = new Map<number, [number, number, CallStat][]>();
  for (let e = 0; e < events.length; e++) {
    const kind = events.kind.get(e);
    const lane = events.lane.get(e);
    const stack = open.get(lane);
    // A closing event: find the innermost open span it ends (spans nest per lane).
    if (stack) {
      let at = stack.length - 1;
      while (at >= 0 && stack[at][0] !== kind) at--;
      if (at >= 0) {
        const [, began, stat] = stack[at];
        stat.spanNs += Math.max(0, events.time.get(e) - began);
        stack.splice(at);
        continue;
      }
    }
    const call = CALL_OF_KIND.get(kind);
    const line = events.line.get(e);
    const fileIndex = events.file.get(e);
    if (!call || line === 0 || fileIndex === 0) continue;
    const file = model.files[fileIndex];
    const key = `${file}:${line}`;
    let entry = byKey.get(key);
    if (!entry) byKey.set(key, (entry = { file, line, calls: [] }));
    let stat = entry.calls.find((c) => c.call === call);
    if (!stat) entry.calls.push((stat = { call, count: 0, spanNs: 0, busy: BUSY_CALLS.has(call) }));
    stat.count++;
    const endKind = END_OF.get(kind);
    if (endKind !== undefined) {
      const lanes = stack ?? [];
      lanes.push([endKind, events.time.get(e), stat]);
      open.set(lane, lanes);
    }
  }
  return [...byKey.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** Seconds or milliseconds, short: 3.2 s, 41 ms, 0.3 ms. */
export function formatDuration(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(ns >= 1e10 ? 0 : 1)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(ns >= 1e7 ? 0 : 1)} ms`;
  return `${(ns / 1e3).toFixed(ns >= 1e4 ? 0 : 1)} µs`;
}

/**
 * The after-text of a line: `recv ×128 · blocked 3.2 s`. `blockedWord` and `busyWord` are the
 * localized words for time spent waiting and working.
 */
export function describeLine(stat: LineStat, words: { blocked: string; busy: string }): string {
  return stat.calls
    .map((c) => {
      const head = `${c.call} ×${c.count}`;
      return c.spanNs >= 1e5 ? `${head} · ${c.busy ? words.busy : words.blocked} ${formatDuration(c.spanNs)}` : head;
    })
    .join('  ');
}

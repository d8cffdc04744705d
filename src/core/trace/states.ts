/**
 * The words of the state model: what a lane (a server thread, a green thread, a client
 * connection) is doing during a slice of time, in the lesson's terms rather than the kernel's.
 * Shared by the model, the Chrome exporter and the panel; no Node, no DOM.
 */
import type { PanelStringKey } from '../panel/protocol';
import type { StageId } from '../stages';
import { CloseReason, Kind, kindName, WorkOutcome, type TraceKindName } from './format';

export const LaneState = {
  /** Alive and on a CPU (or runnable): between waits. */
  running: 0,
  waitAccept: 1,
  waitRecv: 2,
  waitSend: 3,
  /** Blocked in select(2); the slice's value is how many fds it watches. */
  waitSelect: 4,
  waitEpoll: 5,
  waitKevent: 6,
  /** Blocked inside an event library's poll phase (libuv, ae) whose backend is not named. */
  waitLoop: 7,
  /** Sleeping between two polling passes (stage 04). */
  sleepPoll: 8,
  /** Inside an event-loop callback. */
  callback: 9,
  /** Doing the CPU-heavy work request. */
  work: 10,
  /** A green thread that is not on any carrier, waiting for its fd. */
  parked: 11,
  /** A carrier thread running a green thread. */
  mounted: 12,
  /** A pool or carrier thread with nothing to do. */
  idle: 13,
  /** Client: TCP connected, still in the server's listen backlog (no `*` yet). */
  queued: 14,
  /** Client: served (got `*`), nothing outstanding. */
  connected: 15,
  /** Client: sent bytes, waiting for the reply. */
  awaitingReply: 16,
  /** Client: closed. Terminal; never drawn as a slice. */
  done: 17,
  /** Not alive: before its start or after its exit. Never drawn as a slice. */
  gone: 18,
  /** A green thread ready to run, waiting for a free carrier. */
  runnable: 19,
} as const;

export type LaneStateName = keyof typeof LaneState;
export type LaneStateId = (typeof LaneState)[LaneStateName];

/** State names indexed by state id. */
export const LANE_STATE_NAMES: readonly LaneStateName[] = namesByValue(LaneState);

function namesByValue<K extends string>(table: Readonly<Record<K, number>>): K[] {
  const names: K[] = [];
  for (const name of Object.keys(table) as K[]) names[table[name]] = name;
  return names;
}

/** True for states during which the thread is off the CPU, waiting for the kernel or a timer. */
export function isWaiting(state: LaneStateId): boolean {
  return state >= LaneState.waitAccept && state <= LaneState.sleepPoll;
}

export const LaneKind = {
  /** A server OS thread: the main thread or a thread per client. */
  thread: 0,
  /** A thread of a work pool (libuv's uv_queue_work threads). */
  pool: 1,
  /** An OS thread that runs green threads (stage 09). */
  carrier: 2,
  /** A green (virtual) thread. */
  green: 3,
  /** One client connection, as the test client sees it. */
  client: 4,
} as const;

export type LaneKindName = keyof typeof LaneKind;
export type LaneKindId = (typeof LaneKind)[LaneKindName];

/** Kind names indexed by kind id. */
export const LANE_KIND_NAMES: readonly LaneKindName[] = namesByValue(LaneKind);

/**
 * The theme colour of each state, as a VS Code theme colour id (the webview reads it as
 * `--vscode-<id with dots as dashes>`). Only the charts and terminal palettes: every theme
 * defines them, and they are meant to be told apart.
 *
 * The colours teach by family, and every two states that one stage's recording can show at once
 * (STAGE_STATES) look different in Dark Modern and Light Modern (test/webview/panel-colours.test.ts
 * holds them to a CIE76 distance of at least 30 in both):
 * - green: on the CPU (running); red: the CPU-heavy work request, the thing that blocks;
 * - blue: waiting on one peer's socket (recv; a green thread parked on its fd);
 * - magenta: one thread waiting for any of many fds (select, epoll_wait, kevent, a library's
 *   loop), the idea of stages 05-08;
 * - cyan and purple for what else a stage has: accept (cyan) and send (purple) beside recv in
 *   01-03; the poller's sleep in 04 (purple); a callback on the loop in 07 and 08 and a carrier
 *   running a green thread in 09 (cyan); a green thread ready for a carrier in 09 (purple);
 * - the client's side: yellow while it waits in the backlog, strong grey while it awaits a
 *   reply, faint grey while it has nothing outstanding;
 * - a pool or carrier thread with nothing to do is a thin faint line (STATE_FILL), not a bar.
 * Orange is not used: it is too near yellow (queued, in every stage) in Light Modern.
 */
export const STATE_THEME_COLOR: Readonly<Record<LaneStateName, string>> = {
  running: 'charts.green',
  waitAccept: 'terminal.ansiCyan',
  waitRecv: 'charts.blue',
  waitSend: 'charts.purple',
  waitSelect: 'terminal.ansiMagenta',
  waitEpoll: 'terminal.ansiMagenta',
  waitKevent: 'terminal.ansiMagenta',
  waitLoop: 'terminal.ansiMagenta',
  sleepPoll: 'charts.purple',
  callback: 'terminal.ansiCyan',
  work: 'charts.red',
  parked: 'charts.blue',
  mounted: 'terminal.ansiCyan',
  idle: 'charts.lines',
  queued: 'charts.yellow',
  connected: 'charts.lines',
  awaitingReply: 'charts.foreground',
  // Never drawn.
  done: 'charts.foreground',
  gone: 'charts.foreground',
  runnable: 'charts.purple',
};

/**
 * How a state's slices are drawn: a bar across the row, or a thin line through its middle for a
 * thread that is alive with nothing to do (idle shares its faint grey with a connected client,
 * and its lane is mostly that: the work on it stands out).
 */
export type StateFill = 'bar' | 'line';

export const STATE_FILL: Readonly<Record<LaneStateName, StateFill>> = Object.fromEntries(
  Object.keys(LaneState).map((name) => [name, name === 'idle' ? 'line' : 'bar']),
) as Record<LaneStateName, StateFill>;

/**
 * The theme colour of each event drawn as a mark on its lane (lane.ts INSTANT_KINDS). A mark is a
 * short tick at the top of its row, over the top of the slice there: its colour differs from
 * every state it can land on (client marks on client states, the others on server threads; none
 * on green threads' lanes) and from the other marks of its stage. Marks of one colour are one
 * entry of the legend: accepted yellow, closed faint grey, lost events strong grey, the client's
 * sends and receives green, ready fds and work handed to the pool blue, EAGAIN cyan, the timer
 * and the green-thread scheduler purple.
 */
export const MARK_THEME_COLOR: Readonly<Partial<Record<TraceKindName, string>>> = {
  CONN_ACCEPTED: 'charts.yellow',
  CONN_CLOSED: 'charts.lines',
  DROPPED: 'charts.foreground',
  EAGAIN: 'terminal.ansiCyan',
  READY_FD: 'charts.blue',
  WORK_SUBMITTED: 'charts.blue',
  TIMER_FIRED: 'charts.purple',
  GREEN_STARTED: 'charts.purple',
  GREEN_PARKED: 'charts.purple',
  GREEN_RESUMED: 'charts.purple',
  GREEN_EXITED: 'charts.purple',
  CLIENT_SEND: 'charts.green',
  CLIENT_RECEIVE: 'charts.green',
};

/** The key of a mark's words: CONN_ACCEPTED -> markConnAccepted. */
export function markStringKey(name: TraceKindName): PanelStringKey {
  return `mark${name.toLowerCase().replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase())}` as PanelStringKey;
}

/** Words for the codes in an event's value: why a connection closed, what a work request found. */
const VALUE_WORDS: ReadonlyMap<number, ReadonlyMap<number, PanelStringKey>> = new Map([
  [Kind.CONN_CLOSED, new Map<number, PanelStringKey>([
    [CloseReason.peer, 'valueClosedByPeer'],
    [CloseReason.error, 'valueClosedOnError'],
    [CloseReason.refused, 'valueRefused'],
    [CloseReason.stopping, 'valueClosedStopping'],
  ])],
  [Kind.WORK_DONE, new Map<number, PanelStringKey>([
    [WorkOutcome.composite, 'valueComposite'],
    [WorkOutcome.prime, 'valuePrime'],
    [WorkOutcome.stopped, 'valueWorkStopped'],
  ])],
]);

/**
 * The key of the words for an event's value, when the value is a code rather than a count: a
 * CONN_CLOSED of a client refused at a limit (02 past --max-threads, 05 at FD_SETSIZE) reads
 * "refused". undefined: the number says it (bytes, fds, a port).
 */
export function valueStringKey(kind: number, value: number): PanelStringKey | undefined {
  return VALUE_WORDS.get(kind)?.get(value);
}

/** The theme colour of a mark by event kind number. */
export function markThemeColor(kind: number): string {
  const name = kindName(kind);
  return (name && MARK_THEME_COLOR[name]) ?? 'charts.foreground';
}

/** What one stage's recording can show: its lanes' states and its marks. */
export interface StageStates {
  /** States the recording can show, all at once. */
  readonly states: readonly LaneStateName[];
  /**
   * States of which a recording shows one: the same wait on another platform or backend (epoll
   * on Linux, kevent on macOS and the BSDs; stage 08's BACKEND=select).
   */
  readonly oneOf?: readonly LaneStateName[];
  readonly marks: readonly TraceKindName[];
}

/** Every client connection of the notes' client goes through these, in every stage. */
const CLIENT_STATES: readonly LaneStateName[] = ['queued', 'connected', 'awaitingReply'];
/** Marks of every stage: connections served and closed, events lost, the client's sends and receives. */
const CONN_MARKS: readonly TraceKindName[] = ['CONN_ACCEPTED', 'CONN_CLOSED', 'DROPPED', 'CLIENT_SEND', 'CLIENT_RECEIVE'];
/** One thread doing everything with blocking calls (01, 03; 02's threads together). */
const BLOCKING: StageStates = { states: ['running', 'waitAccept', 'waitRecv', 'waitSend', 'work', ...CLIENT_STATES], marks: CONN_MARKS };

/**
 * The states and marks each stage's trace calls (servers/<stage>/*.c, servers/common/) and the
 * notes' client can produce, whatever the flags (02 --max-threads, 07 --work-on-loop, 09
 * --carriers). test/webview/panel-stages.test.ts checks real recordings against it; the panel's
 * legend lists a stage's states before they appear.
 */
export const STAGE_STATES: Readonly<Record<StageId, StageStates>> = {
  '01-sequential': BLOCKING,
  '02-thread-per-client': BLOCKING,
  '03-blocking-io': BLOCKING,
  '04-nonblocking-polling': { states: ['running', 'sleepPoll', 'waitRecv', 'work', ...CLIENT_STATES], marks: [...CONN_MARKS, 'EAGAIN'] },
  '05-select': { states: ['running', 'waitSelect', 'work', ...CLIENT_STATES], marks: [...CONN_MARKS, 'READY_FD'] },
  '06-epoll': { states: ['running', 'work', ...CLIENT_STATES], oneOf: ['waitEpoll', 'waitKevent'], marks: [...CONN_MARKS, 'READY_FD', 'EAGAIN'] },
  '07-libuv': { states: ['running', 'waitLoop', 'callback', 'idle', 'work', ...CLIENT_STATES], marks: [...CONN_MARKS, 'WORK_SUBMITTED'] },
  '08-ae': {
    states: ['running', 'callback', 'work', ...CLIENT_STATES],
    oneOf: ['waitEpoll', 'waitKevent', 'waitSelect'],
    marks: [...CONN_MARKS, 'READY_FD', 'TIMER_FIRED'],
  },
  '09-green-threads': {
    states: ['running', 'idle', 'mounted', 'work', 'runnable', 'parked', ...CLIENT_STATES],
    oneOf: ['waitEpoll', 'waitKevent'],
    marks: [...CONN_MARKS, 'READY_FD', 'GREEN_STARTED', 'GREEN_PARKED', 'GREEN_RESUMED', 'GREEN_EXITED'],
  },
};

/** The CSS variable VS Code sets for a theme colour: `charts.blue` -> `--vscode-charts-blue`. */
export function cssVariable(themeColorId: string): string {
  return `--vscode-${themeColorId.replace(/\./g, '-')}`;
}

/**
 * Lane colours: the chip of each lane in the lane labels and the lane table, and the editor's
 * highlight of that thread's current line. None is a state's colour: a chip in recv's blue would
 * read as "this thread waits in recv". The charts and terminal palettes have no four more hues
 * far from all the states' (09 shows nearly every state), so these are the theme colours no state
 * uses that are furthest from them and from each other: each at least 10 from every state colour
 * and 30 from the other lane colours (CIE76, Dark and Light Modern;
 * test/webview/panel-colours.test.ts). The chip is a dot, not a bar, so that its shape too says
 * "lane", not "state". Lanes beyond four repeat them; their names tell them apart.
 */
export const LANE_THEME_COLORS: readonly string[] = ['terminal.ansiBrightYellow', 'terminal.ansiBlue', 'terminal.ansiBrightGreen', 'terminal.ansiRed'];

/**
 * The state to show for a span: a pool or carrier thread that is alive but doing nothing traced
 * is waiting for work (on a condition variable the trace does not see), so it is idle.
 */
export function shownState(kind: LaneKindId, depth: number, state: LaneStateId): LaneStateId {
  if (depth === 0 && state === LaneState.running && (kind === LaneKind.pool || kind === LaneKind.carrier)) {
    return LaneState.idle;
  }
  return state;
}

/** The key of a state's words in the panel's string tables: running -> stateRunning. */
export function stateStringKey(state: LaneStateId): PanelStringKey {
  const name = LANE_STATE_NAMES[state];
  return `state${name[0].toUpperCase()}${name.slice(1)}` as PanelStringKey;
}

/** The key of a lane kind's words: carrier -> laneKindCarrier. */
export function laneKindStringKey(kind: LaneKindId): PanelStringKey {
  const name = LANE_KIND_NAMES[kind];
  return `laneKind${name[0].toUpperCase()}${name.slice(1)}` as PanelStringKey;
}

/**
 * The words of the state model: what a lane (a server thread, a green thread, a client
 * connection) is doing during a slice of time, in the lesson's terms rather than the kernel's.
 * Shared by the model, the Chrome exporter and the panel; no Node, no DOM.
 */
import type { PanelStringKey } from '../panel/protocol';

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
 */
export const STATE_THEME_COLOR: Readonly<Record<LaneStateName, string>> = {
  running: 'charts.green',
  waitAccept: 'charts.yellow',
  waitRecv: 'charts.blue',
  waitSend: 'terminal.ansiBrightBlue',
  waitSelect: 'charts.purple',
  waitEpoll: 'terminal.ansiMagenta',
  waitKevent: 'terminal.ansiBrightMagenta',
  waitLoop: 'terminal.ansiBrightMagenta',
  sleepPoll: 'charts.orange',
  callback: 'terminal.ansiBrightGreen',
  work: 'charts.red',
  parked: 'terminal.ansiCyan',
  mounted: 'terminal.ansiBrightGreen',
  idle: 'charts.lines',
  queued: 'terminal.ansiYellow',
  connected: 'charts.lines',
  // Not waitRecv's blue: a client waiting for its reply is not the server waiting in recv. Every
  // other chart colour is some server state's; done and gone are never drawn, so this one is free.
  awaitingReply: 'charts.foreground',
  done: 'charts.foreground',
  gone: 'charts.foreground',
  runnable: 'terminal.ansiYellow',
};

/** The CSS variable VS Code sets for a theme colour: `charts.blue` -> `--vscode-charts-blue`. */
export function cssVariable(themeColorId: string): string {
  return `--vscode-${themeColorId.replace(/\./g, '-')}`;
}

/** Lane colours (the label swatch and the editor highlight of the thread's current line). */
export const LANE_THEME_COLORS: readonly string[] = [
  'charts.blue',
  'charts.orange',
  'charts.green',
  'charts.purple',
  'charts.red',
  'charts.yellow',
  'terminal.ansiCyan',
  'terminal.ansiMagenta',
];

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

/**
 * A lesson scenario per stage: the connections, their timing and what they send, chosen so that
 * what the stage's model is about actually happens while it is traced (a client left in the
 * backlog, threads that come and go, empty polls, a slow request in the pool or on the loop, green
 * threads parked and resumed on different carriers). Run Stage and `server-models run` use these
 * by default; the notes' plain client stays one setting (or flag) away. Every traced connection
 * is a NotesConnection, so every reply byte is checked against the protocol oracle, every wait
 * has a deadline and an early end of stream is a failure, exactly as in the notes' client; the
 * idle connections of 06 are the experiment runner's `idle` script, which checks their `*`.
 */
import { performance } from 'node:perf_hooks';
import { SLOW_PRIME } from '../experiments';
import { runGroup } from '../experimentRunner/clients/runGroup';
import { isPrime } from '../protocol';
import { findStage, type StageId } from '../stages';
import type { ClientEvent, ClientFailure } from './clientEvent';
import { elapsedLine, logLine } from './logLine';
import type { NotesClientResult } from './notesClient';
import { NotesConnection, type ConnectionDeadlines, type ConversationStep } from './notesConnection';

/** One traced connection of a scenario: a client lane in the recording. */
export interface LessonConnection {
  /** When it connects, ms after the scenario starts. */
  readonly startAtMs: number;
  /** What it sends and the pause after each piece, as in the notes' conversation. */
  readonly conversation: readonly ConversationStep[];
  /** A notes-style line said when it starts, saying what it is for. */
  readonly note?: string;
  /** Sends at once after the TCP connect instead of waiting for `*` (03's starved client). */
  readonly sendBeforeAck?: boolean;
  /**
   * Connections of one wave send together: each one's i-th piece goes out once all of them are
   * ready for it, in one turn of the event loop, so the pieces reach the server within
   * microseconds as one burst (09's carriers must share it) instead of one burst each.
   */
  readonly wave?: string;
}

/**
 * Connections that only sit there, registered with the server: they send nothing, are not
 * traced (so a hundred of them do not become a hundred client lanes) and are summed up in one line.
 */
export interface IdleGroup {
  readonly count: number;
  /** When they connect, ms after the scenario starts. */
  readonly startAtMs: number;
  /**
   * How long each stays at most, ms after its TCP connect. They leave as soon as the traced
   * connections are done, so that their hundred closes do not fall inside the lesson.
   */
  readonly holdMs: number;
}

export interface LessonScenario {
  readonly stage: StageId;
  /** One line, English, for the client terminal and the CLI: what to watch for. */
  readonly summary: string;
  /** Flags the stage runs with for this scenario, e.g. ['--carriers', '2']; [] if none. */
  readonly stageArgs: readonly string[];
  /** The traced connections; connection i is `conn<i>` and lane i of the client's trace. */
  readonly connections: readonly LessonConnection[];
  readonly idle?: IdleGroup;
  /**
   * The answers of the scenario's work requests, by number. The client must not work them out
   * itself: trial division of the slow prime would stall this process as long as the server.
   */
  readonly workAnswers: Readonly<Record<string, boolean>>;
  readonly deadlines: ConnectionDeadlines;
}

export interface LessonRunOptions {
  readonly host?: string;
  readonly port: number;
  readonly signal?: AbortSignal;
  /** Every event of every traced connection, plus `note` events (a line, no trace record). */
  readonly onEvent?: (event: ClientEvent) => void;
}

/** The slow request of 07, 08 and 09: about a second of trial division (experiments.ts). */
export const LESSON_SLOW_PRIME = SLOW_PRIME;
/**
 * A short request: about a millisecond of trial division (433,000 odd divisors), long enough
 * that a carrier busy with it is seen at the default zoom, short enough to pin nothing.
 */
export const LESSON_SHORT_PRIME = '750000000031';

/**
 * Generous: a wait only ends early when something is wrong. ackMs covers a serial stage serving
 * the clients before; replyMs a slow prime on a machine busy with other work.
 */
const DEADLINES: ConnectionDeadlines = { connectMs: 5_000, ackMs: 10_000, replyMs: 15_000 };

function frame(text: string): string {
  return `^${text}$`;
}

/** `count` frames, `everyMs` apart; the text varies so each reply is told apart in the log. */
function echoes(count: number, everyMs: number, text = 'ab'): ConversationStep[] {
  return Array.from({ length: count }, (_, i) => ({ send: frame(`${text}${i}`), waitMs: everyMs }));
}

/** `count` turns, `everyMs` apart, each an echo and a short work request sent as one piece. */
function echoesWithWork(count: number, everyMs: number, text: string): ConversationStep[] {
  return Array.from({ length: count }, (_, i) => ({ send: `${frame(`${text}${i}`)}!${LESSON_SHORT_PRIME}$`, waitMs: everyMs }));
}

function pause(ms: number): ConversationStep {
  return { send: '', waitMs: ms };
}

function slowRequest(conn: number, what: string): ConversationStep {
  return { send: `!${LESSON_SLOW_PRIME}$`, waitMs: 0, note: `conn${conn} asks: is ${LESSON_SLOW_PRIME} prime? (slow request, ${what})` };
}

const SLOW_ANSWER: Readonly<Record<string, boolean>> = { [LESSON_SLOW_PRIME]: true };

function scenario(stage: StageId, fields: Omit<LessonScenario, 'stage' | 'workAnswers' | 'deadlines'> & { workAnswers?: LessonScenario['workAnswers'] }): LessonScenario {
  return { stage, workAnswers: {}, deadlines: DEADLINES, ...fields };
}

function build(stage: StageId): LessonScenario {
  switch (stage) {
    case '01-sequential':
      return scenario(stage, {
        summary: "Three clients at once, one served at a time: conn1 and conn2 wait in the listen backlog (connected, no '*') until the one before them leaves.",
        stageArgs: [],
        connections: [0, 1, 2].map((i) => ({
          startAtMs: i * 100,
          conversation: echoes(3, 300, `c${i}-`),
          ...(i > 0 ? { note: `conn${i} connects while conn0 is served: it waits in the backlog` } : {}),
        })),
      });
    case '02-thread-per-client':
      return scenario(stage, {
        summary: 'Five clients arrive 300 ms apart and leave one by one: each gets its own thread, so threads alive rise to 5 and fall back to 0.',
        stageArgs: [],
        connections: [0, 1, 2, 3, 4].map((i) => ({
          startAtMs: i * 300,
          // Arriving 300 ms apart and leaving 150 ms apart: all five are there from 1.2 s to 1.8 s.
          conversation: echoes(5, 360 - 30 * i, `t${i}-`),
          note: `conn${i} arrives: a new thread for it`,
        })),
      });
    case '03-blocking-io':
      return scenario(stage, {
        summary: "conn0 keeps the only thread asleep in recv between its sends; conn1 sends at once but gets nothing, not even its '*', until conn0 leaves.",
        stageArgs: [],
        connections: [
          { startAtMs: 0, conversation: [...echoes(4, 500, 'first'), pause(300)] },
          {
            startAtMs: 300,
            sendBeforeAck: true,
            note: 'conn1 connects and sends while the thread is asleep in recv for conn0',
            conversation: [{ send: frame('second'), waitMs: 200 }],
          },
        ],
      });
    case '04-nonblocking-polling':
      return scenario(stage, {
        summary: 'The poller asks every socket, finds EAGAIN and sleeps, again and again: empty polls pile up while the clients send only now and then.',
        // The interval is the user's (serverModels.pollIntervalMs, or `-- --poll-interval-ms`).
        stageArgs: [],
        connections: [
          { startAtMs: 0, conversation: [pause(600), ...echoes(3, 900, 'now')] },
          { startAtMs: 100, conversation: [pause(1500), ...echoes(1, 1500, 'then')] },
          { startAtMs: 200, note: 'conn2 connects and says nothing: every pass asks it anyway', conversation: [pause(3000)] },
        ],
      });
    case '05-select':
      return scenario(stage, {
        summary: 'Clients connect one by one, so each select is handed one more fd; only conn0 talks, so select wakes up with one ready fd out of all of them.',
        stageArgs: [],
        connections: [0, 1, 2, 3, 4].map((i) => ({
          startAtMs: i * 300,
          conversation: i === 0 ? [pause(1500), ...echoes(4, 400, 'one')] : [pause(3300 - i * 300)],
          ...(i === 0 ? {} : { note: `conn${i} connects and stays quiet: one more fd for every select` }),
        })),
      });
    case '06-epoll':
      return scenario(stage, {
        summary: '100 idle connections registered once with the kernel and two that talk: each wait returns only the one or two ready sockets.',
        stageArgs: [],
        idle: { count: 100, startAtMs: 0, holdMs: 5_000 },
        connections: [
          { startAtMs: 700, conversation: echoes(5, 450, 'ready') },
          { startAtMs: 900, conversation: echoes(3, 700, 'also') },
        ],
      });
    case '07-libuv':
      return scenario(stage, {
        summary: "conn3's slow prime goes to a libuv pool thread; the loop keeps echoing the other three clients while it runs.",
        stageArgs: [],
        workAnswers: SLOW_ANSWER,
        connections: [
          ...[0, 1, 2].map((i) => ({ startAtMs: i * 70, conversation: echoes(12, 200, `e${i}-`) })),
          { startAtMs: 500, conversation: [slowRequest(3, 'for the thread pool')] },
        ],
      });
    case '08-ae':
      return scenario(stage, {
        summary: "conn3's slow prime runs on the loop itself: every client's echo waits until it is done, and the 250 ms timer fires late.",
        stageArgs: ['--timer-ms', '250'],
        workAnswers: SLOW_ANSWER,
        connections: [
          ...[0, 1, 2].map((i) => ({ startAtMs: i * 70, conversation: echoes(12, 200, `e${i}-`) })),
          { startAtMs: 500, conversation: [slowRequest(3, 'on the loop')] },
        ],
      });
    case '09-green-threads':
      return scenario(stage, {
        summary: "Five clients ask together, in waves: five green threads take turns on two carriers and park on EAGAIN; conn5's slow prime pins one carrier, so the other serves every wave alone.",
        stageArgs: ['--carriers', '2'],
        workAnswers: { ...SLOW_ANSWER, [LESSON_SHORT_PRIME]: true },
        connections: [
          ...[0, 1, 2, 3, 4].map((i) => ({ startAtMs: 0, wave: 'turns', conversation: echoesWithWork(7, 300, `g${i}-`) })),
          { startAtMs: 750, conversation: [slowRequest(5, 'it never parks, so it holds its carrier')] },
        ],
      });
  }
}

export function lessonScenario(stage: StageId): LessonScenario {
  return build(stage);
}

/**
 * How long the scenario takes if nothing is late, ms: its last connection's end. A serial stage
 * serves one connection after another, so each of its conversations starts when the one before
 * has ended (or when it connects, if later).
 */
export function plannedDurationMs(s: LessonScenario): number {
  const serial = findStage(s.stage)?.concurrency === 'serial';
  let previousEnd = 0;
  const ends = s.connections.map((c) => {
    const length = c.conversation.reduce((sum, step) => sum + step.waitMs, 0);
    previousEnd = (serial ? Math.max(c.startAtMs, previousEnd) : c.startAtMs) + length;
    return previousEnd;
  });
  return Math.max(0, ...ends, ...(s.idle ? [s.idle.startAtMs + s.idle.holdMs] : []));
}

/** The scenario's work requests, by number, in order. */
export function workRequests(s: LessonScenario): string[] {
  const numbers: string[] = [];
  for (const c of s.connections) for (const step of c.conversation) for (const m of step.send.matchAll(/!(\d{1,19})\$/g)) numbers.push(m[1]);
  return numbers;
}

/**
 * A barrier for the connections of one wave: arrive() resolves, for all who wait, once every
 * member still running waits; a member that ends (done or failed) leaves, so the rest go on.
 */
class Wave {
  private waiting: (() => void)[] = [];

  constructor(private live: number) {}

  arrive(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.release();
    });
  }

  leave(): void {
    this.live--;
    this.release();
  }

  /** On abort: nobody waits for anybody any more. */
  disband(): void {
    this.live = 0;
    this.release();
  }

  private release(): void {
    if (this.waiting.length === 0 || this.waiting.length < this.live) return;
    const go = this.waiting;
    this.waiting = [];
    for (const resolve of go) resolve();
  }
}

/** Resolves after `ms`, or at once when the signal aborts (the connection then fails as aborted). */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

export async function runLessonScenario(scenario: LessonScenario, options: LessonRunOptions): Promise<NotesClientResult> {
  const host = options.host ?? '127.0.0.1';
  const emit = options.onEvent ?? (() => undefined);
  const note = (message: string, conn = -1) => {
    const at = new Date();
    emit({ kind: 'note', conn, at, monoNs: process.hrtime.bigint(), line: logLine('INFO', at, message) });
  };
  // One signal for the idle group, which needs one, ended with the scenario or the caller's.
  const local = new AbortController();
  const stop = () => local.abort();
  if (options.signal?.aborted) local.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  const answers = scenario.workAnswers;
  const answerWork = (n: bigint): boolean => answers[n.toString()] ?? isPrime(n);
  const start = performance.now();
  try {
    const idle = scenario.idle;
    const idleRun = idle
      ? runGroup(
          { label: 'idle', count: idle.count, startAtMs: idle.startAtMs, script: { kind: 'idle', holdMs: idle.holdMs } },
          {
            host,
            port: options.port,
            signal: local.signal,
            runStartMs: start,
            onConnected: (_group, connected) => note(`opened ${connected} idle connections (not traced: they only sit there, registered)`),
          },
        )
      : undefined;
    const members = new Map<string, number>();
    for (const { wave } of scenario.connections) if (wave !== undefined) members.set(wave, (members.get(wave) ?? 0) + 1);
    const waves = new Map([...members].map(([name, count]) => [name, new Wave(count)]));
    local.signal.addEventListener('abort', () => waves.forEach((w) => w.disband()), { once: true });
    const traced = scenario.connections.map(async (connection, index) => {
      const wave = connection.wave === undefined ? undefined : waves.get(connection.wave);
      try {
        await delay(start + connection.startAtMs - performance.now(), local.signal);
        if (connection.note !== undefined && !local.signal.aborted) note(connection.note, index);
        return await new NotesConnection(index, {
          host,
          port: options.port,
          conversation: connection.conversation,
          deadlines: scenario.deadlines,
          emit,
          signal: local.signal,
          answerWork,
          ...(connection.sendBeforeAck ? { awaitAck: false } : {}),
          ...(wave ? { beforeSend: () => wave.arrive() } : {}),
        }).run();
      } finally {
        wave?.leave();
      }
    });
    const outcomes = await Promise.all(traced);
    const failures = outcomes.filter((f): f is ClientFailure => f !== undefined);
    if (idleRun) {
      // The talkers are done: the idle ones may go (runIdle counts a stopped hold as complete).
      local.abort();
      const outcome = await idleRun;
      const failed = outcome.connections.filter((c) => !c.completed);
      if (failed.length > 0 || outcome.connections.length < idle!.count) {
        const first = failed[0];
        const refusedWhy = first?.refusal !== undefined ? `refused by the server: ${first.refusal}` : "closed by the server before its '*'";
        const why = first ? (first.refused ? refusedWhy : (first.problem ?? "no '*' from the server")) : 'not all were opened';
        failures.push({
          conn: scenario.connections.length,
          kind: first?.refused ? 'closed' : 'other',
          message: `idle connections: ${failed.length + idle!.count - outcome.connections.length} of ${idle!.count} did not stay connected and served; first: ${why}`,
        });
      } else {
        note(`closed ${idle!.count} idle connections`);
      }
      outcome.release();
    }
    const elapsedSeconds = (performance.now() - start) / 1000;
    return { ok: failures.length === 0, elapsedSeconds, elapsedLine: elapsedLine(elapsedSeconds), failures };
  } finally {
    options.signal?.removeEventListener('abort', stop);
    local.abort();
  }
}

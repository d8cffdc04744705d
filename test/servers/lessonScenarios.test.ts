/**
 * Every stage's lesson scenario (src/core/client/lessonScenarios.ts), run against the real stage
 * with its trace on, the way Run Stage records it (TraceSink + ClientTraceWriter + StageProcess):
 * the recording is read back into a TraceModel and the lesson must be in it, in the trace's own
 * events: clients left in the backlog, threads alive rising and falling, empty polls counted,
 * fds handed to select growing, many registered fds and few ready, work in the pool beside
 * echoes, a frozen loop and a late timer, green threads moving between carriers while one is
 * pinned. Orders of events are asserted, not durations, except where a ratio is the lesson.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClientTraceWriter } from '../../src/core/client/clientTrace';
import { lessonScenario, runLessonScenario, type LessonScenario } from '../../src/core/client/lessonScenarios';
import { StageProcess } from '../../src/core/stageProcess';
import { STAGES, type StageId } from '../../src/core/stages';
import { Kind } from '../../src/core/trace/format';
import { type Lane, type TraceModel } from '../../src/core/trace/model';
import { readRecording } from '../../src/core/trace/recording';
import { TraceSink, type SinkSummary } from '../../src/core/trace/sink';
import { LaneKind, LaneState, type LaneKindId, type LaneStateId } from '../../src/core/trace/states';
import { buildStage, waitUntil } from './harness';

const MS = 1e6;

interface Recorded {
  readonly scenario: LessonScenario;
  readonly model: TraceModel;
  /** The client's lines, notes included. */
  readonly lines: readonly string[];
  readonly stageLines: readonly string[];
}

let dir: string;

/**
 * What the stage logs once it has noticed every client leave, where the lesson includes that
 * (02's last thread exiting): stopping the stage before would cut it from the trace.
 */
const SETTLED: Partial<Record<StageId, RegExp>> = {
  '02-thread-per-client': /done \(0 alive\)$/,
};

async function record(id: StageId): Promise<Recorded> {
  const scenario = lessonScenario(id);
  const binary = await buildStage(id);
  const sink = await TraceSink.listen({ socketPath: join(dir, `${id.slice(0, 2)}.sock`), recordingPath: join(dir, `${id}.smrec`) });
  const lines: string[] = [];
  let stage: StageProcess | undefined;
  let failure: string | undefined;
  let summary: SinkSummary;
  try {
    stage = await StageProcess.start({ binary, port: 0, extraArgs: scenario.stageArgs, env: { SERVER_MODELS_TRACE: sink.socketPath }, startTimeoutMs: 10_000 });
    const stream = sink.openStream();
    const writer = new ClientTraceWriter((bytes) => stream.write(bytes));
    const result = await runLessonScenario(scenario, {
      port: stage.port,
      onEvent: (e) => {
        writer.event(e);
        if (e.line !== undefined) lines.push(e.line);
      },
    });
    stream.end();
    if (!result.ok) failure = result.failures.map((f) => f.message).join('; ');
    const settled = SETTLED[id];
    const running = stage;
    if (settled && result.ok) await waitUntil(() => running.lines.some((line) => settled.test(line)), 5_000, `${id} to log ${String(settled)}`);
  } finally {
    await stage?.stop();
    // Closed whatever happened: a listening sink left open would keep this test process alive.
    summary = await sink.close();
  }
  assert.equal(failure, undefined, `${id}: the scenario failed`);
  assert.deepEqual(summary.errors, [], `${id}: trace streams`);
  const { model, problems } = readRecording(new Uint8Array(await readFile(summary.recordingPath)));
  assert.deepEqual(problems, [], `${id}: the recording reads back`);
  return { scenario, model, lines, stageLines: stage?.lines ?? [] };
}

interface Ev {
  readonly time: number;
  readonly lane: number;
  readonly fd: number;
  readonly value: number;
}

/** Every event of `kind`, in time order, optionally only on some lanes. */
function events(model: TraceModel, kind: number, onLane?: (lane: Lane) => boolean): Ev[] {
  const e = model.events;
  const out: Ev[] = [];
  for (let i = 0; i < e.length; i++) {
    if (e.kind.get(i) !== kind) continue;
    const lane = e.lane.get(i);
    if (onLane && !onLane(model.lanes[lane])) continue;
    out.push({ time: e.time.get(i), lane, fd: e.fd.get(i), value: e.value.get(i) });
  }
  return out.sort((a, b) => a.time - b.time);
}

interface Span {
  readonly start: number;
  readonly end: number;
  readonly value: number;
}

/** A lane's spans in `state`, at any depth; an open span ends at the recording's end. */
function spans(model: TraceModel, lane: Lane, state: LaneStateId): Span[] {
  const out: Span[] = [];
  for (const level of lane.levels) {
    for (let i = 0; i < level.length; i++) {
      if (level.state.get(i) !== state) continue;
      const end = level.end.get(i);
      out.push({ start: level.start.get(i), end: Number.isFinite(end) && end > 0 ? end : model.maxTime, value: level.value.get(i) });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

function lanesOf(model: TraceModel, kind: LaneKindId): Lane[] {
  return model.lanes.filter((lane) => lane.kind === kind);
}

function client(model: TraceModel, conn: number): Lane {
  const lane = lanesOf(model, LaneKind.client).find((l) => l.name === `conn${conn}`);
  assert.ok(lane, `a client lane conn${conn}`);
  return lane;
}

/** The time of a client lane's only (or first) event of `kind`. */
function clientTime(model: TraceModel, conn: number, kind: number): number {
  const lane = client(model, conn);
  const found = events(model, kind, (l) => l === lane);
  assert.ok(found.length > 0, `conn${conn} has a ${kind} event`);
  return found[0].time;
}

function within(time: number, span: Span): boolean {
  return time > span.start && time < span.end;
}

function ms(ns: number): string {
  return `${(ns / MS).toFixed(1)} ms`;
}

const LESSONS: Record<StageId, (r: Recorded) => void> = {
  '01-sequential': ({ model }) => {
    for (const conn of [1, 2]) {
      const connected = clientTime(model, conn, Kind.CLIENT_CONNECTED);
      const previousClosed = clientTime(model, conn - 1, Kind.CLIENT_CLOSE);
      const acked = clientTime(model, conn, Kind.CLIENT_ACK);
      assert.ok(connected < previousClosed, `conn${conn} was connected (${ms(connected)}) before conn${conn - 1} left (${ms(previousClosed)})`);
      assert.ok(acked > previousClosed, `conn${conn}'s '*' (${ms(acked)}) came after conn${conn - 1} left (${ms(previousClosed)})`);
      const queued = spans(model, client(model, conn), LaneState.queued);
      assert.ok(queued.some((s) => s.end >= previousClosed), `conn${conn} is drawn queued until conn${conn - 1} left`);
    }
  },
  '02-thread-per-client': ({ model, scenario }) => {
    const n = scenario.connections.length;
    const started = events(model, Kind.THREAD_STARTED).map((e) => e.value);
    assert.deepEqual(started, Array.from({ length: n }, (_, i) => i + 1), 'each client thread starts with one more alive than the last');
    const series = model.counters.threads;
    const values = Array.from({ length: series.length }, (_, i) => series.value.get(i));
    const peak = values.indexOf(Math.max(...values));
    assert.equal(values[peak], n, `threads alive rose to ${n}: ${values.join(' ')}`);
    assert.equal(values[values.length - 1], 0, `and fell back to 0: ${values.join(' ')}`);
    const falling = values.slice(peak);
    assert.ok(new Set(falling).size >= n, `one by one, not all at once: ${values.join(' ')}`);
    assert.equal(lanesOf(model, LaneKind.thread).length, n + 1, 'the main thread and a thread per client');
  },
  '03-blocking-io': ({ model }) => {
    const firstLeft = clientTime(model, 0, Kind.CLIENT_CLOSE);
    const secondSent = clientTime(model, 1, Kind.CLIENT_SEND);
    const secondAcked = clientTime(model, 1, Kind.CLIENT_ACK);
    const secondReceived = clientTime(model, 1, Kind.CLIENT_RECEIVE);
    assert.ok(secondSent < firstLeft, 'conn1 sent while conn0 was still served');
    assert.ok(secondAcked > firstLeft, `conn1's '*' (${ms(secondAcked)}) only after conn0 left (${ms(firstLeft)})`);
    assert.ok(secondReceived > firstLeft, "and its echo too");
    const [server] = lanesOf(model, LaneKind.thread);
    assert.ok(
      spans(model, server, LaneState.waitRecv).some((s) => within(secondSent, s)),
      "the only thread was asleep in recv (for conn0) when conn1's bytes arrived",
    );
  },
  '04-nonblocking-polling': ({ model }) => {
    const reports = events(model, Kind.COUNT_EMPTY_POLLS).map((e) => e.value);
    assert.ok(reports.length >= 2, `the empty polls are reported as a counter, more than once: ${reports.join(' ')}`);
    assert.ok(reports.every((v, i) => i === 0 || v >= reports[i - 1]), `a count that only grows: ${reports.join(' ')}`);
    assert.ok(reports[reports.length - 1] >= 20, `and grows a lot: ${reports.join(' ')}`);
    const eagain = events(model, Kind.EAGAIN).length;
    const sleeps = lanesOf(model, LaneKind.thread).flatMap((lane) => spans(model, lane, LaneState.sleepPoll)).length;
    assert.ok(sleeps >= 10, `the poller slept between empty passes (${sleeps} sleeps)`);
    assert.ok(eagain >= 3 * sleeps, `each empty pass asked every socket and got EAGAIN (${eagain} EAGAIN, ${sleeps} sleeps)`);
    assert.ok(events(model, Kind.CLIENT_RECEIVE).length >= 4, 'and some traffic was served now and then');
  },
  '05-select': ({ model, scenario }) => {
    const n = scenario.connections.length;
    const begins = events(model, Kind.SELECT_BEGIN);
    const ends = events(model, Kind.SELECT_END);
    const firstAt = new Map<number, number>();
    for (const b of begins) if (!firstAt.has(b.value)) firstAt.set(b.value, b.time);
    const grown = Array.from({ length: n + 1 }, (_, i) => firstAt.get(i + 1));
    assert.ok(grown.every((t) => t !== undefined), `select was handed 1..${n + 1} fds: ${[...firstAt.keys()].join(' ')}`);
    assert.ok(grown.every((t, i) => i === 0 || (t ?? 0) > (grown[i - 1] ?? Infinity)), 'one more fd each time a client connected');
    // Each SELECT_END follows its SELECT_BEGIN on the one thread: pair them in order.
    const full = begins.map((b, i) => ({ watched: b.value, ready: ends[i]?.value ?? 0 })).filter((w) => w.watched === n + 1);
    assert.ok(full.length >= 3, `several selects over all ${n + 1} fds`);
    assert.ok(full.some((w) => w.ready >= 1), 'traffic woke some of them');
    assert.ok(full.every((w) => w.ready <= 2), `one talker: at most 2 of ${n + 1} ready per select (${full.map((w) => w.ready).join(' ')})`);
  },
  '06-epoll': ({ model, scenario, lines }) => {
    const idle = scenario.idle!.count;
    const waitKind = process.platform === 'linux' ? Kind.EPOLL_WAIT_BEGIN : Kind.KEVENT_BEGIN;
    const endKind = process.platform === 'linux' ? Kind.EPOLL_WAIT_END : Kind.KEVENT_END;
    const begins = events(model, waitKind);
    const ends = events(model, endKind);
    // The idle connections leave together once the talkers are done: a hundred closes at once,
    // after the lesson. Waits that ended before the last talker left cannot have seen them.
    const talkersDone = Math.max(...scenario.connections.map((_, conn) => clientTime(model, conn, Kind.CLIENT_CLOSE)));
    const busy = begins
      .map((b, i) => ({ registered: b.value, ready: ends[i]?.value ?? 0, end: ends[i]?.time ?? Infinity }))
      .filter((w) => w.registered >= idle && w.end < talkersDone);
    assert.ok(busy.length >= 5, `waits with all ${idle} idle sockets registered (${busy.length})`);
    assert.ok(busy.some((w) => w.ready >= 1), 'some woke with a ready socket');
    assert.ok(busy.every((w) => w.ready <= 3), `only the talkers are ever ready: ${busy.map((w) => w.ready).join(' ')}`);
    assert.equal(lanesOf(model, LaneKind.client).length, scenario.connections.length, 'the idle connections are no client lanes');
    assert.ok(lines.some((l) => l.endsWith(`opened ${idle} idle connections (not traced: they only sit there, registered)`)), 'the idle group says so in the log');
  },
  '07-libuv': ({ model }) => {
    const pool = lanesOf(model, LaneKind.pool);
    const work = pool.flatMap((lane) => spans(model, lane, LaneState.work));
    assert.equal(work.length, 1, 'the slow request ran once, on a pool thread');
    const [job] = work;
    const loop = lanesOf(model, LaneKind.thread);
    assert.equal(loop.length, 1, 'one loop thread');
    const callbacks = spans(model, loop[0], LaneState.callback).filter((s) => within(s.start, job));
    assert.equal(spans(model, loop[0], LaneState.work).length, 0, 'no work on the loop');
    assert.ok(callbacks.length >= 5, `the loop ran callbacks while the pool worked (${callbacks.length} in ${ms(job.end - job.start)})`);
    const echoed = [0, 1, 2].map((conn) => events(model, Kind.CLIENT_RECEIVE, (l) => l === client(model, conn)).filter((e) => within(e.time, job)).length);
    assert.ok(echoed.every((n) => n >= 2), `every other client got echoes during the work: ${echoed.join(' ')}`);
  },
  '08-ae': ({ model }) => {
    const [loop] = lanesOf(model, LaneKind.thread);
    const work = spans(model, loop, LaneState.work);
    assert.equal(work.length, 1, 'the slow request ran once, on the loop thread');
    const [job] = work;
    const length = job.end - job.start;
    assert.ok(length >= 400 * MS, `the slow request took long enough to see (${ms(length)})`);
    const others = [0, 1, 2].map((conn) => client(model, conn));
    // A reply already in flight when the work began may land a moment later.
    const frozen: Span = { start: job.start + 5 * MS, end: job.end, value: 0 };
    const asked = others.map((lane) => events(model, Kind.CLIENT_SEND, (l) => l === lane).filter((e) => within(e.time, frozen)).length);
    const answered = others.map((lane) => events(model, Kind.CLIENT_RECEIVE, (l) => l === lane).filter((e) => within(e.time, frozen)).length);
    assert.ok(asked.every((n) => n >= 2), `the other clients kept asking during the work: ${asked.join(' ')}`);
    assert.deepEqual(answered, [0, 0, 0], 'and got nothing until it was done');
    const late = events(model, Kind.TIMER_FIRED).filter((t) => t.time >= job.end && t.value >= length / 2);
    assert.ok(late.length >= 1, `the timer fired after the work, late by at least half of it (${ms(length / 2)})`);
  },
  '09-green-threads': ({ model, scenario }) => {
    const carriers = lanesOf(model, LaneKind.carrier);
    assert.equal(carriers.length, Number(scenario.stageArgs[scenario.stageArgs.indexOf('--carriers') + 1]), 'the carriers asked for');
    const mountedOn = carriers.map((lane) => spans(model, lane, LaneState.mounted));
    assert.ok(mountedOn.filter((s) => s.length > 0).length >= 2, 'at least two carriers ran green threads');
    const greens = lanesOf(model, LaneKind.green);
    assert.ok(greens.length > carriers.length, `more green threads (${greens.length}) than carriers`);
    const carriersOf = new Map<number, Set<number>>();
    for (const m of events(model, Kind.GREEN_MOUNTED)) {
      const seen = carriersOf.get(m.value) ?? new Set<number>();
      seen.add(m.lane);
      carriersOf.set(m.value, seen);
    }
    const parkedAndResumed = [...carriersOf.keys()].filter((id) => {
      const parks = events(model, Kind.GREEN_PARKED).filter((e) => e.value === id);
      const resumes = events(model, Kind.GREEN_RESUMED).filter((e) => e.value === id);
      return parks.length > 0 && resumes.some((r) => r.time > parks[0].time);
    });
    assert.ok(parkedAndResumed.length >= 3, `several green threads parked and resumed (${parkedAndResumed.length})`);
    const moved = [...carriersOf.values()].filter((s) => s.size >= 2).length;
    assert.ok(moved >= 2, `several green threads ran on more than one carrier (${moved})`);
    // Each wave asks five short questions at once: two carriers, so never more than two at work
    // (the others ready, waiting for a carrier), and every one answered.
    const work = carriers.flatMap((lane) => spans(model, lane, LaneState.work));
    const edges = work.flatMap((s) => [{ at: s.start, d: 1 }, { at: s.end, d: -1 }]).sort((a, b) => a.at - b.at || a.d - b.d);
    let atWork = 0;
    let mostAtWork = 0;
    for (const e of edges) mostAtWork = Math.max(mostAtWork, (atWork += e.d));
    assert.equal(mostAtWork, carriers.length, 'at most one request at work per carrier, and both carriers at work at some point');
    const waited = greens.filter((lane) => spans(model, lane, LaneState.runnable).length > 0).length;
    assert.ok(waited >= 3, `green threads that waited, ready, for a free carrier (${waited})`);
    // The slow request is the one long job: a second, where the short ones take a millisecond.
    const pinned = carriers.flatMap((lane) => spans(model, lane, LaneState.work).filter((span) => span.end - span.start > 200e6).map((span) => ({ lane, span })));
    assert.equal(pinned.length, 1, 'one carrier did the slow request');
    const [{ lane: held, span: job }] = pinned;
    const servedMeanwhile = carriers
      .filter((lane) => lane !== held)
      .flatMap((lane) => spans(model, lane, LaneState.mounted))
      .filter((s) => within(s.start, job)).length;
    assert.ok(servedMeanwhile >= 5, `the other carrier kept mounting green threads while one was pinned (${servedMeanwhile})`);
    const echoed = events(model, Kind.CLIENT_RECEIVE, (l) => l !== client(model, 5)).filter((e) => within(e.time, job)).length;
    assert.ok(echoed >= 5, `and the other clients got their echoes meanwhile (${echoed})`);
  },
};

describe('lesson scenarios, traced: each stage shows its lesson', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sm-lesson-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const stage of STAGES) {
    it(`${stage.id}: ${lessonScenario(stage.id).summary}`, { timeout: 120_000 }, async () => {
      const recorded = await record(stage.id);
      LESSONS[stage.id](recorded);
    });
  }
});

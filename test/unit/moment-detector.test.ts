/**
 * The moment detector on synthetic recordings encoded as the stages and the client write them:
 * each moment fires once, at the event (time, lane) its trigger names, whether the recording is
 * read whole or batch by batch; near misses and other stages' recordings fire nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectMoments, MomentDetector, type DetectedMoment } from '../../src/core/notes/momentDetector';
import { MOMENTS, type MomentId } from '../../src/core/notes/moments';
import { type StageId } from '../../src/core/stages';
import { encodeHeader, encodeName, encodeRecords, Kind, TraceSource, type TraceKindName } from '../../src/core/trace/format';
import { type TraceModel } from '../../src/core/trace/model';
import { concatBytes, encodeBlock, encodeRecordingHeader, readRecording, RecordingReader } from '../../src/core/trace/recording';
import { syntheticRecording } from '../../src/core/trace/syntheticRecording';

const MS = 1_000_000;
const SERVER = 0;
const CLIENT = 1;

/** One event: when (ms from the start), on which lane of its process, what. */
interface Ev {
  readonly at: number;
  readonly lane: number;
  readonly kind: TraceKindName;
  readonly fd?: number;
  readonly value?: number;
}

/** A block: the events of one stream that arrive together (one flush). */
type Block = readonly [stream: typeof SERVER | typeof CLIENT, events: readonly Ev[]];

function recording(stage: string, blocks: readonly Block[]): Uint8Array {
  const header = (source: number) => encodeHeader({ source, pid: 100 + source, startNs: 0n, startUnixNs: 0n, clock: 'CLOCK_MONOTONIC' });
  return concatBytes([
    encodeRecordingHeader(),
    encodeBlock(SERVER, concatBytes([header(TraceSource.server), encodeName(Kind.NAME_PROCESS, 0, stage, 0)])),
    encodeBlock(CLIENT, concatBytes([header(TraceSource.client), encodeName(Kind.NAME_PROCESS, 0, 'client', 0)])),
    ...blocks.map(([stream, events]) =>
      encodeBlock(stream, encodeRecords(events.map((e) => ({ timeNs: Math.round(e.at * MS), lane: e.lane, kind: Kind[e.kind], fd: e.fd ?? -1, value: e.value ?? 0 })))),
    ),
  ]);
}

/** The model's lane index of a process's lane. */
function laneOf(model: TraceModel, stream: number, lane: number): number {
  const found = model.lanes.find((l) => l.key === `${stream}:${lane}`);
  assert.ok(found, `lane ${stream}:${lane} exists`);
  return found.index;
}

function detectWhole(stage: string, blocks: readonly Block[]): { model: TraceModel; found: DetectedMoment[] } {
  const { model, problems } = readRecording(recording(stage, blocks));
  assert.deepEqual(problems, []);
  return { model, found: detectMoments(model) };
}

/** Detects the moments of `stage`'s recording, asserting that exactly `id` fires among those of interest. */
function assertFires(stage: string, blocks: readonly Block[], id: MomentId, at: { ms: number; stream: number; lane: number }): void {
  const { model, found } = detectWhole(stage, blocks);
  const hits = found.filter((m) => m.id === id);
  assert.equal(hits.length, 1, `${id} fires once in ${JSON.stringify(found.map((m) => m.id))}`);
  assert.equal(hits[0].time, at.ms * MS, `${id} at ${at.ms} ms`);
  assert.equal(hits[0].lane, laneOf(model, at.stream, at.lane), `${id} on lane ${at.stream}:${at.lane}`);
}

function assertSilent(stage: string, blocks: readonly Block[], id: MomentId): void {
  const { found } = detectWhole(stage, blocks);
  assert.deepEqual(found.filter((m) => m.id === id), [], `${id} does not fire`);
}

const server = (...events: Ev[]): Block => [SERVER, events];
const client = (...events: Ev[]): Block => [CLIENT, events];

describe('moment detector: first and n-th events', () => {
  it('thread-per-connection: the first THREAD_STARTED of 02', () => {
    const blocks = [server({ at: 1, lane: 1, kind: 'ACCEPT_BEGIN' }), server({ at: 5, lane: 2, kind: 'THREAD_STARTED', value: 1 }), server({ at: 6, lane: 3, kind: 'THREAD_STARTED', value: 2 })];
    assertFires('02-thread-per-client', blocks, 'thread-per-connection', { ms: 5, stream: SERVER, lane: 2 });
    // Another stage's recording does not have this moment, whatever its events.
    assertSilent('06-epoll', blocks, 'thread-per-connection');
  });

  it('first-eagain: the first EAGAIN of a recv, not of an accept', () => {
    assertFires('04-nonblocking-polling', [server({ at: 1, lane: 1, kind: 'EAGAIN', fd: 3, value: 3 }, { at: 2, lane: 1, kind: 'EAGAIN', fd: 5, value: 1 }, { at: 3, lane: 1, kind: 'EAGAIN', fd: 6, value: 1 })], 'first-eagain', { ms: 2, stream: SERVER, lane: 1 });
    assertSilent('04-nonblocking-polling', [server({ at: 1, lane: 1, kind: 'EAGAIN', fd: 3, value: 3 })], 'first-eagain');
  });

  it('fd-set-rebuilt: the second SELECT_BEGIN', () => {
    const select = (at: number): Ev[] => [{ at, lane: 1, kind: 'SELECT_BEGIN', fd: 5, value: 2 }, { at: at + 1, lane: 1, kind: 'SELECT_END', value: 1 }];
    assertFires('05-select', [server(...select(10), ...select(20), ...select(30))], 'fd-set-rebuilt', { ms: 20, stream: SERVER, lane: 1 });
    assertSilent('05-select', [server(...select(10))], 'fd-set-rebuilt');
  });

  it('fd-setsize-refused: a CONN_CLOSED with the refused reason, not a peer close', () => {
    const accepted: Ev = { at: 1, lane: 1, kind: 'CONN_ACCEPTED', fd: 1023, value: 40000 };
    assertFires('05-select', [server(accepted, { at: 2, lane: 1, kind: 'CONN_CLOSED', fd: 1023, value: 0 }, { at: 3, lane: 1, kind: 'CONN_CLOSED', fd: 1024, value: 2 })], 'fd-setsize-refused', { ms: 3, stream: SERVER, lane: 1 });
    assertSilent('05-select', [server(accepted, { at: 2, lane: 1, kind: 'CONN_CLOSED', fd: 1023, value: 0 })], 'fd-setsize-refused');
  });

  it('only-ready-returned, work-offloaded and green-thread-parked: their first event', () => {
    assertFires('06-epoll', [server({ at: 1, lane: 1, kind: 'EPOLL_WAIT_END', value: 1 }, { at: 2, lane: 1, kind: 'READY_FD', fd: 5, value: 1 })], 'only-ready-returned', { ms: 2, stream: SERVER, lane: 1 });
    assertFires('07-libuv', [server({ at: 4, lane: 1, kind: 'WORK_SUBMITTED', fd: 9, value: 97 }), server({ at: 5, lane: 2, kind: 'WORK_STARTED', fd: 9, value: 97 })], 'work-offloaded', { ms: 4, stream: SERVER, lane: 1 });
    assertFires('09-green-threads', [server({ at: 1, lane: 2, kind: 'GREEN_MOUNTED', value: 3 }, { at: 2, lane: 2, kind: 'GREEN_PARKED', fd: 7, value: 3 }, { at: 3, lane: 2, kind: 'GREEN_UNMOUNTED', value: 3 })], 'green-thread-parked', { ms: 2, stream: SERVER, lane: 2 });
  });

  it('timer-late: only a TIMER_FIRED later than 100 ms', () => {
    assertFires('08-ae', [server({ at: 1000, lane: 1, kind: 'TIMER_FIRED', value: 50 * MS }, { at: 2900, lane: 1, kind: 'TIMER_FIRED', value: 900 * MS })], 'timer-late', { ms: 2900, stream: SERVER, lane: 1 });
    assertSilent('08-ae', [server({ at: 1000, lane: 1, kind: 'TIMER_FIRED', value: 100 * MS })], 'timer-late');
  });
});

describe('moment detector: connections served at once', () => {
  const accept = (at: number, fd: number, lane = 1): Ev => ({ at, lane, kind: 'CONN_ACCEPTED', fd, value: 40000 + fd });
  const close = (at: number, fd: number, lane = 1, value = 0): Ev => ({ at, lane, kind: 'CONN_CLOSED', fd, value });

  it('two-clients-served fires at the accept that makes two open, not on one after another', () => {
    assertFires('04-nonblocking-polling', [server(accept(1, 5), close(2, 5), accept(3, 5), accept(4, 6))], 'two-clients-served', { ms: 4, stream: SERVER, lane: 1 });
    assertSilent('04-nonblocking-polling', [server(accept(1, 5), close(2, 5), accept(3, 5), close(4, 5), accept(5, 6))], 'two-clients-served');
  });

  it('a refused connection (closed, never accepted) changes nothing', () => {
    assertFires('05-select', [server(accept(1, 5), close(2, 1024, 1, 2), accept(3, 6))], 'two-clients-served', { ms: 3, stream: SERVER, lane: 1 });
    assertSilent('05-select', [server(accept(1, 5), close(2, 1024, 1, 2), close(3, 5), accept(4, 6))], 'two-clients-served');
  });

  it("02's threads close fds the accept thread reuses; a close that arrives before its accept still pairs up", () => {
    // Thread 2 serves fd 5 and closes it at 3 ms; the accept thread (lane 1) had flushed fd 5's
    // accept at 1 ms, and flushes fd 5's reuse at 4 ms before thread 2's close arrives.
    assertSilent('02-thread-per-client', [server(accept(1, 5)), server(accept(4, 5)), server(close(3, 5, 2))], 'two-clients-served');
    assertFires('02-thread-per-client', [server(accept(1, 5)), server(accept(4, 5)), server(close(3, 5, 2)), server(accept(6, 7))], 'two-clients-served', { ms: 6, stream: SERVER, lane: 1 });
  });
});

describe('moment detector: clients waiting for their "*"', () => {
  const connected = (at: number, lane: number): Ev => ({ at, lane, kind: 'CLIENT_CONNECTED', value: 50000 + lane });
  const ack = (at: number, lane: number): Ev => ({ at, lane, kind: 'CLIENT_ACK' });

  it('client-in-backlog fires at connect + 100 ms on the waiting connection', () => {
    assertFires('01-sequential', [client(connected(0, 1), connected(1, 2), ack(2, 1), ack(250, 2))], 'client-in-backlog', { ms: 101, stream: CLIENT, lane: 2 });
    assertSilent('01-sequential', [client(connected(0, 1), connected(1, 2), ack(2, 1), ack(90, 2))], 'client-in-backlog');
  });

  it("another connection's later event proves the wait before the ack comes", () => {
    const { model, found } = detectWhole('03-blocking-io', [client(connected(0, 1), ack(1, 1), connected(300, 2), { at: 1000, lane: 1, kind: 'CLIENT_SEND', value: 14 })]);
    const starved = found.find((m) => m.id === 'second-client-starved');
    assert.ok(starved);
    assert.equal(starved.time, 800 * MS);
    assert.equal(starved.lane, laneOf(model, CLIENT, 2));
  });

  it('second-client-starved needs 500 ms; a client refused quickly is not starved', () => {
    assertSilent('03-blocking-io', [client(connected(0, 1), ack(1, 1), connected(300, 2), ack(700, 2))], 'second-client-starved');
    assertSilent('03-blocking-io', [client(connected(0, 1), ack(1, 1), connected(300, 2), { at: 301, lane: 2, kind: 'CLIENT_CLOSE', value: 1 }, { at: 2000, lane: 1, kind: 'CLIENT_SEND' })], 'second-client-starved');
  });

  it('a server event later than the limit is no evidence: only the client stream is', () => {
    assertSilent('01-sequential', [client(connected(0, 1)), server({ at: 500, lane: 1, kind: 'RECV_BEGIN', fd: 5 })], 'client-in-backlog');
  });
});

describe('moment detector: a thread busy too long', () => {
  const wait = (at: number, lane = 1): Ev => ({ at, lane, kind: 'EPOLL_WAIT_BEGIN', fd: 3, value: 4 });
  const woke = (at: number, lane = 1): Ev => ({ at, lane, kind: 'EPOLL_WAIT_END', fd: 3, value: 1 });

  it('loop-blocked fires at the start of the busy stretch + 100 ms', () => {
    const slow = [wait(0), woke(10), wait(40), woke(60), { at: 61, lane: 1, kind: 'WORK_STARTED', fd: 5, value: 7 } as Ev, { at: 1060, lane: 1, kind: 'WORK_DONE', fd: 5, value: 1 } as Ev, wait(1061)];
    assertFires('08-ae', [server(...slow)], 'loop-blocked', { ms: 160, stream: SERVER, lane: 1 });
    // Two seconds asleep in epoll_wait is not blocked: it is waiting.
    assertSilent('08-ae', [server(wait(0), woke(2000), wait(2010))], 'loop-blocked');
  });

  it("07: a callback inside libuv's poll phase is busy even though the LOOP_WAIT span is open", () => {
    const loop: Ev[] = [
      { at: 0, lane: 1, kind: 'LOOP_WAIT_BEGIN', value: 2 },
      { at: 5, lane: 1, kind: 'CALLBACK_BEGIN', fd: 9, value: 1 },
      { at: 5, lane: 1, kind: 'WORK_STARTED', fd: 9, value: 97 },
      { at: 1005, lane: 1, kind: 'WORK_DONE', fd: 9, value: 1 },
      { at: 1005, lane: 1, kind: 'CALLBACK_END', fd: 9, value: 1 },
      { at: 1006, lane: 1, kind: 'LOOP_WAIT_END' },
    ];
    assertFires('07-libuv', [server(...loop)], 'loop-blocked', { ms: 105, stream: SERVER, lane: 1 });
    // The same work on a pool thread leaves the loop free.
    assertSilent('07-libuv', [server({ at: 0, lane: 1, kind: 'LOOP_WAIT_BEGIN', value: 2 }, { at: 5, lane: 1, kind: 'CALLBACK_BEGIN', fd: 9, value: 1 }, { at: 5, lane: 1, kind: 'WORK_SUBMITTED', fd: 9, value: 97 }, { at: 6, lane: 1, kind: 'CALLBACK_END', fd: 9, value: 1 }), server({ at: 6, lane: 2, kind: 'WORK_STARTED', fd: 9, value: 97 }, { at: 1006, lane: 2, kind: 'WORK_DONE', fd: 9, value: 1 })], 'loop-blocked');
  });

  it("another lane's later event proves nothing: the busy lane's own buffer may not be flushed yet", () => {
    const reader = new RecordingReader();
    const detector = new MomentDetector(reader.model);
    const bytes = recording('06-epoll', [server(wait(0), woke(10)), client({ at: 900, lane: 1, kind: 'CLIENT_SEND', value: 6 })]);
    reader.push(bytes);
    assert.deepEqual(detector.update().map((m) => m.id).filter((id) => id === 'loop-blocked'), []);
  });

  it('stopping: closing every client after the last wait is not a blocked loop', () => {
    const closes = Array.from({ length: 5 }, (_, i): Ev => ({ at: 20 + i * 100, lane: 1, kind: 'CONN_CLOSED', fd: 5 + i, value: 3 }));
    assertSilent('06-epoll', [server(wait(0), woke(10), ...closes)], 'loop-blocked');
  });

  it('carrier-pinned: a green thread mounted for over 100 ms; short mounts are not', () => {
    const mount = (at: number, g: number): Ev => ({ at, lane: 2, kind: 'GREEN_MOUNTED', value: g });
    const unmount = (at: number, g: number): Ev => ({ at, lane: 2, kind: 'GREEN_UNMOUNTED', value: g });
    const short = Array.from({ length: 20 }, (_, i) => [mount(i * 50, i), unmount(i * 50 + 40, i)]).flat();
    assertSilent('09-green-threads', [server(...short)], 'carrier-pinned');
    assertFires('09-green-threads', [server(mount(0, 1), unmount(2, 1), mount(10, 2), { at: 11, lane: 2, kind: 'WORK_STARTED', fd: 7, value: 97 }, { at: 1011, lane: 2, kind: 'WORK_DONE', fd: 7, value: 1 }, unmount(1012, 2))], 'carrier-pinned', { ms: 110, stream: SERVER, lane: 2 });
  });
});

describe('moment detector: incremental', () => {
  const blocks: Block[] = [
    server({ at: 0, lane: 1, kind: 'SELECT_BEGIN', fd: 4, value: 1 }),
    client({ at: 1, lane: 1, kind: 'CLIENT_CONNECTED', value: 50001 }),
    server({ at: 2, lane: 1, kind: 'SELECT_END', value: 1 }, { at: 2, lane: 1, kind: 'CONN_ACCEPTED', fd: 5, value: 50001 }, { at: 3, lane: 1, kind: 'SELECT_BEGIN', fd: 6, value: 2 }),
    client({ at: 4, lane: 1, kind: 'CLIENT_ACK' }, { at: 5, lane: 2, kind: 'CLIENT_CONNECTED', value: 50002 }),
    server({ at: 6, lane: 1, kind: 'SELECT_END', value: 1 }, { at: 6, lane: 1, kind: 'CONN_ACCEPTED', fd: 6, value: 50002 }, { at: 7, lane: 1, kind: 'SELECT_BEGIN', fd: 7, value: 3 }),
    server({ at: 8, lane: 1, kind: 'SELECT_END', value: 1 }, { at: 8, lane: 1, kind: 'CONN_CLOSED', fd: 1024, value: 2 }, { at: 9, lane: 1, kind: 'SELECT_BEGIN', fd: 7, value: 3 }),
  ];
  const bytes = recording('05-select', blocks);

  it('read in small chunks with an update after each, every moment fires once, as when read whole', () => {
    const whole = detectWhole('05-select', blocks).found.map((m) => ({ ...m }));
    assert.deepEqual(whole.map((m) => m.id).sort(), ['fd-set-rebuilt', 'fd-setsize-refused', 'two-clients-served']);
    for (const chunk of [1, 7, 32, 100]) {
      const reader = new RecordingReader();
      const detector = new MomentDetector(reader.model);
      const fired: DetectedMoment[] = [];
      for (let at = 0; at < bytes.length; at += chunk) {
        reader.push(bytes.subarray(at, at + chunk));
        fired.push(...detector.update());
      }
      fired.push(...detector.finish(), ...detector.update());
      assert.deepEqual(fired.map((m) => ({ ...m })).sort((a, b) => a.time - b.time), [...whole].sort((a, b) => a.time - b.time), `chunks of ${chunk}`);
      assert.deepEqual(detector.found.length, fired.length);
    }
  });

  it('waits for the server process to say which stage it is before looking', () => {
    const reader = new RecordingReader();
    const detector = new MomentDetector(reader.model);
    // The client's stream first: on its own it could be any stage.
    const clientOnly = concatBytes([
      encodeRecordingHeader(),
      encodeBlock(CLIENT, concatBytes([encodeHeader({ source: TraceSource.client, pid: 1, startNs: 0n, startUnixNs: 0n, clock: 'CLOCK_MONOTONIC' }), encodeName(Kind.NAME_PROCESS, 0, 'client', 0)])),
      encodeBlock(CLIENT, encodeRecords([{ timeNs: 0, lane: 1, kind: Kind.CLIENT_CONNECTED }, { timeNs: 300 * MS, lane: 2, kind: Kind.CLIENT_CONNECTED }, { timeNs: 900 * MS, lane: 2, kind: Kind.CLIENT_SEND }])),
    ]);
    reader.push(clientOnly);
    assert.deepEqual(detector.update(), []);
    assert.equal(detector.stage, undefined);
    reader.push(encodeBlock(SERVER, concatBytes([encodeHeader({ source: TraceSource.server, pid: 2, startNs: 0n, startUnixNs: 0n, clock: 'CLOCK_MONOTONIC' }), encodeName(Kind.NAME_PROCESS, 0, '06-epoll', 0)])));
    // 06 has no backlog moment: the client's long wait is not reported.
    assert.deepEqual(detector.update(), []);
    assert.equal(detector.stage, '06-epoll');
  });

  it('a client recording alone: finish() looks for every moment', () => {
    const reader = new RecordingReader();
    const detector = new MomentDetector(reader.model);
    reader.push(concatBytes([
      encodeRecordingHeader(),
      encodeBlock(CLIENT, concatBytes([encodeHeader({ source: TraceSource.client, pid: 1, startNs: 0n, startUnixNs: 0n, clock: 'CLOCK_MONOTONIC' }), encodeRecords([{ timeNs: 0, lane: 1, kind: Kind.CLIENT_CONNECTED }, { timeNs: 700 * MS, lane: 2, kind: Kind.CLIENT_SEND }])])),
    ]));
    assert.deepEqual(detector.update(), []);
    assert.deepEqual(detector.finish().map((m) => [m.id, m.time / MS]), [['client-in-backlog', 100], ['second-client-starved', 500]]);
  });
});

describe('moment detector: a realistic recording without the moments', () => {
  it("06's busy loop with workers and 16 clients: only its own moments fire", () => {
    const { model } = readRecording(syntheticRecording({ events: 50_000 }));
    const ids = detectMoments(model).map((m) => m.id).sort();
    // Stretches of microseconds, every client acknowledged at once, work on a pool (07's moment, not 06's).
    assert.deepEqual(ids, ['only-ready-returned', 'two-clients-served']);
  });

  it('every moment of moments.ts has a trigger the detector knows', () => {
    const { model } = readRecording(recording('01-sequential', []));
    for (const stage of ['01-sequential', '02-thread-per-client', '03-blocking-io', '04-nonblocking-polling', '05-select', '06-epoll', '07-libuv', '08-ae', '09-green-threads'] as StageId[]) {
      assert.deepEqual(new MomentDetector(model, { stage, moments: MOMENTS }).update(), []);
    }
  });
});

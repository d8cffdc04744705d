/**
 * Request journeys on hand-made recordings, one per thing the matcher must get right: a recv that
 * reads two messages, a message read by two recvs, a connection queued in the backlog, work
 * waiting for a pool thread and its answer for the loop, a green thread waiting for a carrier,
 * messages no one read or answered, and a client with no server side. Every journey's segments
 * must add up to its latency to the nanosecond and its pieces tile its time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kind, type TraceNames } from '../../src/core/trace/format';
import { TraceModel } from '../../src/core/trace/model';
import { requestJourneys, SEGMENTS, type RequestJourney, type RequestJourneys, type SegmentName } from '../../src/core/trace/requests';
import { header, record } from './trace-model.support';

const SERVER = 0;
const CLIENT = 1;

interface Fed {
  readonly stream: typeof SERVER | typeof CLIENT;
  readonly record: ReturnType<typeof record>;
}

/** A server thread's event: lane 1 is main, fd the peer's. */
function srv(timeNs: number, lane: number, kind: number, fd = -1, value = 0): Fed {
  return { stream: SERVER, record: record(timeNs, lane, kind, value, fd) };
}

/** Client connection `conn`'s event. */
function cli(timeNs: number, conn: number, kind: number, value = 0): Fed {
  return { stream: CLIENT, record: record(timeNs, conn, kind, value) };
}

/** A recording of these events, fed in time order, the client's lanes named conn0, conn1, ... */
function recording(events: readonly Fed[], options: { readonly serverStream?: boolean } = {}): TraceModel {
  const model = new TraceModel();
  const clientNames: TraceNames = { files: new Map(), lanes: new Map(), process: 'client' };
  for (const e of events) if (e.stream === CLIENT) clientNames.lanes.set(e.record.lane, `conn${e.record.lane}`);
  if (options.serverStream ?? true) model.addStream(SERVER, header('server'), { files: new Map(), lanes: new Map(), process: 'stage' });
  model.addStream(CLIENT, header('client', 101), clientNames);
  const ordered = [...events].sort((a, b) => a.record.timeNs - b.record.timeNs);
  for (const e of ordered) if (options.serverStream !== false || e.stream === CLIENT) model.add(e.stream, e.record);
  return model;
}

/** The connection's `index`th request, its segments checked to tile its latency exactly. */
function request(journeys: RequestJourneys, connection: string, index: number): RequestJourney {
  const found = journeys.requests.find((r) => r.connection === connection && r.index === index);
  assert.ok(found, `a journey for ${connection} #${index}: ${JSON.stringify(journeys.unanswered)}`);
  const sum = SEGMENTS.reduce((total, s) => total + found.segments[s], 0);
  assert.equal(sum, found.latencyNs, `${connection} #${index}: the segments add up to the latency`);
  assert.equal(found.latencyNs + found.clientNs, found.endNs - found.startNs, `${connection} #${index}: latency and the client's pause fill its time`);
  found.pieces.forEach((piece, i) => {
    assert.ok(piece.endNs > piece.startNs, `${connection} #${index}: piece ${i} is not empty`);
    assert.equal(piece.startNs, i === 0 ? found.startNs : found.pieces[i - 1].endNs, `${connection} #${index}: piece ${i} starts where the last ended`);
  });
  assert.equal(found.pieces[found.pieces.length - 1]?.endNs, found.endNs, `${connection} #${index}: the pieces reach the reply`);
  return found;
}

/** Only the segments with time in them. */
function spent(journey: RequestJourney): Partial<Record<SegmentName, number>> {
  return Object.fromEntries(Object.entries(journey.segments).filter(([, ns]) => ns > 0));
}

/** A blocking server (01-like) accepting conn `conn` on fd 5 at `acceptNs`; the client's connect and `*` around it. */
function connection(conn: number, port: number, connectNs: number, acceptNs: number): Fed[] {
  return [
    cli(connectNs, conn, Kind.CLIENT_CONNECT),
    cli(connectNs + 5, conn, Kind.CLIENT_CONNECTED, port),
    srv(acceptNs - 1, 1, Kind.ACCEPT_END, 3, 5),
    srv(acceptNs, 1, Kind.CONN_ACCEPTED, 5, port),
    cli(acceptNs + 10, conn, Kind.CLIENT_ACK),
  ];
}

describe('request journeys: bytes along each connection', () => {
  it('one recv that reads two messages: both are answered by the send after it, and both end at its receive', () => {
    const journeys = requestJourneys(
      recording([
        srv(0, 1, Kind.ACCEPT_BEGIN, 3),
        ...connection(0, 50_000, 0, 20),
        srv(50, 1, Kind.RECV_BEGIN, 5),
        cli(100, 0, Kind.CLIENT_SEND, 6),
        cli(110, 0, Kind.CLIENT_SEND, 6),
        srv(120, 1, Kind.RECV_END, 5, 12),
        srv(130, 1, Kind.SEND_BEGIN, 5, 8),
        srv(140, 1, Kind.SEND_END, 5, 8),
        srv(141, 1, Kind.RECV_BEGIN, 5),
        cli(150, 0, Kind.CLIENT_RECEIVE, 8),
      ]),
    );
    assert.deepEqual(journeys.connections, [{ connection: 'conn0', serverFd: 5, reads: 'bytes', replies: 'bytes' }]);
    const first = request(journeys, 'conn0', 0);
    // From the connect: accepted at 20, `*` at 30, the client's own 70 ns before it sent at 100.
    assert.deepEqual(spent(first), { backlog: 20, greeting: 10, receive_buffer: 20, server: 10, send: 20 });
    assert.equal(first.clientNs, 70);
    const second = request(journeys, 'conn0', 1);
    assert.deepEqual(spent(second), { receive_buffer: 10, server: 10, send: 20 });
    assert.equal(second.endNs, first.endNs, 'read together, answered together');
    assert.deepEqual(journeys.unanswered, []);
  });

  it('one message read by two recvs: it waits until the recv that takes its last byte, and its reply ends with the second echo', () => {
    const journeys = requestJourneys(
      recording([
        srv(0, 1, Kind.ACCEPT_BEGIN, 3),
        ...connection(0, 50_000, 0, 20),
        srv(50, 1, Kind.RECV_BEGIN, 5),
        cli(100, 0, Kind.CLIENT_SEND, 12),
        srv(120, 1, Kind.RECV_END, 5, 5),
        srv(121, 1, Kind.SEND_BEGIN, 5, 4),
        srv(124, 1, Kind.SEND_END, 5, 4),
        srv(127, 1, Kind.RECV_BEGIN, 5),
        cli(130, 0, Kind.CLIENT_RECEIVE, 4),
        srv(200, 1, Kind.RECV_END, 5, 7),
        srv(205, 1, Kind.SEND_BEGIN, 5, 6),
        srv(206, 1, Kind.SEND_END, 5, 6),
        srv(207, 1, Kind.RECV_BEGIN, 5),
        cli(210, 0, Kind.CLIENT_RECEIVE, 3),
        cli(230, 0, Kind.CLIENT_RECEIVE, 3),
        // The next message, read whole: its reply is only what was sent after its own recv.
        cli(300, 0, Kind.CLIENT_SEND, 4),
        srv(310, 1, Kind.RECV_END, 5, 4),
        srv(311, 1, Kind.SEND_BEGIN, 5, 2),
        srv(312, 1, Kind.SEND_END, 5, 2),
        srv(313, 1, Kind.RECV_BEGIN, 5),
        cli(320, 0, Kind.CLIENT_RECEIVE, 2),
      ]),
    );
    const split = request(journeys, 'conn0', 0);
    // 100..200 waiting for the second recv: the thread asleep in recv and send, but for the 4 ns it ran between them.
    assert.deepEqual(spent(split), { backlog: 20, greeting: 10, receive_buffer: 96, wait_thread: 4, server: 5, send: 25 });
    assert.equal(split.endNs, 230, "the reply's last byte came in the second receive of the second send");
    assert.deepEqual(spent(request(journeys, 'conn0', 1)), { receive_buffer: 10, server: 1, send: 9 });
  });

  it('a connection queued in the backlog: its first message counts from the connect, the wait named backlog', () => {
    const journeys = requestJourneys(
      recording([
        srv(0, 1, Kind.ACCEPT_BEGIN, 3),
        ...connection(0, 50_000, 0, 20),
        cli(30, 1, Kind.CLIENT_CONNECT),
        cli(35, 1, Kind.CLIENT_CONNECTED, 50_001),
        srv(40, 1, Kind.RECV_BEGIN, 5),
        cli(100, 0, Kind.CLIENT_SEND, 4),
        srv(110, 1, Kind.RECV_END, 5, 4),
        srv(111, 1, Kind.SEND_BEGIN, 5, 2),
        srv(112, 1, Kind.SEND_END, 5, 2),
        srv(113, 1, Kind.RECV_BEGIN, 5),
        cli(120, 0, Kind.CLIENT_RECEIVE, 2),
        cli(200, 0, Kind.CLIENT_CLOSE),
        srv(210, 1, Kind.RECV_END, 5, 0),
        srv(211, 1, Kind.CONN_CLOSED, 5, 0),
        srv(212, 1, Kind.ACCEPT_BEGIN, 3),
        // conn1 has been connected since 30; fd 5 again.
        srv(213, 1, Kind.ACCEPT_END, 3, 5),
        srv(214, 1, Kind.CONN_ACCEPTED, 5, 50_001),
        srv(215, 1, Kind.RECV_BEGIN, 5),
        cli(224, 1, Kind.CLIENT_ACK),
        cli(225, 1, Kind.CLIENT_SEND, 4),
        srv(230, 1, Kind.RECV_END, 5, 4),
        srv(231, 1, Kind.SEND_BEGIN, 5, 2),
        srv(232, 1, Kind.SEND_END, 5, 2),
        cli(240, 1, Kind.CLIENT_RECEIVE, 2),
      ]),
    );
    assert.equal(journeys.connections[1].serverFd, 5, 'conn1 is the second connection on fd 5, by its port');
    const queued = request(journeys, 'conn1', 0);
    assert.deepEqual(spent(queued), { backlog: 184, greeting: 10, receive_buffer: 5, server: 1, send: 9 });
    assert.equal(queued.latencyNs, 210 - 1);
    assert.ok(queued.segments.backlog > 3 * request(journeys, 'conn0', 0).latencyNs);
    assert.deepEqual(
      journeys.summary.segments.map((s) => s.segment),
      ['backlog', 'greeting', 'send', 'receive_buffer', 'server'],
      'the summary puts the longest wait first',
    );
    assert.ok(Math.abs(journeys.summary.segments.reduce((sum, s) => sum + s.share, 0) - 1) < 1e-12, 'shares of the whole');
  });
});

describe('request journeys: waits for the loop, the pool, a carrier', () => {
  it('a work request on a libuv-like loop: in the receive buffer, waiting for a pool thread, working, its answer waiting for the loop', () => {
    const loop = 1;
    const pool = 2;
    const journeys = requestJourneys(
      recording([
        srv(0, loop, Kind.LOOP_WAIT_BEGIN),
        cli(0, 0, Kind.CLIENT_CONNECT),
        cli(2, 0, Kind.CLIENT_CONNECTED, 50_000),
        srv(5, loop, Kind.CONN_ACCEPTED, 7, 50_000),
        cli(8, 0, Kind.CLIENT_ACK),
        cli(0, 1, Kind.CLIENT_CONNECT),
        cli(2, 1, Kind.CLIENT_CONNECTED, 50_001),
        srv(6, loop, Kind.CONN_ACCEPTED, 8, 50_001),
        cli(9, 1, Kind.CLIENT_ACK),
        cli(90, 0, Kind.CLIENT_SEND, 21),
        srv(100, loop, Kind.CALLBACK_BEGIN, 7, 1),
        srv(101, loop, Kind.WORK_SUBMITTED, 7, 1_000_003),
        srv(102, loop, Kind.CALLBACK_END, 7, 1),
        srv(103, loop, Kind.LOOP_WAIT_END),
        srv(104, loop, Kind.LOOP_WAIT_BEGIN),
        srv(300, pool, Kind.WORK_STARTED, 7, 1_000_003),
        // conn1's echo arrives while the loop runs another callback: it waits for the loop.
        srv(400, loop, Kind.CALLBACK_BEGIN, 9, 1),
        cli(410, 1, Kind.CLIENT_SEND, 4),
        srv(430, loop, Kind.CALLBACK_END, 9, 1),
        srv(431, loop, Kind.CALLBACK_BEGIN, 8, 1),
        srv(433, loop, Kind.CALLBACK_END, 8, 1),
        cli(440, 1, Kind.CLIENT_RECEIVE, 2),
        srv(1300, pool, Kind.WORK_DONE, 7, 1),
        srv(1350, loop, Kind.CALLBACK_BEGIN, 7, 2),
        srv(1360, loop, Kind.CALLBACK_END, 7, 2),
        cli(1400, 0, Kind.CLIENT_RECEIVE, 6),
      ]),
    );
    assert.deepEqual(journeys.connections[0], { connection: 'conn0', serverFd: 7, reads: 'time', replies: 'time' });
    const slow = request(journeys, 'conn0', 0);
    assert.deepEqual(spent(slow), { backlog: 5, greeting: 3, receive_buffer: 10, server: 11, wait_pool: 199, work: 1000, wait_loop: 50, send: 40 });
    const echo = request(journeys, 'conn1', 0);
    // Busy with fd 9 until 430, then back in its wait for 1 ns before it ran conn1's callback.
    assert.deepEqual(spent(echo), { backlog: 6, greeting: 3, wait_loop: 20, receive_buffer: 1, server: 2, send: 7 });
  });

  it('a loop frozen by work (08-like): messages sent meanwhile wait for the loop, are read by one callback and answered together', () => {
    const loop = 1;
    const journeys = requestJourneys(
      recording([
        cli(0, 0, Kind.CLIENT_CONNECT),
        cli(2, 0, Kind.CLIENT_CONNECTED, 50_000),
        srv(5, loop, Kind.CONN_ACCEPTED, 7, 50_000),
        cli(8, 0, Kind.CLIENT_ACK),
        srv(10, loop, Kind.EPOLL_WAIT_BEGIN, 4, 3),
        srv(40, loop, Kind.EPOLL_WAIT_END, 4, 1),
        // Another client's work request, on the loop itself.
        srv(50, loop, Kind.CALLBACK_BEGIN, 9, 1),
        srv(51, loop, Kind.WORK_STARTED, 9, 1_000_003),
        cli(100, 0, Kind.CLIENT_SEND, 4),
        cli(150, 0, Kind.CLIENT_SEND, 4),
        srv(300, loop, Kind.WORK_DONE, 9, 1),
        srv(301, loop, Kind.CALLBACK_END, 9, 1),
        srv(302, loop, Kind.EPOLL_WAIT_BEGIN, 4, 3),
        srv(303, loop, Kind.EPOLL_WAIT_END, 4, 1),
        srv(310, loop, Kind.CALLBACK_BEGIN, 7, 1),
        srv(312, loop, Kind.CALLBACK_END, 7, 1),
        cli(320, 0, Kind.CLIENT_RECEIVE, 4),
        // The next message is read at 410, its reply and the one before it come only at 500.
        cli(400, 0, Kind.CLIENT_SEND, 4),
        srv(410, loop, Kind.CALLBACK_BEGIN, 7, 1),
        srv(412, loop, Kind.CALLBACK_END, 7, 1),
        cli(450, 0, Kind.CLIENT_SEND, 4),
        srv(460, loop, Kind.CALLBACK_BEGIN, 7, 1),
        srv(462, loop, Kind.CALLBACK_END, 7, 1),
        cli(500, 0, Kind.CLIENT_RECEIVE, 4),
      ]),
    );
    const first = request(journeys, 'conn0', 0);
    const second = request(journeys, 'conn0', 1);
    // The loop ran from 40 on: busy with the other client until 302, waiting in epoll for a moment, then ours.
    assert.deepEqual(spent(first), { backlog: 5, greeting: 3, wait_loop: 209, receive_buffer: 1, server: 2, send: 8 });
    assert.deepEqual(spent(second), { wait_loop: 159, receive_buffer: 1, server: 2, send: 8 });
    assert.equal(first.endNs, second.endNs, 'read by one callback, answered together');
    assert.equal(request(journeys, 'conn0', 2).endNs, 500, 'no reply before the next read: it came with the next one');
    assert.equal(request(journeys, 'conn0', 3).endNs, 500);
  });

  it('a green thread: parked until its bytes came, ready until a carrier took it, then its work', () => {
    const carrier0 = 2;
    const carrier1 = 3;
    const poller = 4;
    const green = 7;
    const journeys = requestJourneys(
      recording([
        cli(0, 0, Kind.CLIENT_CONNECT),
        cli(2, 0, Kind.CLIENT_CONNECTED, 50_000),
        srv(4, carrier0, Kind.GREEN_STARTED, 8, green),
        srv(6, carrier1, Kind.GREEN_MOUNTED, -1, green),
        srv(7, carrier1, Kind.CONN_ACCEPTED, 8, 50_000),
        srv(8, carrier1, Kind.GREEN_UNMOUNTED, -1, green),
        srv(9, carrier1, Kind.GREEN_PARKED, 8, green),
        cli(10, 0, Kind.CLIENT_ACK),
        cli(100, 0, Kind.CLIENT_SEND, 20),
        srv(120, poller, Kind.READY_FD, 8, 1),
        srv(121, poller, Kind.GREEN_RESUMED, 8, green),
        // Both carriers busy with others until 200.
        srv(200, carrier0, Kind.GREEN_MOUNTED, 8, green),
        srv(205, carrier0, Kind.WORK_STARTED, 8, 750_000_000_031),
        srv(305, carrier0, Kind.WORK_DONE, 8, 1),
        srv(310, carrier0, Kind.GREEN_UNMOUNTED, -1, green),
        srv(311, carrier0, Kind.GREEN_PARKED, 8, green),
        cli(330, 0, Kind.CLIENT_RECEIVE, 10),
      ]),
    );
    assert.deepEqual(journeys.connections[0], { connection: 'conn0', serverFd: 8, reads: 'green thread', replies: 'time' });
    const asked = request(journeys, 'conn0', 0);
    // Taken at 4 (GREEN_STARTED): the `*` needed the new green thread to run first.
    assert.deepEqual(spent(asked), { backlog: 4, greeting: 6, receive_buffer: 21, wait_carrier: 79, server: 11, work: 100, send: 19 });
  });
});

describe('request journeys: what cannot be followed', () => {
  it('a message no recv took, and one whose reply never came, are listed apart; the rest still add up', () => {
    const journeys = requestJourneys(
      recording([
        srv(0, 1, Kind.ACCEPT_BEGIN, 3),
        ...connection(0, 50_000, 0, 20),
        srv(40, 1, Kind.RECV_BEGIN, 5),
        cli(100, 0, Kind.CLIENT_SEND, 4),
        srv(110, 1, Kind.RECV_END, 5, 4),
        srv(111, 1, Kind.SEND_BEGIN, 5, 2),
        srv(112, 1, Kind.SEND_END, 5, 2),
        srv(113, 1, Kind.RECV_BEGIN, 5),
        cli(120, 0, Kind.CLIENT_RECEIVE, 2),
        // Bytes outside a frame: read, nothing to answer.
        cli(200, 0, Kind.CLIENT_SEND, 3),
        srv(210, 1, Kind.RECV_END, 5, 3),
        srv(211, 1, Kind.RECV_BEGIN, 5),
        // Sent as the server stopped: never read.
        cli(300, 0, Kind.CLIENT_SEND, 4),
        srv(301, 1, Kind.CONN_CLOSED, 5, 3),
      ]),
    );
    request(journeys, 'conn0', 0);
    assert.deepEqual(
      journeys.unanswered.map((u) => [u.index, u.reason]),
      [
        [1, 'no reply'],
        [2, 'not read'],
      ],
    );
    assert.equal(journeys.summary.unanswered, 2);
  });

  it('a client trace with no server side: its requests are timed, untraced', () => {
    const journeys = requestJourneys(
      recording(
        [
          cli(0, 0, Kind.CLIENT_CONNECT),
          cli(5, 0, Kind.CLIENT_CONNECTED, 50_000),
          cli(10, 0, Kind.CLIENT_ACK),
          cli(100, 0, Kind.CLIENT_SEND, 4),
          cli(150, 0, Kind.CLIENT_RECEIVE, 2),
          cli(200, 0, Kind.CLIENT_SEND, 4),
          cli(260, 0, Kind.CLIENT_RECEIVE, 2),
        ],
        { serverStream: false },
      ),
    );
    assert.deepEqual(journeys.connections, [{ connection: 'conn0', serverFd: undefined, reads: 'none', replies: 'time' }]);
    assert.deepEqual(spent(request(journeys, 'conn0', 0)), { untraced: 50 });
    assert.deepEqual(spent(request(journeys, 'conn0', 1)), { untraced: 60 });
  });
});

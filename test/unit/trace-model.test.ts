/**
 * The trace state model: what each lane is doing, in the lesson's words, from the records the
 * stages and the client write. Example runs for each model, then properties over random streams.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Kind } from '../../src/core/trace/format';
import { TraceModel } from '../../src/core/trace/model';
import { laneKindStringKey, LaneKind, LaneState, shownState, stateStringKey } from '../../src/core/trace/states';
import { PANEL_STRINGS_EN, PANEL_STRINGS_KO, panelStrings } from '../../src/core/panel/strings';
import { arbitraryRun, byKey, feed, header, names, record, type StreamRecord } from './trace-model.support';

function model(records: readonly StreamRecord[]): TraceModel {
  return feed(new TraceModel(), records);
}

const server = (r: ReturnType<typeof record>): StreamRecord => ({ stream: 0, record: r });
const client = (r: ReturnType<typeof record>): StreamRecord => ({ stream: 1, record: r });

describe('trace model: words', () => {
  it('every state and lane kind has words in English and Korean', () => {
    for (const table of [PANEL_STRINGS_EN, PANEL_STRINGS_KO]) {
      for (const state of Object.values(LaneState)) assert.ok(table[stateStringKey(state)], `state ${state}`);
      for (const kind of Object.values(LaneKind)) assert.ok(table[laneKindStringKey(kind)], `kind ${kind}`);
    }
    assert.equal(PANEL_STRINGS_EN[stateStringKey(LaneState.waitEpoll)], 'waiting in epoll_wait');
    assert.equal(panelStrings('ko-KR'), PANEL_STRINGS_KO);
    assert.equal(panelStrings('de'), PANEL_STRINGS_EN);
  });
});

describe('trace model: the lessons, one model at a time', () => {
  it('sequential: the server waits in accept, later clients are queued in the backlog until their `*`', () => {
    const m = model([
      server(record(1000, 1, Kind.THREAD_STARTED, 1, -1, 10)),
      server(record(1100, 1, Kind.ACCEPT_BEGIN, 0, 3, 20)),
      client(record(1200, 1, Kind.CLIENT_CONNECT)),
      client(record(1210, 1, Kind.CLIENT_CONNECTED, 50001)),
      client(record(1220, 2, Kind.CLIENT_CONNECT)),
      client(record(1230, 2, Kind.CLIENT_CONNECTED, 50002)),
      server(record(1300, 1, Kind.ACCEPT_END, 4, 3, 20)),
      server(record(1301, 1, Kind.CONN_ACCEPTED, 50001, 4, 21)),
      client(record(1310, 1, Kind.CLIENT_ACK)),
      server(record(1400, 1, Kind.RECV_BEGIN, 0, 4, 30)),
      client(record(1500, 1, Kind.CLIENT_SEND, 14)),
    ]);
    const at = (t: number) => byKey(m, m.stateAtTime(t));
    assert.equal(at(1150)['0:1'].state, LaneState.waitAccept);
    assert.equal(at(1250)['1:1'].state, LaneState.queued);
    assert.equal(at(1350)['1:1'].state, LaneState.connected);
    assert.equal(at(1350)['1:2'].state, LaneState.queued, 'the second client is still in the backlog');
    assert.equal(at(1450)['0:1'].state, LaneState.waitRecv);
    assert.equal(at(1600)['1:1'].state, LaneState.awaitingReply);
    assert.equal(at(900)['0:1'], undefined, 'before its start a lane is not alive');
    assert.deepEqual(m.sourceAt(m.lanes[0].index, 1450, Infinity), { file: 'stage/main.c', line: 30, event: m.lanes[0].events.get(4) });
  });

  it('select: the wait carries how many fds it watches, and the counter follows each call', () => {
    const m = model([
      server(record(10, 1, Kind.SELECT_BEGIN, 5, 9)),
      server(record(20, 1, Kind.SELECT_END, 2, 9)),
      server(record(30, 1, Kind.READY_FD, 1, 4)),
      server(record(40, 1, Kind.SELECT_BEGIN, 7, 9)),
    ]);
    const first = m.stateAtTime(15);
    assert.equal(first.lanes[0].state, LaneState.waitSelect);
    assert.equal(first.lanes[0].value, 5);
    assert.equal(first.counters.reported.fdsWatched, 5);
    assert.equal(m.stateAtTime(45).counters.reported.fdsWatched, 7);
    assert.equal(m.lanes[0].instants.length, 1, 'the ready fd is an instant');
  });

  it('nesting: a wait inside a callback, work inside it; an end closes what is open inside it', () => {
    const m = model([
      server(record(10, 1, Kind.CALLBACK_BEGIN, 1, 4)),
      server(record(20, 1, Kind.WORK_STARTED, 97, 4)),
      server(record(30, 1, Kind.CALLBACK_END, 1, 4)),
      server(record(40, 1, Kind.WORK_DONE, 1, 4)),
    ]);
    assert.equal(m.stateAtTime(25).lanes[0].state, LaneState.work);
    assert.equal(m.stateAtTime(25).lanes[0].depth, 2);
    assert.equal(m.stateAtTime(35).lanes[0].state, LaneState.running, 'CALLBACK_END closed the work inside it');
    assert.equal(m.lanes[0].levels[2].end.get(0), 30);
  });

  it('an end without a begin is ignored, and DROPPED after the exit does not revive a thread', () => {
    const m = model([
      server(record(10, 1, Kind.RECV_END, 5, 4)),
      server(record(20, 1, Kind.THREAD_EXITED, 0)),
      server(record(30, 1, Kind.DROPPED, 12)),
    ]);
    assert.equal(m.stateAtTime(15).lanes[0].state, LaneState.running);
    assert.equal(m.stateAtTime(25).lanes[0].state, LaneState.gone);
    assert.equal(m.stateAtTime(35).lanes[0].state, LaneState.gone);
    assert.equal(m.stateAtTime(35).counters.reported.dropped, 12);
  });

  it('thread per client: threads alive as the stage counts them', () => {
    const m = model([
      server(record(10, 1, Kind.THREAD_STARTED, 1)),
      server(record(20, 2, Kind.THREAD_STARTED, 2)),
      server(record(30, 3, Kind.THREAD_STARTED, 3)),
      server(record(40, 2, Kind.THREAD_EXITED, 2)),
    ]);
    assert.equal(m.stateAtTime(35).counters.reported.threads, 3);
    assert.equal(m.stateAtTime(35).counters.threadLanesAlive, 3);
    assert.equal(m.stateAtTime(45).counters.reported.threads, 2);
    assert.equal(m.stateAtTime(45).counters.threadLanesAlive, 2);
  });

  it('libuv: a lane that only runs work is a pool thread, idle between requests', () => {
    const m = model([
      server(record(10, 1, Kind.LOOP_WAIT_BEGIN, 3)),
      server(record(20, 1, Kind.LOOP_WAIT_END, 0)),
      server(record(21, 1, Kind.WORK_SUBMITTED, 97, 4)),
      server(record(30, 2, Kind.WORK_STARTED, 97, 4)),
      server(record(90, 2, Kind.WORK_DONE, 1, 4)),
      server(record(95, 1, Kind.LOOP_WAIT_BEGIN, 3)),
    ]);
    const [loop, pool] = m.lanes;
    assert.equal(loop.kind, LaneKind.thread);
    assert.equal(pool.kind, LaneKind.pool);
    const after = m.stateAtTime(92).lanes[pool.index];
    assert.equal(shownState(pool.kind, after.depth, after.state), LaneState.idle);
    assert.equal(m.stateAtTime(50).lanes[pool.index].state, LaneState.work);
  });

  it('green threads: mounted on a carrier, parked on EAGAIN, resumed, mounted elsewhere', () => {
    const m = model([
      server(record(10, 1, Kind.GREEN_STARTED, 7)),
      server(record(20, 1, Kind.GREEN_MOUNTED, 7)),
      server(record(30, 1, Kind.GREEN_PARKED, 7, 5)),
      server(record(31, 1, Kind.GREEN_UNMOUNTED, 7)),
      server(record(50, 2, Kind.GREEN_RESUMED, 7, 5)),
      server(record(60, 2, Kind.GREEN_MOUNTED, 7)),
      server(record(70, 2, Kind.WORK_STARTED, 97, 5)),
    ]);
    const green = m.lanes.find((l) => l.kind === LaneKind.green)!;
    assert.equal(green.name, 'green 7');
    const state = (t: number) => m.stateAtTime(t).lanes[green.index].state;
    assert.equal(state(15), LaneState.runnable);
    assert.equal(state(25), LaneState.running);
    assert.equal(state(40), LaneState.parked, 'unmounted because it parked: still parked');
    assert.equal(state(55), LaneState.runnable);
    assert.equal(state(65), LaneState.running);
    assert.equal(m.stateAtTime(25).counters.carriersBusy, 1);
    assert.equal(m.stateAtTime(40).counters.carriersBusy, 0);
    assert.equal(m.stateAtTime(75).counters.carriersBusy, 1, 'a carrier pinned by work inside the mount is busy');
    assert.equal(m.lanes.find((l) => l.key === '0:2')?.kind, LaneKind.carrier);
  });

  it('a late flush from another thread is placed in time order', () => {
    const m = model([
      server(record(100, 1, Kind.ACCEPT_BEGIN, 0, 3)),
      server(record(500, 1, Kind.ACCEPT_END, 4, 3)),
      server(record(200, 2, Kind.RECV_BEGIN, 0, 5)),
      server(record(300, 2, Kind.RECV_END, 3, 5)),
    ]);
    const times = Array.from({ length: m.eventCount }, (_, p) => m.timeAt(p));
    assert.deepEqual(times, [100, 200, 300, 500]);
  });

  it('names given after a lane started still name it', () => {
    const m = new TraceModel();
    const n = names();
    m.addStream(0, header('server'), n);
    m.add(0, record(10, 1, Kind.THREAD_STARTED, 1));
    assert.equal(m.lanes[0].name, 'thread 1');
    n.lanes.set(1, 'main');
    m.refreshNames(0);
    assert.equal(m.lanes[0].name, 'main');
  });
});

/** Checks the structure every lane must have, whatever the input. */
function assertWellFormed(m: TraceModel): void {
  for (const lane of m.lanes) {
    let openAtDepth = 0;
    lane.levels.forEach((level, depth) => {
      for (let i = 0; i < level.length; i++) {
        const start = level.start.get(i);
        if (level.isOpen(i)) {
          assert.ok(Number.isNaN(level.end.get(i)), 'an open span has no end');
          assert.equal(i, level.length - 1, 'only the last span of a depth can be open');
          openAtDepth = depth + 1;
        } else {
          assert.ok(level.end.get(i) >= start, `negative duration on ${lane.key} depth ${depth}`);
        }
        if (i > 0) assert.ok(start >= level.end.get(i - 1), 'spans of one depth do not overlap');
        if (depth > 0) {
          const parent = lane.levels[depth - 1].find(start, level.beginEvent.get(i));
          assert.ok(parent >= 0, `span at depth ${depth} of ${lane.key} lies inside one at depth ${depth - 1}`);
        }
      }
    });
    assert.equal(lane.openDepth, openAtDepth, 'the open spans are exactly the live stack');
  }
}

describe('trace model: properties over random event streams', () => {
  it('no negative durations, every slice closed or marked open, spans nest', () => {
    fc.assert(
      fc.property(arbitraryRun({ gapFloor: -500 }), (run) => {
        assertWellFormed(model(run));
      }),
      { numRuns: 300 },
    );
  });

  it('replay at any cursor equals the live state at that moment', () => {
    fc.assert(
      fc.property(arbitraryRun(), (run) => {
        const whole = model(run);
        // Feed the events in stepping order, one by one, as a live view receives them in order.
        const sorted = Array.from({ length: whole.eventCount }, (_, p) => run[whole.eventAt(p)]);
        const live = feed(new TraceModel(), []);
        sorted.forEach((item, p) => {
          live.add(item.stream, item.record);
          const now = live.current();
          const replay = whole.stateAtPosition(p);
          assert.deepEqual(byKey(live, now), byKey(whole, replay), `lanes after position ${p}`);
          assert.deepEqual(now.counters, replay.counters, `counters after position ${p}`);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('the order in which threads flush does not change the picture', () => {
    // Distinct times: then only flush order differs between the two arrivals. Green threads'
    // events come from several carriers, so they are the ones a flush order can scramble.
    const greenKinds = [Kind.GREEN_STARTED, Kind.GREEN_MOUNTED, Kind.GREEN_PARKED, Kind.GREEN_RESUMED, Kind.GREEN_UNMOUNTED, Kind.GREEN_EXITED, Kind.WORK_STARTED, Kind.WORK_DONE];
    const distinct = arbitraryRun({ serverKinds: greenKinds }).filter((run) => new Set(run.map((r) => r.record.timeNs)).size === run.length);
    fc.assert(
      fc.property(distinct, fc.nat(), (run, seed) => {
        const shuffled = [...run];
        // Rotate whole lanes' queues against each other, keeping each lane's own order.
        const key = (r: StreamRecord) => `${r.stream}:${r.record.lane}`;
        const lanes = [...new Set(run.map(key))];
        const first = lanes[seed % Math.max(1, lanes.length)];
        shuffled.sort((a, b) => Number(key(b) === first) - Number(key(a) === first));
        const a = model(run);
        const b = model(shuffled);
        for (const r of run) {
          assert.deepEqual(byKey(a, a.stateAtTime(r.record.timeNs)), byKey(b, b.stateAtTime(r.record.timeNs)));
        }
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * Recordings: the file the sink writes and the panel and CLI reopen. Read whole or in any
 * chunks, it gives the same model; damage is reported, not thrown.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeHeader, encodeName, encodeRecords, Kind, TraceSource } from '../../src/core/trace/format';
import { concatBytes, encodeBlock, encodeRecordingHeader, readRecording, RecordingReader } from '../../src/core/trace/recording';
import type { TraceModel } from '../../src/core/trace/model';
import { arbitraryRun, type StreamRecord } from './trace-model.support';

function streamHeader(source: number, pid: number): Uint8Array {
  return encodeHeader({ source, pid, startNs: 0n, startUnixNs: 0n, clock: 'CLOCK_MONOTONIC' });
}

/** A recording of a run: both streams' headers and names, then blocks in arrival order. */
function recordingOf(run: readonly StreamRecord[], recordsPerBlock = 3): Uint8Array {
  const blocks = [
    encodeRecordingHeader(),
    encodeBlock(0, concatBytes([streamHeader(TraceSource.server, 10), encodeName(Kind.NAME_PROCESS, 0, '05-select', 0), encodeName(Kind.NAME_FILE, 1, '05-select/main.c', 0), encodeName(Kind.NAME_LANE, 1, 'main', 0)])),
    encodeBlock(1, concatBytes([streamHeader(TraceSource.client, 11), encodeName(Kind.NAME_PROCESS, 0, 'client', 0)])),
  ];
  for (let i = 0; i < run.length; ) {
    const stream = run[i].stream;
    let j = i;
    while (j < run.length && j - i < recordsPerBlock && run[j].stream === stream) j++;
    blocks.push(encodeBlock(stream, encodeRecords(run.slice(i, j).map((r) => ({ ...r.record, timeNs: r.record.timeNs })))));
    i = j;
  }
  return concatBytes(blocks);
}

/** Everything a model holds, as plain data, for deep comparison. */
function dump(m: TraceModel): unknown {
  return {
    order: Array.from(m.order.data.subarray(0, m.order.length)),
    files: m.files,
    processes: [...m.processes.values()],
    lanes: m.lanes.map((l) => ({
      key: l.key,
      name: l.name,
      kind: l.kind,
      instants: Array.from(l.instants.data.subarray(0, l.instants.length)),
      levels: l.levels.map((v) => ({
        start: Array.from(v.start.data.subarray(0, v.length)),
        end: Array.from(v.end.data.subarray(0, v.length)),
        state: Array.from(v.state.data.subarray(0, v.length)),
      })),
    })),
    counters: Object.entries(m.counters).map(([name, c]) => [name, Array.from(c.value.data.subarray(0, c.length))]),
  };
}

describe('recordings', () => {
  it('read in chunks cut anywhere, a recording gives the same model as read whole', () => {
    fc.assert(
      fc.property(arbitraryRun(), fc.array(fc.nat(), { maxLength: 12 }), (run, cuts) => {
        const bytes = recordingOf(run);
        const whole = readRecording(bytes);
        assert.deepEqual(whole.problems, []);
        const reader = new RecordingReader();
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        let from = 0;
        for (const p of [...points, bytes.length]) {
          reader.push(bytes.subarray(from, p));
          from = p;
        }
        assert.deepEqual(reader.finish(), []);
        assert.deepEqual(dump(reader.model), dump(whole.model));
      }),
      { numRuns: 150 },
    );
  });

  it('keeps names, files and processes, and makes lanes unique across processes', () => {
    const run: StreamRecord[] = [
      { stream: 0, record: { timeNs: 10, lane: 1, kind: Kind.ACCEPT_BEGIN, fileId: 1, fd: 3, line: 42, value: 0 } },
      { stream: 1, record: { timeNs: 20, lane: 1, kind: Kind.CLIENT_CONNECT, fileId: 0, fd: -1, line: 0, value: 0 } },
    ];
    const { model } = readRecording(recordingOf(run));
    assert.deepEqual(
      model.lanes.map((l) => [l.key, l.name]),
      [
        ['0:1', 'main'],
        ['1:1', 'conn 1'],
      ],
    );
    assert.deepEqual(
      [...model.processes.values()].map((p) => [p.name, p.source, p.pid]),
      [
        ['05-select', 'server', 10],
        ['client', 'client', 11],
      ],
    );
    assert.deepEqual(model.sourceAt(0, 10, Infinity)?.file, '05-select/main.c');
  });

  it('reads a plain trace file (SERVER_MODELS_TRACE=<file>) as a recording of one stream', () => {
    const bytes = concatBytes([
      streamHeader(TraceSource.server, 7),
      encodeRecords([{ timeNs: 5, lane: 1, kind: Kind.RECV_BEGIN, fd: 4 }]),
    ]);
    const { model, problems } = readRecording(bytes);
    assert.deepEqual(problems, []);
    assert.equal(model.eventCount, 1);
  });

  it('reports damage and keeps what it could read', () => {
    assert.match(readRecording(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n')).problems.join(), /unknown magic/);
    assert.match(readRecording(new Uint8Array(3)).problems.join(), /too short/);

    const good = recordingOf([{ stream: 0, record: { timeNs: 1, lane: 1, kind: Kind.THREAD_STARTED, fileId: 0, fd: -1, line: 0, value: 1 } }]);
    const cut = readRecording(good.subarray(0, good.length - 5));
    assert.match(cut.problems.join(), /ends inside a block/);

    const garbageStream = concatBytes([good, encodeBlock(5, new TextEncoder().encode('x'.repeat(80)))]);
    const damaged = readRecording(garbageStream);
    assert.match(damaged.problems.join(), /stream 5: not a Server Models trace/);
    assert.equal(damaged.model.eventCount, 1, 'the good stream is still read');

    const halfRecord = concatBytes([good, encodeBlock(0, new Uint8Array(10))]);
    assert.match(readRecording(halfRecord).problems.join(), /stream 0 ends inside a record \(10 bytes\)/);
  });
});

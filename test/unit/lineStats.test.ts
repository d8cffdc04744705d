import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeLine, formatDuration, lineStats } from '../../src/core/annotations/lineStats';
import { concatBytes, RecordingReader } from '../../src/core/trace/recording';
import { encodeHeader, encodeName, encodeRecord, Kind, TraceSource } from '../../src/core/trace/format';

/** A one-stream trace: a thread waiting in recv twice at line 30, then working at line 40. */
function trace(): Uint8Array {
  const t0 = 1_000_000_000n;
  const parts = [
    encodeHeader({ source: TraceSource.server, pid: 42, startNs: t0, startUnixNs: 0n, clock: 'CLOCK_MONOTONIC' }),
    encodeName(Kind.NAME_FILE, 1, '03-blocking-io/main.c', t0),
    encodeRecord({ timeNs: t0 + 10n, lane: 0, kind: Kind.THREAD_STARTED, fileId: 1, line: 20, value: 1 }),
    encodeRecord({ timeNs: t0 + 100n, lane: 0, kind: Kind.RECV_BEGIN, fileId: 1, line: 30, fd: 5 }),
    encodeRecord({ timeNs: t0 + 2_000_100n, lane: 0, kind: Kind.RECV_END, fileId: 1, line: 30, fd: 5, value: 6 }),
    encodeRecord({ timeNs: t0 + 3_000_000n, lane: 0, kind: Kind.RECV_BEGIN, fileId: 1, line: 30, fd: 5 }),
    encodeRecord({ timeNs: t0 + 4_000_000n, lane: 0, kind: Kind.RECV_END, fileId: 1, line: 30, fd: 5, value: 0 }),
    encodeRecord({ timeNs: t0 + 5_000_000n, lane: 0, kind: Kind.WORK_STARTED, fileId: 1, line: 40, fd: 5, value: 7 }),
    encodeRecord({ timeNs: t0 + 1_505_000_000n, lane: 0, kind: Kind.WORK_DONE, fileId: 1, line: 41, fd: 5, value: 1 }),
  ];
  return concatBytes(parts);
}

test('calls are counted per line, and waits and work are timed from begin to end', () => {
  const reader = new RecordingReader();
  reader.push(trace());
  assert.deepEqual(reader.finish(), []);
  const stats = lineStats(reader.model);
  assert.deepEqual(stats.map((s) => `${s.file}:${s.line}`), ['03-blocking-io/main.c:20', '03-blocking-io/main.c:30', '03-blocking-io/main.c:40']);
  const recv = stats[1].calls[0];
  assert.equal(recv.call, 'recv');
  assert.equal(recv.count, 2);
  assert.equal(recv.spanNs, 3_000_000);
  const work = stats[2].calls[0];
  assert.equal(work.call, 'work');
  assert.equal(work.spanNs, 1_500_000_000);
  const words = { blocked: 'blocked', busy: 'busy' };
  assert.equal(describeLine(stats[1], words), 'recv ×2 · blocked 3.0 ms');
  assert.equal(describeLine(stats[2], words), 'work ×1 · busy 1.5 s');
});

test('durations are short and readable', () => {
  assert.equal(formatDuration(3_200_000_000), '3.2 s');
  assert.equal(formatDuration(41_000_000), '41 ms');
  assert.equal(formatDuration(300_000), "300 µs");
  assert.equal(formatDuration(12_000), '12 µs');
});

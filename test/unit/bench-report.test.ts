import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatJson, formatMicros, formatProgress, formatTable } from '../../src/core/bench/report';
import { noErrors, type BenchRow } from '../../src/core/bench/result';

function row(overrides: Partial<BenchRow> = {}): BenchRow {
  return {
    stage: '06-epoll', connections: 100, duration_s: 2.003, mode: 'open', rate: 10_000, payload_bytes: 16, work_every: null,
    sent: 20_000, received: 20_000, throughput_msgs_per_s: 9_987,
    latency_us: { p50: 66, p90: 180, p99: 1234, p999: 45_600, max: 2_345_678 },
    connect_us: { p50: 120, p99: 900, max: 1500 }, errors: noErrors(),
    verified_bytes: 280_000, expected_bytes: 280_000, client_cpu_s: 0.5, first_error: null,
    ...overrides,
  };
}

test('latencies read in the unit that keeps three digits', () => {
  assert.equal(formatMicros(66), '66 µs');
  assert.equal(formatMicros(999), '999 µs');
  assert.equal(formatMicros(1234), '1.23 ms');
  assert.equal(formatMicros(45_600), '45.6 ms');
  assert.equal(formatMicros(456_000), '456 ms');
  assert.equal(formatMicros(2_345_678), '2.35 s');
});

test('the table: a header, a rule, one aligned line per point, and the first error of a failed point', () => {
  const failed = row({ connections: 10_000, errors: { ...noErrors(), reset: 3, timeout: 12 }, first_error: 'conn7: connection reset by the server (read ECONNRESET)', verified_bytes: 100 });
  const lines = formatTable([row(), failed]).split('\n');
  assert.equal(lines.length, 5);
  assert.match(lines[0], /^stage\s+conns\s+mode\s+msg\/s\s+p50\s+p90\s+p99\s+p99\.9\s+max\s+sent\s+received\s+verified\s+errors$/);
  assert.match(lines[1], /^-+( +-+)+$/);
  assert.match(lines[2], /^06-epoll\s+100\s+open 10,000\/s\s+9,987\s+66 µs\s+180 µs\s+1\.23 ms\s+45\.6 ms\s+2\.35 s\s+20,000\s+20,000\s+280,000 B\s+0$/);
  assert.match(lines[3], /^06-epoll\s+10,000\s+.*\s100\/280,000 B\s+reset 3, timeout 12$/);
  assert.equal(lines[4], '06-epoll @ 10,000: first error: conn7: connection reset by the server (read ECONNRESET)');
  assert.equal(lines[0].indexOf('msg/s') + 'msg/s'.length, lines[2].indexOf('9,987') + '9,987'.length, 'numbers right-aligned under their titles');
});

test('JSON: one object for a point, {"rows": [...]} for a sweep, with the stable keys in order', () => {
  const one = JSON.parse(formatJson([row()], false)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(one), [
    'stage', 'connections', 'duration_s', 'mode', 'rate', 'payload_bytes', 'work_every', 'sent', 'received', 'throughput_msgs_per_s',
    'latency_us', 'connect_us', 'errors', 'verified_bytes', 'expected_bytes', 'client_cpu_s', 'first_error',
  ]);
  assert.deepEqual(Object.keys(one.errors as object), ['refused', 'reset', 'closed', 'timeout', 'wrong_bytes', 'fd_limit', 'other']);
  const sweep = JSON.parse(formatJson([row({ connections: 1 }), row({ connections: 10 })], true)) as { rows: BenchRow[] };
  assert.deepEqual(sweep.rows.map((r) => r.connections), [1, 10]);
});

test('the progress line', () => {
  assert.equal(
    formatProgress({ phase: 'measuring', connections: 10_000, elapsedS: 3.2, sent: 123_456, received: 123_000, outstanding: 456, errors: 0, recentThroughput: 41_234.5 }),
    '[3 s] 10,000 conns · 41,235 msg/s · sent 123,456 · received 123,000 · in flight 456 · errors 0',
  );
  assert.match(formatProgress({ phase: 'connecting', connections: 5, elapsedS: 0, sent: 0, received: 0, outstanding: 0, errors: 0, recentThroughput: 0 }), /^\[connecting\] 5 conns/);
});

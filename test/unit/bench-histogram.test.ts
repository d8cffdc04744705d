import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLatencyHistogram, encodeHistogram, HIGHEST_LATENCY_US, mergeEncoded, recordMs, summarizeUs } from '../../src/core/bench/histogram';

test('records milliseconds as whole microseconds, within 0.1 %', () => {
  const h = createLatencyHistogram();
  for (let i = 1; i <= 1000; i++) recordMs(h, i / 1000); // 1 µs .. 1000 µs
  const s = summarizeUs(h);
  assert.equal(h.totalCount, 1000);
  assert.ok(Math.abs(s.p50 - 500) <= 1, `p50 ${s.p50}`);
  assert.ok(Math.abs(s.p90 - 900) <= 1, `p90 ${s.p90}`);
  assert.ok(Math.abs(s.p99 - 990) <= 1, `p99 ${s.p99}`);
  assert.ok(Math.abs(s.p999 - 999) <= 1, `p999 ${s.p999}`);
  assert.ok(Math.abs(s.max - 1000) <= 1, `max ${s.max}`);
});

test('a tail is visible: one stall in 1000 moves p99.9 and max, not p50', () => {
  const h = createLatencyHistogram();
  for (let i = 0; i < 999; i++) recordMs(h, 0.05);
  recordMs(h, 2000); // a 2 s stall
  const s = summarizeUs(h);
  assert.ok(Math.abs(s.p50 - 50) <= 1);
  assert.ok(Math.abs(s.max - 2_000_000) / 2_000_000 < 0.001);
});

test('out-of-range values are clamped, not thrown', () => {
  const h = createLatencyHistogram();
  recordMs(h, -5);
  recordMs(h, 1e12);
  assert.equal(h.totalCount, 2);
  assert.ok(summarizeUs(h).max >= HIGHEST_LATENCY_US * 0.999);
});

test('an empty histogram summarizes to zeros (rows keep their shape)', () => {
  assert.deepEqual(summarizeUs(createLatencyHistogram()), { p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });
});

test('histograms survive encoding between threads and merge', () => {
  const a = createLatencyHistogram();
  const b = createLatencyHistogram();
  for (let i = 0; i < 100; i++) recordMs(a, 0.1);
  for (let i = 0; i < 100; i++) recordMs(b, 10);
  mergeEncoded(a, encodeHistogram(b));
  assert.equal(a.totalCount, 200);
  const s = summarizeUs(a);
  assert.ok(Math.abs(s.p50 - 100) <= 1);
  assert.ok(Math.abs(s.p99 - 10_000) <= 10);
});

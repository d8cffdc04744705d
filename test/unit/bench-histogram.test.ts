import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLatencyHistogram, encodeHistogram, HIGHEST_LATENCY_US, LatencyCounts, mergeEncoded, recordMs, summarizeUs } from '../../src/core/bench/histogram';

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

test('LatencyCounts buckets exactly as the histogram does, from 1 µs to the clamp', () => {
  const direct = createLatencyHistogram();
  const counted = new LatencyCounts();
  const record = (ms: number) => {
    recordMs(direct, ms);
    counted.recordMs(ms);
  };
  // Every bucket edge (powers of two and their neighbours), both clamps, and a spread of random values.
  for (let bit = 0; bit < 32; bit++) for (const d of [-1, 0, 1]) record((2 ** bit + d) / 1000);
  record(-5);
  record(1e12);
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 20_000; i++) record(Math.exp(random() * 22) / 1000);
  const fromCounts = counted.toHistogram();
  assert.equal(counted.count, direct.totalCount);
  assert.equal(fromCounts.totalCount, direct.totalCount);
  assert.equal(fromCounts.minNonZeroValue, direct.minNonZeroValue);
  assert.equal(fromCounts.maxValue, direct.maxValue);
  for (const p of [0, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100]) assert.equal(fromCounts.getValueAtPercentile(p), direct.getValueAtPercentile(p), `p${p}`);
  assert.equal(fromCounts.mean, direct.mean);
  assert.equal(new LatencyCounts().toHistogram().totalCount, 0);
});

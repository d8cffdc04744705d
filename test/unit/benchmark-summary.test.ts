/** The CodeLens figure, the number formats behind it, and the panel's string tables. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatChangePct, formatCompactCount, formatCount, formatLatencyUs } from '../../src/core/benchmark/numberFormat';
import { BENCH_STRINGS_EN, BENCH_STRINGS_KO, benchStrings, describeSkip } from '../../src/core/benchmark/strings';
import { benchSummary, headlineRow } from '../../src/core/benchmark/summary';
import { benchRow } from './benchmark-fixtures.support';

describe('benchmark summary', () => {
  const rows = [
    benchRow('06-epoll', 1, { throughput: 9_800, p99: 210 }),
    benchRow('06-epoll', 100, { throughput: 41_234, p99: 3_140 }),
    benchRow('06-epoll', 10_000, { throughput: 30_000, p99: 250_000 }),
  ];

  it('describes the point with the best throughput, with that point’s p99', () => {
    assert.equal(benchSummary(rows)?.text, '41k msg/s @100 · p99 3.1 ms');
    assert.equal(benchSummary(rows)?.row.connections, 100);
  });

  it('picks the smaller connection count on a tie, and ignores points without replies', () => {
    const tie = [benchRow('x', 1_000, { throughput: 500, p99: 9_000 }), benchRow('x', 10, { throughput: 500, p99: 800 }), benchRow('x', 100, { throughput: 0, p99: 0 })];
    assert.equal(headlineRow(tie)?.connections, 10);
    assert.equal(benchSummary(tie)?.text, '500 msg/s @10 · p99 800 µs');
    assert.equal(benchSummary([benchRow('x', 10, { throughput: 0, p99: 0 })]), undefined);
    assert.equal(benchSummary([]), undefined);
  });

  it('follows the locale for digits and grouping', () => {
    const big = [benchRow('x', 10_000, { throughput: 1_234_567, p99: 1_500_000 })];
    assert.equal(benchSummary(big, 'en')?.text, '1.2M msg/s @10,000 · p99 1.5 s');
    assert.equal(benchSummary(big, 'de')?.text, '1,2M msg/s @10.000 · p99 1,5 s');
  });
});

describe('benchmark number formats', () => {
  it('keeps two or three significant digits and moves up a unit at 1,000', () => {
    assert.deepEqual([0, 950, 999.4, 999.6, 4_123, 41_234, 999_700, 12_300_000].map((n) => formatCompactCount(n)), ['0', '950', '999', '1k', '4.1k', '41k', '1M', '12M']);
    assert.deepEqual([66, 999, 3_140, 12_345, 450_000, 1_500_000, 12_000_000].map((us) => formatLatencyUs(us)), ['66 µs', '999 µs', '3.1 ms', '12 ms', '450 ms', '1.5 s', '12 s']);
    assert.equal(formatCount(10_000), '10,000');
    assert.equal(formatCount(Number.NaN), '—');
  });

  it('signs changes', () => {
    assert.deepEqual([12.34, -8.46, 0, 150].map((p) => formatChangePct(p)), ['+12%', '\u22128.5%', '0%', '+150%']);
    assert.equal(formatChangePct(-8.46, 'en', false), '8.5%');
  });
});

describe('benchmark strings', () => {
  const placeholders = (text: string) => [...text.matchAll(/\{(\d+)\}/g)].map((m) => m[1]).sort().join(',');

  it('has every key in English and Korean, with the same placeholders', () => {
    assert.deepEqual(Object.keys(BENCH_STRINGS_KO).sort(), Object.keys(BENCH_STRINGS_EN).sort());
    for (const key of Object.keys(BENCH_STRINGS_EN) as (keyof typeof BENCH_STRINGS_EN)[]) {
      assert.ok(BENCH_STRINGS_KO[key].length > 0, key);
      assert.equal(placeholders(BENCH_STRINGS_KO[key]), placeholders(BENCH_STRINGS_EN[key]), key);
    }
  });

  it('picks the table by display language and says why a point was skipped', () => {
    assert.equal(benchStrings('ko-KR'), BENCH_STRINGS_KO);
    assert.equal(benchStrings('en-US'), BENCH_STRINGS_EN);
    assert.equal(
      describeSkip({ connections: 10_000, reason: 'fd-setsize', limit: 1_000 }, BENCH_STRINGS_EN, (n) => formatCount(n)),
      '10,000 connections: select() only takes descriptors below FD_SETSIZE; 1,000 leaves room for the server’s own.',
    );
    assert.match(describeSkip({ connections: 100, reason: 'serial', limit: 10 }, BENCH_STRINGS_KO), /^연결 100개: .*10개를 넘는/);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defineConformanceSuite } from './conformance';
import { notesRatio, secondWaitsForFirst, TestConnection, waitUntil, useStage } from './harness';

defineConformanceSuite('03-blocking-io');

describe('03-blocking-io: the lesson', { timeout: 60_000 }, () => {
  const stage = useStage('03-blocking-io');

  test('5 clients at once take at least 3x as long as one', { timeout: 40_000 }, async () => {
    const { ratio } = await notesRatio(stage().port, '03-blocking-io');
    assert.ok(ratio >= 3, `ratio ${ratio}`);
  });

  test("a second client gets its '*' only after the first leaves", { timeout: 20_000 }, async () => {
    const afterMs = await secondWaitsForFirst(stage().port);
    assert.ok(afterMs >= 0 && afterMs < 2000, `the second client got its '*' ${afterMs.toFixed(0)} ms after the first left`);
  });

  test("the notes' log: Calling recv... / recv returned N bytes", { timeout: 20_000 }, async () => {
    const conn = await TestConnection.open(stage().port);
    await conn.waitForBytes(1, 5_000);
    const from = stage().lines.length;
    await conn.write('hello\n');
    await waitUntil(() => stage().lines.slice(from).includes('recv returned 6 bytes'), 5_000, '"recv returned 6 bytes"');
    await waitUntil(() => stage().lines.slice(from).at(-1) === 'Calling recv...', 5_000, 'the next "Calling recv..."');
    conn.close();
    await waitUntil(() => stage().lines.some((l) => /^recv returned 0: peer \S+ has disconnected$/.test(l)), 5_000, 'the disconnect line');
  });
});

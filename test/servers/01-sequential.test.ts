import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defineConformanceSuite } from './conformance';
import { notesRatio, secondWaitsForFirst, useStage } from './harness';

defineConformanceSuite('01-sequential');

describe('01-sequential: the lesson', { timeout: 60_000 }, () => {
  const stage = useStage('01-sequential');

  test('5 clients at once take at least 3x as long as one', { timeout: 40_000 }, async () => {
    const { ratio } = await notesRatio(stage().port, '01-sequential');
    assert.ok(ratio >= 3, `ratio ${ratio}`);
  });

  test("the next client waits in the backlog: no '*' until the one before leaves", { timeout: 20_000 }, async () => {
    const afterMs = await secondWaitsForFirst(stage().port);
    assert.ok(afterMs >= 0 && afterMs < 2000, `the second client got its '*' ${afterMs.toFixed(0)} ms after the first left`);
    assert.ok(stage().lines.some((l) => /^peer 127\.0\.0\.1:\d+ connected$/.test(l)), 'logs "peer ... connected"');
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defineConformanceSuite } from './conformance';
import { notesRatio, TestConnection, waitUntil, useStage } from './harness';

// A short interval keeps the byte-level suite fast; the lesson below uses the default 200 ms.
defineConformanceSuite('04-nonblocking-polling', { extraArgs: ['--poll-interval-ms', '10'] });

const EMPTY_POLLS = /^empty polls: (\d+) in the last second, (\d+) in all \((\d+) clients\)$/;

describe('04-nonblocking-polling: the lesson', { timeout: 60_000 }, () => {
  const stage = useStage('04-nonblocking-polling');

  test('5 clients at once take at most 1.6x as long as one', { timeout: 30_000 }, async () => {
    const { ratio } = await notesRatio(stage().port, '04-nonblocking-polling');
    assert.ok(ratio <= 1.6, `ratio ${ratio}`);
  });

  test('the empty-poll count grows while nothing happens', { timeout: 20_000 }, async () => {
    const idle = await TestConnection.open(stage().port);
    await idle.waitForBytes(1, 5_000);
    const reports = () => stage().lines.map((l) => EMPTY_POLLS.exec(l)).filter((m) => m !== null && m[3] === '1');
    await waitUntil(() => reports().length >= 3, 6_000, 'three reports with the idle client');
    const [, second, third] = reports().slice(-3).map((m) => ({ lastSecond: Number(m![1]), total: Number(m![2]) }));
    assert.ok(third.total > second.total, `total grows: ${second.total} -> ${third.total}`);
    // Each 200 ms pass asks the listener and the idle client: about 10 empty polls a second.
    assert.ok(third.lastSecond >= 4 && third.lastSecond <= 40, `empty polls in a second: ${third.lastSecond}`);
    idle.close();
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defineConformanceSuite } from './conformance';
import { converse, notesRatio, TestConnection, waitUntil, useStage } from './harness';

defineConformanceSuite('02-thread-per-client');

describe('02-thread-per-client: the lesson', { timeout: 60_000 }, () => {
  const stage = useStage('02-thread-per-client');

  test('5 clients at once take at most 1.6x as long as one', { timeout: 30_000 }, async () => {
    const { ratio } = await notesRatio(stage().port, '02-thread-per-client');
    assert.ok(ratio <= 1.6, `ratio ${ratio}`);
  });

  test('a thread per client, and the log counts them', { timeout: 20_000 }, async () => {
    const conns = await Promise.all(Array.from({ length: 3 }, () => TestConnection.open(stage().port)));
    await Promise.all(conns.map((c) => c.waitForBytes(1, 5_000)));
    const created = () => stage().lines.filter((l) => /^thread created for peer \S+ \(\d+ alive\)$/.test(l));
    await waitUntil(() => created().length >= 3, 5_000, '"thread created" lines');
    const alive = created().map((l) => Number(/\((\d+) alive\)/.exec(l)![1]));
    assert.ok(Math.max(...alive) >= 3, `alive counts ${alive.join(',')}`);
    conns.forEach((c) => c.close());
    await waitUntil(() => stage().lines.some((l) => /^thread for peer \S+ done \(0 alive\)$/.test(l)), 5_000, 'the last thread to finish');
  });
});

describe('02-thread-per-client: --max-threads', { timeout: 30_000 }, () => {
  const stage = useStage('02-thread-per-client', { extraArgs: ['--max-threads', '2'] });

  test('past the limit a client is refused politely, and served again once a thread is free', async () => {
    const [a, b] = await Promise.all([TestConnection.open(stage().port), TestConnection.open(stage().port)]);
    await Promise.all([a.waitForBytes(1, 5_000), b.waitForBytes(1, 5_000)]);
    const refused = await TestConnection.open(stage().port);
    await refused.waitForEnd(5_000);
    assert.equal(refused.receivedLength, 0, 'no ack for a refused client');
    await waitUntil(() => stage().lines.some((l) => /^refused peer \S+: 2 threads alive \(--max-threads 2\)$/.test(l)), 5_000, 'the refusal line');
    a.close();
    await waitUntil(() => stage().lines.some((l) => /done \(1 alive\)$/.test(l)), 5_000, 'a free thread');
    assert.equal((await converse(stage().port, ['^abc$'])).toString(), 'bcd');
    b.close();
  });
});

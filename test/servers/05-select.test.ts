import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defineConformanceSuite } from './conformance';
import { converse, notesRatio, TestConnection, waitUntil, useStage } from './harness';

defineConformanceSuite('05-select');

describe('05-select: the lesson', { timeout: 120_000 }, () => {
  const stage = useStage('05-select');

  test('5 clients at once take at most 1.6x as long as one', { timeout: 30_000 }, async () => {
    const { ratio } = await notesRatio(stage().port, '05-select');
    assert.ok(ratio <= 1.6, `ratio ${ratio}`);
    assert.ok(stage().lines.some((l) => /^select: \d+ of \d+ fds ready$/.test(l)), 'logs select results');
  });

  test('1,100 clients: those under FD_SETSIZE are served, the rest refused, and it stays up', { timeout: 60_000 }, async () => {
    const conns = await Promise.all(Array.from({ length: 1100 }, () => TestConnection.open(stage().port, '127.0.0.1', 20_000)));
    try {
      // Each one either gets its '*' or is closed without a byte.
      await Promise.all(conns.map((c) => c.waitFor(() => c.receivedLength > 0 || c.ended, 30_000, 'an ack or a close')));
      const served = conns.filter((c) => c.receivedLength > 0);
      const refused = conns.filter((c) => c.receivedLength === 0);
      console.log(`05-select: ${served.length} served, ${refused.length} refused`);
      assert.ok(served.length >= 1000 && served.length < 1024, `served ${served.length}`);
      assert.equal(served.length + refused.length, 1100);
      assert.ok(refused.every((c) => c.ended));
      await waitUntil(() => stage().lines.some((l) => /^FD_SETSIZE reached: refusing peer \S+ \(fd \d+ >= 1024\)$/.test(l)), 5_000, 'the log line');
      // Every served client is still served, byte for byte.
      await Promise.all(served.map((c) => c.write('^abc$')));
      await Promise.all(served.map((c) => c.waitForBytes(4, 20_000)));
      assert.ok(served.every((c) => c.received.toString('latin1') === '*bcd'));
    } finally {
      conns.forEach((c) => c.close());
    }
    assert.equal(stage().hasExited, false);
    assert.equal((await converse(stage().port, ['^abc$'])).toString(), 'bcd', 'a new client is served once the others left');
  });
});

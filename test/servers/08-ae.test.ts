import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { echoWhileWorking } from './06-09.lessons';
import { defineConformanceSuite } from './conformance';
import { startStage, waitUntil } from './harness';

defineConformanceSuite('08-ae');
defineConformanceSuite('08-ae', { flavour: 'sanitize' });

/** The lateness of every "timer fired N ms late" line from `from` on. */
function latenesses(lines: readonly string[], from: number): number[] {
  return lines.slice(from).flatMap((l) => {
    const m = /^timer fired (\d+) ms late$/.exec(l);
    return m ? [Number(m[1])] : [];
  });
}

describe('08-ae: the lesson', { timeout: 60_000 }, () => {
  test('a slow request freezes every client, and the timer fires late by about its length', { timeout: 30_000 }, async () => {
    const stage = await startStage('08-ae', { extraArgs: ['--timer-ms', '100'] });
    try {
      assert.ok(stage.lines.some((l) => /^ae backend: epoll \(waits in epoll_wait\), set size \d+$/.test(l)), stage.lines.slice(0, 3).join('\n'));
      await waitUntil(() => latenesses(stage.lines, 0).length >= 3, 5_000, 'three idle timer ticks');
      const idle = latenesses(stage.lines, 0);

      const from = stage.lines.length;
      const { workMs, echoWaitMs } = await echoWhileWorking(stage);
      await waitUntil(() => latenesses(stage.lines, from).length >= 2, 5_000, 'timer ticks after the work');
      const busyLate = Math.max(...latenesses(stage.lines, from));
      console.log(`08-ae: work ${workMs.toFixed(0)} ms, another client's echo waited ${echoWaitMs.toFixed(0)} ms; ` +
        `timer late by ${Math.max(...idle)} ms when idle, ${busyLate} ms across the work`);

      assert.ok(echoWaitMs >= 500, `the echo waited only ${echoWaitMs.toFixed(0)} ms`);
      // A 100 ms timer due during the work runs when the work ends: late by the work minus < 100 ms.
      assert.ok(busyLate >= workMs * 0.6, `the timer was ${busyLate} ms late for ${workMs.toFixed(0)} ms of work`);
      assert.ok(busyLate <= workMs + 100, `the timer was ${busyLate} ms late for ${workMs.toFixed(0)} ms of work`);
      assert.ok(stage.lines.some((l) => /^the loop was busy for \d+ ms with peer \S+'s request: every other client waited$/.test(l)));
    } finally {
      assert.deepEqual(await stage.stop(), { code: 0, signal: null });
    }
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { echoFromAll, echoWhileWorking, openClients, resetAll, threadCount } from './06-09.lessons';
import { defineConformanceSuite } from './conformance';
import { startStage, waitUntil } from './harness';

defineConformanceSuite('09-green-threads');
defineConformanceSuite('09-green-threads', { flavour: 'sanitize' });
defineConformanceSuite('09-green-threads', { extraArgs: ['--carriers', '1'] });

describe('09-green-threads: the lesson', { timeout: 120_000 }, () => {
  test('1,000 clients on green threads, with no more OS threads than the carriers plus a few', { timeout: 60_000 }, async () => {
    const stage = await startStage('09-green-threads', { extraArgs: ['--carriers', '2', '--quiet'] });
    try {
      const clients = await openClients(stage.port, 1000);
      try {
        await echoFromAll(clients);
        const threads = threadCount(stage.pid!);
        console.log(`09-green-threads: 1,000 clients served by ${threads} OS threads (2 carriers)`);
        // 2 carriers + main (waits for signals) + the poller + the parent watcher (common/stop.c),
        // and room for one more: nowhere near one per client.
        assert.ok(threads <= 2 + 4, `${threads} OS threads for 2 carriers`);
      } finally {
        resetAll(clients);
      }
    } finally {
      assert.deepEqual(await stage.stop(), { code: 0, signal: null });
    }
  });

  test('the work pins one carrier; with another carrier free, other clients are served at once', { timeout: 30_000 }, async () => {
    const stage = await startStage('09-green-threads', { extraArgs: ['--carriers', '2'] });
    try {
      const { workMs, echoWaitMs } = await echoWhileWorking(stage);
      console.log(`09-green-threads (2 carriers): work ${workMs.toFixed(0)} ms, another client's echo waited ${echoWaitMs.toFixed(0)} ms`);
      assert.ok(echoWaitMs <= 150, `the echo waited ${echoWaitMs.toFixed(0)} ms`);
      assert.ok(workMs >= 500, `the work took ${workMs.toFixed(0)} ms: too quick to show anything`);
      // The log tells the story: parked while waiting, resumed on some carrier, pinned while computing.
      for (const line of [/^g\d+ parked on fd \d+ \(read\), carrier \d is free$/, /^g\d+ resumed on carrier \d$/, /^g\d+ pins carrier \d: is \d+ prime\?$/]) {
        assert.ok(stage.lines.some((l) => line.test(l)), `a log line like ${line}`);
      }
    } finally {
      assert.deepEqual(await stage.stop(), { code: 0, signal: null });
    }
  });

  test('with every carrier pinned, nobody else is served until the work ends', { timeout: 30_000 }, async () => {
    const stage = await startStage('09-green-threads', { extraArgs: ['--carriers', '1'] });
    try {
      await waitUntil(() => stage.lines.some((l) => l.startsWith('carriers: 1 OS threads')), 5_000, 'the start line');
      const { workMs, echoWaitMs } = await echoWhileWorking(stage);
      console.log(`09-green-threads (1 carrier): work ${workMs.toFixed(0)} ms, another client's echo waited ${echoWaitMs.toFixed(0)} ms`);
      assert.ok(echoWaitMs >= 500, `the echo waited only ${echoWaitMs.toFixed(0)} ms`);
    } finally {
      assert.deepEqual(await stage.stop(), { code: 0, signal: null });
    }
  });
});

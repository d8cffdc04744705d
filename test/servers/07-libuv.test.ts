import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cpuMs, echoWhileWorking, SLOW_PRIME } from './06-09.lessons';
import { defineConformanceSuite } from './conformance';
import { converse, sanitizerReport, startStage, TestConnection, waitUntil } from './harness';

defineConformanceSuite('07-libuv');
defineConformanceSuite('07-libuv', { flavour: 'sanitize' });
defineConformanceSuite('07-libuv', { extraArgs: ['--work-on-loop'] });

describe('07-libuv: the lesson', { timeout: 120_000 }, () => {
  test('with the thread pool, another client is answered while the work computes', { timeout: 30_000 }, async () => {
    const stage = await startStage('07-libuv', { env: { UV_THREADPOOL_SIZE: '2' } });
    try {
      assert.ok(stage.lines.includes('thread pool: UV_THREADPOOL_SIZE=2'), stage.lines.slice(0, 4).join('\n'));
      const { workMs, echoWaitMs } = await echoWhileWorking(stage);
      console.log(`07-libuv (pool): work ${workMs.toFixed(0)} ms, another client's echo waited ${echoWaitMs.toFixed(0)} ms`);
      assert.ok(echoWaitMs <= 150, `the echo waited ${echoWaitMs.toFixed(0)} ms`);
      assert.ok(workMs >= 500, `the work took ${workMs.toFixed(0)} ms: too quick to show anything`);
    } finally {
      assert.deepEqual(await stage.stop(), { code: 0, signal: null });
    }
  });

  test('with --work-on-loop, another client waits for the work', { timeout: 30_000 }, async () => {
    const stage = await startStage('07-libuv', { extraArgs: ['--work-on-loop'] });
    try {
      const { workMs, echoWaitMs } = await echoWhileWorking(stage);
      console.log(`07-libuv (--work-on-loop): work ${workMs.toFixed(0)} ms, another client's echo waited ${echoWaitMs.toFixed(0)} ms`);
      assert.ok(echoWaitMs >= 500, `the echo waited only ${echoWaitMs.toFixed(0)} ms`);
    } finally {
      assert.deepEqual(await stage.stop(), { code: 0, signal: null });
    }
  });

  test('a client that leaves while its work computes (sanitize build): no report, others still served', { timeout: 60_000 }, async () => {
    const stage = await startStage('07-libuv', { flavour: 'sanitize' });
    try {
      for (const leave of ['reset', 'close'] as const) {
        const conn = await TestConnection.open(stage.port);
        await conn.waitForBytes(1, 5_000);
        const cpuBefore = cpuMs(stage.pid!);
        await conn.write(`!${SLOW_PRIME}$^more$`);
        await waitUntil(() => cpuMs(stage.pid!) - cpuBefore >= 100, 10_000, 'the pool to start computing');
        if (leave === 'reset') conn.reset();
        else conn.close();
        const from = stage.lines.length;
        assert.equal((await converse(stage.port, ['^abc$'])).toString(), 'bcd', `served while the ${leave} client's work computes`);
        await waitUntil(
          () => stage.lines.slice(from).some((l) => / left while its request was computing|write failed/.test(l)),
          20_000,
          'the work to end for a client that left',
        );
      }
      assert.equal((await converse(stage.port, ['^abc$'])).toString(), 'bcd');
      assert.equal(sanitizerReport(stage), undefined);
    } finally {
      const exit = await stage.stop();
      assert.equal(sanitizerReport(stage), undefined);
      assert.deepEqual(exit, { code: 0, signal: null });
    }
  });
});

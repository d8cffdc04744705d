import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StageProcess } from '../../src/core/stageProcess';
import { assertFdRoom, echoFromAll, echoWhileWorking, openClients, resetAll } from './06-09.lessons';
import { defineConformanceSuite } from './conformance';
import { converse, startStage, waitUntil } from './harness';

defineConformanceSuite('06-epoll');
defineConformanceSuite('06-epoll', { flavour: 'sanitize' });

describe('06-epoll: the lesson', { timeout: 120_000 }, () => {
  let stage: StageProcess;
  before(async () => {
    stage = await startStage('06-epoll', { extraArgs: ['--quiet'] });
  });
  after(async () => {
    assert.deepEqual(await stage.stop(), { code: 0, signal: null });
  });

  test('raises its open-file limit and says what it got', () => {
    assert.ok(stage.lines.some((l) => /^open-file limit: \d+/.test(l)), stage.lines.slice(0, 5).join('\n'));
  });

  test('10,000 clients at once, each gets its * and one echo', { timeout: 90_000 }, async () => {
    assertFdRoom(10_000);
    const started = performance.now();
    const clients = await openClients(stage.port, 10_000);
    try {
      await echoFromAll(clients);
      console.log(`06-epoll: 10,000 clients connected and echoed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } finally {
      resetAll(clients);
    }
    assert.equal(stage.hasExited, false);
    assert.equal((await converse(stage.port, ['^abc$'])).toString(), 'bcd', 'a new client is served after them');
  });

  test('a slow request on the loop makes another client wait for it', { timeout: 30_000 }, async () => {
    const { workMs, echoWaitMs } = await echoWhileWorking(stage);
    console.log(`06-epoll: work ${workMs.toFixed(0)} ms, another client's echo waited ${echoWaitMs.toFixed(0)} ms`);
    assert.ok(echoWaitMs >= 500, `the echo came after ${echoWaitMs.toFixed(0)} ms, while the loop computed for ${workMs.toFixed(0)} ms`);
    assert.ok(echoWaitMs <= workMs + 200, 'the echo comes once the work is done');
  });
});

describe('06-epoll: the log', { timeout: 30_000 }, () => {
  test('only the ready fds come back from the wait', async () => {
    const stage = await startStage('06-epoll');
    try {
      const clients = await openClients(stage.port, 20);
      try {
        await echoFromAll(clients.slice(0, 1));
        // One client spoke: a wait reports 1 ready out of 21 registered (20 clients + the listener).
        await waitUntil(() => stage.lines.includes('epoll_wait: 1 ready of 21 registered'), 5_000, 'a wait with 1 of 21 ready');
      } finally {
        resetAll(clients);
      }
    } finally {
      await stage.stop();
    }
  });
});

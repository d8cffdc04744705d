/**
 * The lessons of 06-epoll, 08-ae and 09-green-threads as suites, defined once and run on every
 * build of those stages: the default (epoll) build in their own test files, and the kqueue build
 * in kqueue.test.ts. A build differs only in the wait its log names.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StageProcess } from '../../src/core/stageProcess';
import { assertFdRoom, echoFromAll, echoWhileWorking, openClients, resetAll, threadCount } from './06-09.lessons';
import { converse, startStage, waitUntil } from './harness';

/** How a build of the stages waits, as their logs say it. */
export interface WaitBackend {
  /** Put before suite names and figures: '' for the default build, 'kqueue: ' for another. */
  readonly label: string;
  /** The backend's name in 08-ae's first line. */
  readonly name: 'epoll' | 'kqueue';
  /** The waiting call in the logs. */
  readonly waitCall: 'epoll_wait' | 'kevent';
}

export const EPOLL: WaitBackend = { label: '', name: 'epoll', waitCall: 'epoll_wait' };
export const KQUEUE: WaitBackend = { label: 'kqueue: ', name: 'kqueue', waitCall: 'kevent' };

export function define06Lessons(backend: WaitBackend): void {
  const figure = `${backend.label}06-epoll`;
  describe(`${backend.label}06-epoll: the lesson`, { timeout: 120_000 }, () => {
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
        console.log(`${figure}: 10,000 clients connected and echoed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      } finally {
        resetAll(clients);
      }
      assert.equal(stage.hasExited, false);
      assert.equal((await converse(stage.port, ['^abc$'])).toString(), 'bcd', 'a new client is served after them');
    });

    test('a slow request on the loop makes another client wait for it', { timeout: 30_000 }, async () => {
      const { workMs, echoWaitMs } = await echoWhileWorking(stage);
      console.log(`${figure}: work ${workMs.toFixed(0)} ms, another client's echo waited ${echoWaitMs.toFixed(0)} ms`);
      assert.ok(echoWaitMs >= 500, `the echo came after ${echoWaitMs.toFixed(0)} ms, while the loop computed for ${workMs.toFixed(0)} ms`);
      assert.ok(echoWaitMs <= workMs + 200, 'the echo comes once the work is done');
    });
  });

  describe(`${backend.label}06-epoll: the log`, { timeout: 30_000 }, () => {
    test('only the ready fds come back from the wait', async () => {
      const stage = await startStage('06-epoll');
      try {
        const clients = await openClients(stage.port, 20);
        try {
          await echoFromAll(clients.slice(0, 1));
          // One client spoke: a wait reports 1 ready out of 21 registered (20 clients + the listener).
          const line = `${backend.waitCall}: 1 ready of 21 registered`;
          await waitUntil(() => stage.lines.includes(line), 5_000, `"${line}"`);
        } finally {
          resetAll(clients);
        }
      } finally {
        await stage.stop();
      }
    });
  });
}

/** The lateness of every "timer fired N ms late" line from `from` on. */
function latenesses(lines: readonly string[], from: number): number[] {
  return lines.slice(from).flatMap((l) => {
    const m = /^timer fired (\d+) ms late$/.exec(l);
    return m ? [Number(m[1])] : [];
  });
}

export function define08Lessons(backend: WaitBackend): void {
  describe(`${backend.label}08-ae: the lesson`, { timeout: 60_000 }, () => {
    test('a slow request freezes every client, and the timer fires late by about its length', { timeout: 30_000 }, async () => {
      const stage = await startStage('08-ae', { extraArgs: ['--timer-ms', '100'] });
      try {
        const first = new RegExp(`^ae backend: ${backend.name} \\(waits in ${backend.waitCall}\\), set size \\d+$`);
        assert.ok(stage.lines.some((l) => first.test(l)), stage.lines.slice(0, 3).join('\n'));
        await waitUntil(() => latenesses(stage.lines, 0).length >= 3, 5_000, 'three idle timer ticks');
        const idle = latenesses(stage.lines, 0);
        // The wait's timeout is what wakes an idle loop for its timer: no tick is a period late.
        assert.ok(Math.max(...idle) < 100, `idle ticks late by ${idle.join(', ')} ms`);

        const from = stage.lines.length;
        const { workMs, echoWaitMs } = await echoWhileWorking(stage);
        await waitUntil(() => latenesses(stage.lines, from).length >= 2, 5_000, 'timer ticks after the work');
        const busyLate = Math.max(...latenesses(stage.lines, from));
        console.log(`${backend.label}08-ae: work ${workMs.toFixed(0)} ms, another client's echo waited ${echoWaitMs.toFixed(0)} ms; ` +
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
}

export function define09Lessons(backend: WaitBackend): void {
  const figure = `${backend.label}09-green-threads`;
  describe(`${backend.label}09-green-threads: the lesson`, { timeout: 120_000 }, () => {
    test('1,000 clients on green threads, with no more OS threads than the carriers plus a few', { timeout: 60_000 }, async () => {
      const stage = await startStage('09-green-threads', { extraArgs: ['--carriers', '2', '--quiet'] });
      try {
        const clients = await openClients(stage.port, 1000);
        try {
          await echoFromAll(clients);
          const threads = threadCount(stage.pid!);
          console.log(`${figure}: 1,000 clients served by ${threads} OS threads (2 carriers)`);
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
        console.log(`${figure} (2 carriers): work ${workMs.toFixed(0)} ms, another client's echo waited ${echoWaitMs.toFixed(0)} ms`);
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
        console.log(`${figure} (1 carrier): work ${workMs.toFixed(0)} ms, another client's echo waited ${echoWaitMs.toFixed(0)} ms`);
        assert.ok(echoWaitMs >= 500, `the echo waited only ${echoWaitMs.toFixed(0)} ms`);
      } finally {
        assert.deepEqual(await stage.stop(), { code: 0, signal: null });
      }
    });
  });
}

/**
 * 08-ae built with its select backend (make BACKEND=select) into a build folder of its own, and
 * held to the same conformance suite as the default (epoll) build (kqueue: kqueue.test.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import { StageProcess } from '../../src/core/stageProcess';
import { openClients, resetAll } from './06-09.lessons';
import { defineConformanceSuite } from './conformance';
import { BUILD_DIR, SERVERS_DIR, startStage, startStagesWith, TestConnection, waitUntil } from './harness';

const SELECT_BUILD_DIR = path.join(BUILD_DIR, 'backend-select');

function buildWithSelect(sanitize: boolean): string {
  const target = sanitize ? 'sanitize-08-ae' : '08-ae';
  execFileSync('make', ['-C', SERVERS_DIR, target, 'BACKEND=select', `BUILD_DIR=${SELECT_BUILD_DIR}`], { timeout: 300_000, stdio: 'pipe' });
  return sanitize ? path.join(SELECT_BUILD_DIR, 'sanitize', '08-ae') : path.join(SELECT_BUILD_DIR, '08-ae');
}

const selectBinaries = new Map([
  [path.join(BUILD_DIR, '08-ae'), buildWithSelect(false)],
  [path.join(BUILD_DIR, 'sanitize', '08-ae'), buildWithSelect(true)],
]);

// The shared suite starts stages from the default build folder; in this file every start of
// 08-ae is pointed at the select build instead.
startStagesWith((_id, options) => StageProcess.start({ ...options, binary: selectBinaries.get(options.binary) ?? options.binary }));

defineConformanceSuite('08-ae');
defineConformanceSuite('08-ae', { flavour: 'sanitize' });

describe('08-ae with select: the limit select brings back', { timeout: 60_000 }, () => {
  test('says which backend it uses, and refuses fds beyond FD_SETSIZE without falling over', { timeout: 40_000 }, async () => {
    const stage = await startStage('08-ae', { extraArgs: ['--quiet'] });
    try {
      assert.ok(stage.lines.includes('ae backend: select (waits in select), set size 1024'), stage.lines.slice(0, 3).join('\n'));
      const clients = await openClients(stage.port, 1000);
      const extra = await Promise.all(Array.from({ length: 50 }, () => TestConnection.open(stage.port)));
      try {
        await Promise.all(extra.map((c) => c.waitFor(() => c.receivedLength > 0 || c.ended, 10_000, 'an ack or a close')));
        const refused = extra.filter((c) => c.receivedLength === 0);
        assert.ok(refused.length > 0, 'some of the clients past 1024 fds are refused');
        await waitUntil(
          () => stage.lines.some((l) => /^peer \S+ refused: fd \d+ does not fit the loop \(set size 1024\)$/.test(l)),
          5_000,
          'the refusal in the log',
        );
      } finally {
        resetAll([...clients, ...extra]);
      }
      assert.equal(stage.hasExited, false);
    } finally {
      assert.deepEqual(await stage.stop(), { code: 0, signal: null });
    }
  });
});

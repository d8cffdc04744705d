/**
 * The benchmark's guard against keeping a point that measured a dead stage: a stage's sockets
 * close before its parent hears of its exit, so a point whose connections the server dropped
 * waits (up to a grace time) for the exit to show; a clean point is judged at once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serverDroppedConnections, stageExitShows, stageOutlivedPoint, type WatchedStage } from '../../src/core/benchmark/pointGuard';

const NO_ERRORS = { refused: 0, reset: 0, closed: 0, timeout: 0, wrong_bytes: 0, fd_limit: 0, other: 0 };
const row = (errors: Partial<typeof NO_ERRORS> = {}) => ({ errors: { ...NO_ERRORS, ...errors } });

/** A stage whose exit is heard `exitAfterMs` from now (never, when undefined). */
function stage(exitAfterMs?: number): WatchedStage {
  let exited = false;
  let heard: () => void = () => undefined;
  const whenExited = new Promise<void>((resolve) => (heard = resolve)).then(() => {
    exited = true;
  });
  if (exitAfterMs !== undefined) setTimeout(heard, exitAfterMs);
  return {
    get hasExited() {
      return exited;
    },
    whenExited: () => whenExited,
  };
}

describe('serverDroppedConnections', () => {
  it('counts connections the server closed, reset or refused, not the client’s own timeouts or wrong bytes', () => {
    assert.equal(serverDroppedConnections(row()), false);
    assert.equal(serverDroppedConnections(row({ closed: 1 })), true);
    assert.equal(serverDroppedConnections(row({ reset: 2 })), true);
    assert.equal(serverDroppedConnections(row({ refused: 3 })), true);
    assert.equal(serverDroppedConnections(row({ timeout: 5, wrong_bytes: 1, fd_limit: 1, other: 1 })), false);
  });
});

describe('stageOutlivedPoint', () => {
  it('keeps a clean point of a live stage at once', async () => {
    const started = Date.now();
    assert.equal(await stageOutlivedPoint(row(), stage(), 5_000), true);
    assert.ok(Date.now() - started < 100);
  });

  it('drops any point once the stage is known to have exited', async () => {
    const dead = stage(0);
    await dead.whenExited();
    assert.equal(await stageOutlivedPoint(row(), dead), false);
    assert.equal(await stageOutlivedPoint(row({ closed: 10 }), dead), false);
  });

  it('drops a point with dropped connections when the exit is heard within the grace time, as soon as it is', async () => {
    const started = Date.now();
    assert.equal(await stageOutlivedPoint(row({ closed: 94, reset: 6 }), stage(50), 2_000), false);
    const took = Date.now() - started;
    assert.ok(took >= 40 && took < 1_000, `decided when the exit was heard (${took} ms)`);
  });

  it('keeps a point with dropped connections when the stage is still alive after the grace time', async () => {
    const started = Date.now();
    assert.equal(await stageOutlivedPoint(row({ refused: 1 }), stage(), 100), true);
    assert.ok(Date.now() - started >= 90, 'it waited the grace time');
  });
});

describe('stageExitShows', () => {
  it('is true at once for an exited stage, after the exit for a dying one, false for a live one after the grace time', async () => {
    const dead = stage(0);
    await dead.whenExited();
    assert.equal(await stageExitShows(dead, 10_000), true);
    assert.equal(await stageExitShows(stage(30), 2_000), true);
    assert.equal(await stageExitShows(stage(), 50), false);
  });
});

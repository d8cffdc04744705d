import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFdLimit, FD_HEADROOM, readFdLimits } from '../../src/core/bench/fdLimit';

test('fits: no message', () => {
  assert.deepEqual(checkFdLimit(10_000, { soft: 20_000, hard: 20_000 }), { ok: true });
  assert.deepEqual(checkFdLimit(10_000, undefined), { ok: true });
});

test('over the soft limit but under the hard one: raisable, says how', () => {
  const v = checkFdLimit(10_000, { soft: 1024, hard: 524_288 });
  assert.equal(v.ok, false);
  if (v.ok) return;
  assert.equal(v.raisable, true);
  assert.equal(v.needed, 10_000 + FD_HEADROOM);
  assert.match(v.message, /may open 1024 \(soft limit; the hard limit is 524288\)/);
  assert.match(v.message, /ulimit -n 10064/);
});

test('over the hard limit: not raisable, says how many connections fit', () => {
  const v = checkFdLimit(30_000, { soft: 20_000, hard: 20_000 });
  assert.equal(v.ok, false);
  if (v.ok) return;
  assert.equal(v.raisable, false);
  assert.match(v.message, /at most 20000 \(hard limit/);
  assert.match(v.message, /at most 19936 connections/);
});

test("this process's limits are readable here", () => {
  const limits = readFdLimits();
  assert.ok(limits && limits.soft > 0 && limits.hard >= limits.soft);
});

/** The sweep planner: the caps each model gets, the reasons it gives, and the time budget. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { connectionCap, DEFAULT_SWEEP_CONNECTIONS, DEFAULT_SWEEP_LIMITS, planSweep } from '../../src/core/benchmark/sweepPlan';
import { findStage, STAGES, type StageInfo } from '../../src/core/stages';

function stage(id: string): StageInfo {
  const s = findStage(id);
  assert.ok(s, id);
  return s;
}

const counts = (plan: ReturnType<typeof planSweep>) => plan.points.map((p) => p.connections);

describe('sweep planner', () => {
  it('runs every default point on the unbounded models, within the time budget', () => {
    for (const id of ['06-epoll', '07-libuv', '08-ae', '09-green-threads', '04-nonblocking-polling']) {
      const plan = planSweep(stage(id), { connections: DEFAULT_SWEEP_CONNECTIONS, durationS: 5 });
      assert.deepEqual(counts(plan), [1, 10, 100, 1_000, 10_000], id);
      assert.deepEqual(plan.skipped, [], id);
      assert.equal(plan.durationS, 5);
      assert.equal(plan.durationCap, undefined);
      assert.ok(plan.estimatedS <= DEFAULT_SWEEP_LIMITS.sweepBudgetS, `${id}: ${plan.estimatedS} s`);
      assert.ok(plan.points.every((p) => p.ackWaitMs === DEFAULT_SWEEP_LIMITS.ackWaitMs && p.drainTimeoutMs === DEFAULT_SWEEP_LIMITS.drainTimeoutMs));
    }
  });

  it('keeps select below FD_SETSIZE minus headroom and says so', () => {
    const plan = planSweep(stage('05-select'), { connections: DEFAULT_SWEEP_CONNECTIONS, durationS: 3 });
    assert.deepEqual(counts(plan), [1, 10, 100, 1_000]);
    assert.deepEqual(plan.skipped, [{ connections: 10_000, reason: 'fd-setsize', limit: 1_000 }]);
    assert.ok(Math.max(...counts(plan)) < DEFAULT_SWEEP_LIMITS.fdSetSize);
    const edge = planSweep(stage('05-select'), { connections: [1_000, 1_001, 1_023, 1_024], durationS: 1 });
    assert.deepEqual(counts(edge), [1_000]);
    assert.deepEqual(edge.skipped.map((s) => s.connections), [1_001, 1_023, 1_024]);
  });

  it('caps thread per client at its --max-threads', () => {
    const plan = planSweep(stage('02-thread-per-client'), { connections: DEFAULT_SWEEP_CONNECTIONS, durationS: 3 });
    assert.deepEqual(counts(plan), [1, 10, 100, 1_000]);
    assert.deepEqual(plan.skipped, [{ connections: 10_000, reason: 'max-threads', limit: 1_000 }]);
  });

  it('gives the serial stages small counts, short points and short waits', () => {
    for (const id of ['01-sequential', '03-blocking-io']) {
      const plan = planSweep(stage(id), { connections: DEFAULT_SWEEP_CONNECTIONS, durationS: 10 });
      assert.deepEqual(counts(plan), [1, 10], id);
      assert.deepEqual(
        plan.skipped.map((s) => [s.connections, s.reason, s.limit]),
        [[100, 'serial', 10], [1_000, 'serial', 10], [10_000, 'serial', 10]],
      );
      assert.equal(plan.durationS, DEFAULT_SWEEP_LIMITS.serialMaxDurationS);
      assert.equal(plan.durationCap, 'serial');
      assert.equal(plan.requestedDurationS, 10);
      assert.ok(plan.points.every((p) => p.ackWaitMs === 500 && p.drainTimeoutMs === 1_000 && p.durationS === 2));
      assert.ok(plan.estimatedS <= DEFAULT_SWEEP_LIMITS.serialSweepBudgetS, `${plan.estimatedS} s`);
    }
  });

  it('shortens the points of a long sweep before it drops any', () => {
    const plan = planSweep(stage('06-epoll'), { connections: DEFAULT_SWEEP_CONNECTIONS, durationS: 30 });
    assert.deepEqual(counts(plan), [1, 10, 100, 1_000, 10_000]);
    assert.equal(plan.durationCap, 'time-budget');
    assert.ok(plan.durationS < 30 && plan.durationS >= DEFAULT_SWEEP_LIMITS.minDurationS, String(plan.durationS));
    assert.ok(plan.estimatedS <= DEFAULT_SWEEP_LIMITS.sweepBudgetS, `${plan.estimatedS} s`);
  });

  it('drops the largest points, with the reason, when even the shortest points do not fit', () => {
    const plan = planSweep(stage('06-epoll'), { connections: [10_000, 1, 100, 10, 1_000], durationS: 5, limits: { sweepBudgetS: 6 } });
    assert.equal(plan.durationS, 1);
    assert.ok(plan.points.length >= 1 && plan.points.length < 5);
    assert.deepEqual(counts(plan), [1, 10, 100, 1_000, 10_000].slice(0, plan.points.length));
    assert.ok(plan.skipped.every((s) => s.reason === 'time-budget' && s.limit === 6));
    assert.ok(plan.estimatedS <= 6, `${plan.estimatedS} s`);
  });

  it('skips what is not a connection count, merges repeats and sorts', () => {
    const plan = planSweep(stage('06-epoll'), { connections: [100, 0, -3, 2.5, Number.NaN, 10, 100, 20_000], durationS: 1 });
    assert.deepEqual(counts(plan), [10, 100]);
    assert.deepEqual(
      plan.skipped.map((s) => [s.connections, s.reason]),
      [[0, 'invalid'], [-3, 'invalid'], [2.5, 'invalid'], [Number.NaN, 'invalid'], [20_000, 'sweep-limit']],
    );
  });

  it('skips points the client has no descriptors for', () => {
    const plan = planSweep(stage('06-epoll'), { connections: DEFAULT_SWEEP_CONNECTIONS, durationS: 1, clientMaxConnections: 5_000 });
    assert.deepEqual(counts(plan), [1, 10, 100, 1_000]);
    assert.deepEqual(plan.skipped, [{ connections: 10_000, reason: 'fd-limit', limit: 5_000 }]);
  });

  it('returns no points, each explained, when the model takes none of them', () => {
    const plan = planSweep(stage('01-sequential'), { connections: [100, 1_000], durationS: 1 });
    assert.deepEqual(plan.points, []);
    assert.equal(plan.skipped.length, 2);
    assert.equal(plan.estimatedS, 0);
  });

  it('refuses a duration that is not a positive number of seconds', () => {
    for (const durationS of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => planSweep(stage('06-epoll'), { connections: [1], durationS }), RangeError);
    }
  });

  it('names a cap and a reason for every model in the catalog', () => {
    for (const s of STAGES) {
      const cap = connectionCap(s);
      assert.ok(cap.max >= 1 && cap.max <= DEFAULT_SWEEP_LIMITS.maxConnections, s.id);
    }
  });

  it('accounts for every requested count, within cap and budget, for any request', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...STAGES),
        fc.array(fc.oneof(fc.integer({ min: -5, max: 25_000 }), fc.double({ noNaN: false })), { maxLength: 12 }),
        fc.double({ min: 0.1, max: 120, noNaN: true }),
        (s, requested, durationS) => {
          const plan = planSweep(s, { connections: requested, durationS });
          const run = counts(plan);
          assert.deepEqual(run, [...new Set(run)].sort((a, b) => a - b));
          assert.ok(run.every((c) => c <= connectionCap(s).max));
          for (const c of requested) assert.ok(run.includes(c) || plan.skipped.some((k) => Object.is(k.connections, c)), `${c} unaccounted`);
          const budget = s.concurrency === 'serial' ? DEFAULT_SWEEP_LIMITS.serialSweepBudgetS : DEFAULT_SWEEP_LIMITS.sweepBudgetS;
          assert.ok(plan.points.length <= 1 || plan.estimatedS <= budget, `${plan.estimatedS} s over ${budget}`);
          assert.ok(plan.durationS <= durationS);
        },
      ),
      { numRuns: 300 },
    );
  });
});

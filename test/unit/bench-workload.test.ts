import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PendingQueue } from '../../src/core/bench/pendingQueue';
import { buildWorkload, isWorkMessage } from '../../src/core/bench/workload';
import { expectedReply, isPrime } from '../../src/core/protocol';

test('a frame of N bytes on the wire comes back as N - 2 bytes, each + 1', () => {
  for (const n of [3, 16, 1000]) {
    const w = buildWorkload(n);
    assert.equal(w.frame.length, n);
    assert.equal(w.frame[0], 0x5e);
    assert.equal(w.frame[n - 1], 0x24);
    assert.ok(!w.frame.subarray(1, -1).includes(0x24), 'no $ inside');
    assert.equal(w.frameReply.length, n - 2);
    assert.deepEqual(w.frameReply, expectedReply(w.frame));
  }
  assert.equal(buildWorkload(16).frame.toString(), '^abcdefghijklmn$');
  assert.throws(() => buildWorkload(2), RangeError);
});

test('work requests carry their answer from the oracle', () => {
  const w = buildWorkload(16, { every: 10, number: 999_999_999_989n });
  assert.equal(w.work?.request.toString(), '!999999999989$');
  assert.equal(w.work?.reply.toString(), isPrime(999_999_999_989n) ? 'prime\n' : 'composite\n');
  assert.equal(buildWorkload(16, { every: 1, number: 91n }).work?.reply.toString(), 'composite\n');
  assert.throws(() => buildWorkload(16, { every: 1, number: 1n << 63n }), RangeError);
});

test('one message in N is a work request, staggered across connections', () => {
  const w = buildWorkload(16, { every: 4, number: 7n });
  for (let conn = 0; conn < 5; conn++) {
    const marks = Array.from({ length: 40 }, (_, i) => isWorkMessage(w, conn, i));
    assert.equal(marks.filter(Boolean).length, 10);
  }
  assert.notDeepEqual(
    Array.from({ length: 4 }, (_, i) => isWorkMessage(w, 0, i)),
    Array.from({ length: 4 }, (_, i) => isWorkMessage(w, 1, i)),
  );
  assert.equal(isWorkMessage(buildWorkload(16), 0, 3), false);
});

test('the pending queue keeps order across growth and wrap-around', () => {
  const q = new PendingQueue();
  let next = 0;
  let expect = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < round % 7; i++, next++) q.push(next, next % 3 === 0);
    for (let i = 0; i < (round % 5) && q.length > 0; i++) {
      assert.equal(q.headStartMs, expect);
      assert.equal(q.headIsWork, expect % 3 === 0);
      q.shift();
      expect++;
    }
  }
  assert.equal(q.length, next - expect);
});

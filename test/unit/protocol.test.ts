import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  ProtocolOracle, expectedReply, isPrime, NOTES_CONVERSATION, NOTES_EXPECTED_REPLY, MAX_WORK_NUMBER,
} from '../../src/core/protocol';

test('the notes conversation gives the notes reply', () => {
  const oracle = new ProtocolOracle();
  const joined = NOTES_CONVERSATION.map((step) => oracle.feed(Buffer.from(step.send, 'latin1')).toString('latin1')).join('');
  assert.equal(joined, NOTES_EXPECTED_REPLY);
  assert.equal(joined, 'bcdbcuf23436bc1111');
});

test('bytes inside a frame come back +1 mod 256, outside are dropped', () => {
  assert.deepEqual([...expectedReply(Buffer.from([0x41, 0x5e, 0xff, 0x00, 0x24, 0x42]))], [0x00, 0x01]);
});

test('work requests: prime, composite, malformed, too large', () => {
  assert.equal(expectedReply('!7$').toString(), 'prime\n');
  assert.equal(expectedReply('!91$').toString(), 'composite\n');
  assert.equal(expectedReply('!1$!0$!2$').toString(), 'composite\ncomposite\nprime\n');
  assert.equal(expectedReply('!$').toString(), '');
  assert.equal(expectedReply('!12a$').toString(), '');
  // A malformed request gives the byte that broke it back to the outside state.
  assert.equal(expectedReply('!12^ab$').toString(), 'bc');
  assert.equal(expectedReply(`!${MAX_WORK_NUMBER}$`).toString(), 'composite\n');
  assert.equal(expectedReply(`!${MAX_WORK_NUMBER + 1n}$`).toString(), '');
  assert.equal(expectedReply('!12345678901234567890$').toString(), '', '20 digits is malformed');
  assert.equal(expectedReply('^!7$').toString(), '"8', 'inside a frame "!" is data');
});

test('isPrime agrees on small numbers', () => {
  const primes = [2n, 3n, 5n, 7n, 11n, 13n, 97n, 7919n, 1_000_000_007n];
  for (const p of primes) assert.ok(isPrime(p), String(p));
  for (const c of [0n, 1n, 4n, 9n, 91n, 7917n, 1_000_000_008n]) assert.ok(!isPrime(c), String(c));
});

test('the reply does not depend on how the input is split', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(300), { maxLength: 6 }), (bytes, cuts) => {
      const whole = expectedReply(bytes);
      const oracle = new ProtocolOracle();
      const points = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
      let at = 0;
      const parts: Buffer[] = [];
      for (const p of [...points, bytes.length]) {
        parts.push(oracle.feed(bytes.subarray(at, p)));
        at = p;
      }
      assert.deepEqual(Buffer.concat(parts), whole);
    }),
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  ProtocolOracle, expectedReply, isPrime, NOTES_CONVERSATION, NOTES_EXPECTED_REPLY, MAX_REFUSAL_BYTES, MAX_WORK_NUMBER, RefusalReader,
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

test('a refusal is one line of text in place of the ack, however it is split', () => {
  const line = 'busy: 8 threads running, try again later\n';
  for (let cut = 0; cut <= line.length; cut++) {
    const reader = new RefusalReader();
    assert.ok(reader.push(Buffer.from(line.slice(0, cut))));
    assert.ok(reader.push(Buffer.from(line.slice(cut))));
    assert.equal(reader.words, 'busy: 8 threads running, try again later', `cut at ${cut}`);
  }
  const crlf = new RefusalReader();
  crlf.push(Buffer.from('busy\r\n'));
  assert.equal(crlf.words, 'busy');
  assert.equal(new RefusalReader().words, undefined, 'nothing said');
});

test('what cannot be a refusal: a second line, bytes that are not text, a line too long, only blanks', () => {
  const cases: [string, Uint8Array][] = [
    ['a second line', Buffer.from('busy\nmore\n')],
    ['not text', Uint8Array.of(0x62, 0x00, 0x0a)],
    ['a frame echo', Uint8Array.of(0x62, 0x63, 0xff)],
    ['too long', Buffer.alloc(MAX_REFUSAL_BYTES + 1, 0x61)],
  ];
  for (const [what, bytes] of cases) {
    const reader = new RefusalReader();
    assert.equal(reader.push(bytes), false, what);
    assert.equal(reader.words, undefined, what);
    assert.equal(reader.push(Buffer.from('x')), false, `${what}: stays impossible`);
    assert.deepEqual(reader.received.subarray(0, bytes.length), Buffer.from(bytes), `${what}: kept for the message`);
  }
  const blank = new RefusalReader();
  assert.ok(blank.push(Buffer.from(' \n')));
  assert.equal(blank.words, undefined);
});

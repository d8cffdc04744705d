import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ReplyVerifier } from '../../src/core/client/replyVerifier';
import { expectedReply, NOTES_CONVERSATION, NOTES_EXPECTED_REPLY } from '../../src/core/protocol';

const latin1 = (s: string) => Buffer.from(s, 'latin1');

function notesVerifier(): ReplyVerifier {
  const v = new ReplyVerifier();
  for (const step of NOTES_CONVERSATION) v.sent(latin1(step.send));
  return v;
}

test('the notes reply is accepted however it is split: every single and double split point', () => {
  const reply = latin1(NOTES_EXPECTED_REPLY);
  for (let i = 0; i <= reply.length; i++) {
    for (let j = i; j <= reply.length; j++) {
      const v = notesVerifier();
      for (const part of [reply.subarray(0, i), reply.subarray(i, j), reply.subarray(j)]) assert.equal(v.received(part), undefined, `split at ${i},${j}`);
      assert.ok(v.complete, `split at ${i},${j}`);
    }
  }
});

test('a wrong byte is reported at its offset in the joined stream, whatever the split', () => {
  const reply = latin1(NOTES_EXPECTED_REPLY);
  for (let bad = 0; bad < reply.length; bad++) {
    for (let split = 0; split <= reply.length; split++) {
      const wrong = Buffer.from(reply);
      wrong[bad] ^= 0x20;
      const v = notesVerifier();
      const first = v.received(wrong.subarray(0, split));
      const problem = first ?? v.received(wrong.subarray(split));
      assert.deepEqual(problem, { kind: 'differs', offset: bad, expected: reply[bad], actual: wrong[bad] }, `bad ${bad} split ${split}`);
      assert.equal(first === undefined, split <= bad, 'reported with the chunk that holds it');
      assert.ok(!v.complete);
    }
  }
});

test('bytes beyond what was asked for are reported as extra, at the offset where they start', () => {
  const v = notesVerifier();
  assert.equal(v.received(latin1(NOTES_EXPECTED_REPLY.slice(0, 10))), undefined);
  assert.deepEqual(v.received(latin1(`${NOTES_EXPECTED_REPLY.slice(10)}X`)), { kind: 'extra', offset: 18, actual: 0x58 });
});

test('replies may only arrive for what was sent so far: the expected stream grows with each send', () => {
  const v = new ReplyVerifier();
  v.sent(latin1('^ab'));
  assert.equal(v.received(latin1('bc')), undefined);
  assert.ok(v.complete);
  assert.equal(v.received(latin1('d'))?.kind, 'extra');
});

test('random conversations, random splits: accepted exactly when the bytes are the oracle reply', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 5 }),
      fc.array(fc.nat(400), { maxLength: 5 }),
      fc.option(fc.nat(400), { nil: undefined }),
      (sends, cuts, corrupt) => {
        const v = new ReplyVerifier();
        for (const s of sends) v.sent(s);
        const reply = Buffer.from(expectedReply(Buffer.concat(sends)));
        const bad = corrupt !== undefined && reply.length > 0 ? corrupt % reply.length : undefined;
        if (bad !== undefined) reply[bad] ^= 0x01;
        const points = [...new Set(cuts.map((c) => Math.min(c, reply.length)))].sort((a, b) => a - b);
        let at = 0;
        let problem;
        for (const p of [...points, reply.length]) {
          problem ??= v.received(reply.subarray(at, p));
          at = p;
        }
        if (bad === undefined) {
          assert.equal(problem, undefined);
          assert.ok(v.complete);
        } else {
          assert.equal(problem?.offset, bad);
        }
      },
    ),
  );
});

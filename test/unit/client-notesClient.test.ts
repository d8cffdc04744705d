import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClientEvent } from '../../src/core/client/clientEvent';
import { runNotesClient } from '../../src/core/client/notesClient';
import { useFakeServers } from './client-fake-server.support';

// Short pauses: the conversation's shape is what matters here, not its 2.2 s.
const quick = [
  { send: '^abc$de^abte$f', waitMs: 20 },
  { send: 'xyz^123', waitMs: 20 },
  { send: '25$^ab0000$abab', waitMs: 20 },
];
const deadlines = { connectMs: 2000, ackMs: 500, replyMs: 500 };
const server = useFakeServers();

test("a healthy run: the notes' lines per connection, in order, and Elapsed", async () => {
  const { port } = await server();
  const events: ClientEvent[] = [];
  const result = await runNotesClient({ port, connections: 3, conversation: quick, deadlines, onEvent: (e) => events.push(e) });
  assert.ok(result.ok, JSON.stringify(result.failures));
  assert.match(result.elapsedLine, /^Elapsed: \d+\.\d+$/);
  for (let c = 0; c < 3; c++) {
    const mine = events.filter((e) => e.conn === c);
    assert.deepEqual(mine.map((e) => e.kind).filter((k) => k !== 'receive'), ['connecting', 'connect', 'ack', 'send', 'send', 'send', 'close']);
    const lines = mine.filter((e) => e.line).map((e) => e.line!.replace(/^INFO:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}:/, ''));
    assert.equal(lines[0], `conn${c} connected...`);
    assert.equal(lines[1], `conn${c} sending b'^abc$de^abte$f'`);
    assert.equal(lines.at(-1), `conn${c} disconnecting`);
    const received = mine.filter((e) => e.kind === 'receive').map((e) => e.bytes!.toString('latin1')).join('');
    assert.equal(received, 'bcdbcuf23436bc1111');
    assert.ok(mine.every((e, i) => i === 0 || e.monoNs >= mine[i - 1].monoNs), 'monotonic times');
    assert.ok(mine.find((e) => e.kind === 'connect')!.localPort! > 0);
  }
});

test('a wrong byte fails that connection, naming it and the offset', async () => {
  const { port } = await server({ corruptAt: 9 });
  const lines: string[] = [];
  const result = await runNotesClient({ port, connections: 2, conversation: quick, deadlines, onEvent: (e) => e.line && lines.push(e.line) });
  assert.equal(result.ok, false);
  assert.equal(result.failures.length, 2);
  assert.deepEqual(result.failures.map((f) => [f.conn, f.kind, f.offset]), [[0, 'differs', 9], [1, 'differs', 9]]);
  assert.match(result.failures[0].message, /^conn0: reply differs at offset 9 of the joined reply: expected b'4', got b'5'$/);
  assert.ok(lines.some((l) => /^ERROR:.*:conn1: reply differs at offset 9/.test(l)));
});

test('the server closing early is noticed at once (the original client spins forever)', async () => {
  const { port } = await server({ closeAfter: 5 });
  const started = Date.now();
  const result = await runNotesClient({ port, connections: 1, conversation: quick, deadlines: { ...deadlines, replyMs: 10_000 } });
  assert.ok(Date.now() - started < 5_000, 'did not wait for the reply deadline');
  assert.deepEqual([result.failures[0].kind, result.failures[0].offset], ['closed', 5]);
  assert.match(result.failures[0].message, /closed the connection after 5 of \d+ reply bytes; first missing byte at offset 5/);
});

test('the server closing between two sends, with everything so far answered, is still an early close', async () => {
  const { port } = await server({ closeAfter: 10 });
  const result = await runNotesClient({ port, connections: 1, conversation: quick, deadlines });
  assert.deepEqual([result.failures[0].kind, result.failures[0].offset], ['closed', 10]);
  assert.match(result.failures[0].message, /after 10 of 18 reply bytes/);
});

test('no ack within the deadline: an ack-timeout, not a hang', async () => {
  const { port } = await server({ noAck: true });
  const result = await runNotesClient({ port, connections: 1, conversation: quick, deadlines: { ...deadlines, ackMs: 200 } });
  assert.equal(result.failures[0].kind, 'ack-timeout');
});

test('extra bytes after the reply are an error at the offset where they start', async () => {
  const { port } = await server({ extraByte: 0x21 });
  const result = await runNotesClient({ port, connections: 1, conversation: quick, deadlines });
  assert.equal(result.failures[0].kind, 'extra');
  assert.equal(result.failures[0].offset, 7);
});

test('nothing listening: refused, with the address', async () => {
  const s = await server();
  const port = s.port;
  await s.close();
  const result = await runNotesClient({ port, connections: 1, conversation: quick, deadlines });
  assert.equal(result.failures[0].kind, 'refused');
  assert.match(result.failures[0].message, new RegExp(`127\\.0\\.0\\.1:${port} refused`));
});

test('aborting ends every connection promptly', async () => {
  const { port } = await server();
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const started = Date.now();
  const result = await runNotesClient({ port, connections: 2, signal: controller.signal, deadlines });
  assert.ok(Date.now() - started < 1500);
  assert.deepEqual(result.failures.map((f) => f.kind), ['aborted', 'aborted']);
});

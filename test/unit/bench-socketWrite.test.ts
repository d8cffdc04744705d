import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { socketFd, writeInOrder } from '../../src/core/bench/socketWrite';

const servers: Server[] = [];
after(() => servers.forEach((s) => s.close()));

/** A connected pair on loopback: `client` is ours, `peer` is the server's end of the same connection. */
async function pair(): Promise<{ client: Socket; peer: Socket; collected: () => Buffer; received: () => number }> {
  const server = createServer();
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connect({ host: '127.0.0.1', port });
  await once(client, 'connect');
  const [peer] = await accepted;
  const chunks: Buffer[] = [];
  let bytes = 0;
  peer.on('data', (c: Buffer) => {
    chunks.push(c);
    bytes += c.length;
  });
  return { client, peer, collected: () => Buffer.concat(chunks), received: () => bytes };
}

async function until(condition: () => boolean): Promise<void> {
  // Bounded by the test runner's timeout; each turn waits for socket I/O, not for time.
  while (!condition()) await new Promise((r) => setImmediate(r));
}

test('a connected TCP socket has a descriptor; one not connected has none', async () => {
  const { client, peer } = await pair();
  assert.ok(socketFd(client) > 2, `fd ${socketFd(client)}`);
  const unconnected = connect({ host: '127.0.0.1', port: 9, lookup: () => undefined });
  assert.equal(socketFd(unconnected), -1);
  unconnected.destroy();
  client.destroy();
  peer.destroy();
});

test('bytes written to the descriptor arrive, and never overtake what the stream still holds', async () => {
  const { client, peer, collected } = await pair();
  const fd = socketFd(client);
  writeInOrder(client, fd, Buffer.from('one,'));
  // Corked, the stream holds the next write; the one after must queue behind it, not jump ahead.
  client.cork();
  client.write('two,');
  assert.ok(client.writableLength > 0);
  writeInOrder(client, fd, Buffer.from('three,'));
  client.uncork();
  writeInOrder(client, fd, Buffer.from('four'));
  await until(() => collected().length === 'one,two,three,four'.length);
  assert.equal(collected().toString(), 'one,two,three,four');
  client.destroy();
  peer.destroy();
});

test('more than the send buffer takes: the rest is queued in order, nothing lost', async () => {
  const { client, peer, collected, received } = await pair();
  peer.pause(); // the peer reads nothing yet, so the kernel buffers fill and write(2) comes up short
  const big = Buffer.alloc(32 * 1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = i % 251;
  writeInOrder(client, socketFd(client), big);
  assert.ok(client.writableLength > 0, 'part of the write waits in the stream');
  writeInOrder(client, socketFd(client), Buffer.from('end'));
  peer.resume();
  await until(() => received() === big.length + 3);
  const got = collected();
  assert.ok(got.subarray(0, big.length).equals(big), 'the big write arrived whole and in order');
  assert.equal(got.subarray(big.length).toString(), 'end');
  client.destroy();
  peer.destroy();
});

test('a reset peer is reported through the socket, not thrown', async () => {
  const { client, peer } = await pair();
  const fd = socketFd(client);
  let error: NodeJS.ErrnoException | undefined;
  client.on('error', (err: NodeJS.ErrnoException) => (error = err));
  peer.resetAndDestroy();
  // Write until the reset shows: whether the socket or the write notices first, it must surface
  // as the socket's 'error' event (a throw would fail this test).
  await until(() => {
    if (!client.destroyed) writeInOrder(client, fd, Buffer.from('x'));
    return error !== undefined;
  });
  assert.match(error?.code ?? '', /^(ECONNRESET|EPIPE)$/);
});

test('without a descriptor the stream carries the bytes', async () => {
  const { client, peer, collected } = await pair();
  writeInOrder(client, -1, Buffer.from('via the stream'));
  await until(() => collected().length === 14);
  assert.equal(collected().toString(), 'via the stream');
  client.destroy();
  peer.destroy();
});

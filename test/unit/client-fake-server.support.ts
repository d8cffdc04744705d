/**
 * A protocol server in plain Node for the client and load-generator unit tests: it answers through
 * the protocol oracle, and can misbehave on purpose (no ack, a wrong byte, closing early) so that
 * the tests can check how the client reports each case.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { after } from 'node:test';
import { ProtocolOracle } from '../../src/core/protocol';

export interface FakeServerBehaviour {
  /** Never send the '*'. */
  readonly noAck?: boolean;
  /** Flip a bit of the reply byte at this offset of each connection's reply stream. */
  readonly corruptAt?: number;
  /** Close each connection after this many reply bytes. */
  readonly closeAfter?: number;
  /** Send this extra byte after each complete reply chunk. */
  readonly extraByte?: number;
  /** Hold every reply until this long after the connection was accepted (a stalled server). */
  readonly holdMs?: number;
}

export interface FakeServer {
  readonly port: number;
  readonly connections: number;
  close(): Promise<void>;
}

export async function startFakeServer(behaviour: FakeServerBehaviour = {}): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer({ noDelay: true }, (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const oracle = new ProtocolOracle();
    let sent = 0;
    if (!behaviour.noAck) socket.write('*');
    const acceptedAt = Date.now();
    const held: Buffer[] = [];
    // A held reply's timer must not outlive its socket: it would keep the test process alive.
    let holdTimer: NodeJS.Timeout | undefined;
    socket.once('close', () => clearTimeout(holdTimer));
    const send = (bytes: Buffer) => {
      const wait = (behaviour.holdMs ?? 0) - (Date.now() - acceptedAt);
      if (wait <= 0) {
        socket.write(bytes);
        return;
      }
      if (held.push(bytes) === 1) holdTimer = setTimeout(() => socket.write(Buffer.concat(held.splice(0))), wait);
    };
    socket.on('data', (chunk: Buffer) => {
      let reply = Buffer.from(oracle.feed(chunk));
      const { corruptAt, closeAfter, extraByte } = behaviour;
      if (corruptAt !== undefined && corruptAt >= sent && corruptAt < sent + reply.length) reply[corruptAt - sent] ^= 0x01;
      if (closeAfter !== undefined && sent + reply.length >= closeAfter) {
        socket.end(reply.subarray(0, closeAfter - sent));
        return;
      }
      if (extraByte !== undefined && reply.length > 0) reply = Buffer.concat([reply, Buffer.of(extraByte)]);
      sent += reply.length;
      if (reply.length > 0) send(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A starter for fake servers that are all closed after the test file. */
export function useFakeServers(): (behaviour?: FakeServerBehaviour) => Promise<FakeServer> {
  const started: FakeServer[] = [];
  after(() => Promise.all(started.map((s) => s.close())));
  return async (behaviour = {}) => {
    const s = await startFakeServer(behaviour);
    started.push(s);
    return s;
  };
}

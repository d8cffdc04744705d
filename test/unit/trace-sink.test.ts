/**
 * The trace sink over a real Unix socket: streams in, a recording file and live batches out,
 * garbage reported and contained.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { connect, type Socket } from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeHeader, encodeName, encodeRecords, Kind, TraceSource, type RecordFields } from '../../src/core/trace/format';
import { concatBytes, readRecording } from '../../src/core/trace/recording';
import { loadRecording } from '../../src/core/trace/recordingFile';
import { TraceSink, type SinkBatch, type TraceSinkError } from '../../src/core/trace/sink';

function stream(source: number, pid: number, records: readonly RecordFields[], names: Uint8Array[] = []): Uint8Array {
  return concatBytes([encodeHeader({ source, pid, startNs: 0n, startUnixNs: 0n, clock: 'CLOCK_MONOTONIC' }), ...names, encodeRecords(records)]);
}

async function send(socket: Socket, bytes: Uint8Array, pieces: number): Promise<void> {
  // Uneven pieces, so records and name groups are split across reads.
  let at = 0;
  for (let i = 1; i <= pieces; i++) {
    const end = i === pieces ? bytes.length : Math.min(bytes.length, at + Math.max(1, Math.floor((bytes.length / pieces) * (i % 2 ? 0.7 : 1.3))));
    await new Promise<void>((resolve, reject) => socket.write(bytes.subarray(at, end), (err) => (err ? reject(err) : resolve())));
    at = end;
  }
}

async function connected(path: string): Promise<Socket> {
  const socket = connect(path);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

async function ended(socket: Socket): Promise<void> {
  await new Promise<void>((resolve) => socket.end(resolve));
}

/** Waits for a condition with a deadline (no sleeps-and-hope). */
async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('trace sink', () => {
  let dir: string;
  let sink: TraceSink | undefined;
  const batches: SinkBatch[] = [];
  const errors: TraceSinkError[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sm-sink-'));
    batches.length = 0;
    errors.length = 0;
  });
  afterEach(async () => {
    await sink?.close(100);
    sink = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const listen = async (batchMs = 10) =>
    (sink = await TraceSink.listen({
      socketPath: join(dir, 's.sock'),
      recordingPath: join(dir, 'run.smrec'),
      onBatch: (b) => batches.push(b),
      onError: (e) => errors.push(e),
      batchMs,
    }));

  it('records two processes, split anywhere, into a file that the live batches equal byte for byte', async () => {
    const s = await listen();
    const server = stream(TraceSource.server, 501, [
      { timeNs: 100, lane: 1, kind: Kind.THREAD_STARTED, value: 1 },
      { timeNs: 110, lane: 1, kind: Kind.ACCEPT_BEGIN, fd: 3, fileId: 1, line: 12 },
      { timeNs: 300, lane: 1, kind: Kind.ACCEPT_END, fd: 3, value: 4, fileId: 1, line: 12 },
    ], [encodeName(Kind.NAME_PROCESS, 0, '01-sequential', 0), encodeName(Kind.NAME_FILE, 1, '01-sequential/main.c', 0), encodeName(Kind.NAME_LANE, 1, 'main', 0)]);
    const client = stream(TraceSource.client, 502, [
      { timeNs: 200, lane: 1, kind: Kind.CLIENT_CONNECT },
      { timeNs: 310, lane: 1, kind: Kind.CLIENT_ACK },
    ]);
    const a = await connected(s.socketPath);
    const b = await connected(s.socketPath);
    await Promise.all([send(a, server, 7), send(b, client, 3)]);
    await Promise.all([ended(a), ended(b)]);
    const summary = await s.close(2000);
    sink = undefined;

    assert.deepEqual(errors, []);
    assert.equal(summary.streams, 2);
    assert.equal(summary.records, 5);
    const file = new Uint8Array(await readFile(summary.recordingPath));
    assert.deepEqual(concatBytes(batches.map((x) => x.bytes)), file, 'the live view sees exactly the file');
    const { model, problems } = await loadRecording(summary.recordingPath);
    assert.deepEqual(problems, []);
    assert.deepEqual(model.lanes.map((l) => l.name).sort(), ['conn 1', 'main']);
    assert.equal(model.eventCount, 5);
    assert.deepEqual(Array.from({ length: 5 }, (_, p) => model.timeAt(p)), [100, 110, 200, 300, 310]);
    await assert.rejects(stat(s.socketPath), /ENOENT/, 'the socket file is gone after close');
  });

  it('takes the client from this process through openStream', async () => {
    const s = await listen();
    const own = s.openStream();
    own.write(stream(TraceSource.client, process.pid, [{ timeNs: 1, lane: 1, kind: Kind.CLIENT_CONNECT }]));
    own.end();
    const summary = await s.close();
    sink = undefined;
    assert.equal(summary.records, 1);
    assert.equal((await loadRecording(summary.recordingPath)).model.lanes[0].kind, 4);
  });

  it('reports a stream that is not a trace, closes it, and keeps recording the others', async () => {
    const s = await listen();
    const garbage = await connected(s.socketPath);
    const closed = new Promise<void>((resolve) => garbage.once('close', () => resolve()));
    garbage.on('error', () => undefined);
    garbage.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' + 'x'.repeat(64));
    await closed;
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /not a Server Models trace/);
    assert.equal(errors[0].kind, 'invalid');

    const good = await connected(s.socketPath);
    await send(good, stream(TraceSource.server, 9, [{ timeNs: 1, lane: 1, kind: Kind.THREAD_STARTED }]), 2);
    await ended(good);
    const summary = await s.close();
    sink = undefined;
    const { model, problems } = readRecording(new Uint8Array(await readFile(summary.recordingPath)));
    assert.deepEqual(problems, [], 'no garbage reached the file');
    assert.equal(model.eventCount, 1);
  });

  it('says when a stream ends inside a record, or its names stop making sense', async () => {
    const s = await listen();
    const cut = await connected(s.socketPath);
    const whole = stream(TraceSource.server, 9, [{ timeNs: 1, lane: 1, kind: Kind.THREAD_STARTED }]);
    await send(cut, whole.subarray(0, whole.length - 7), 1);
    await ended(cut);
    await until(() => errors.length === 1, 'the truncation report');
    assert.match(errors[0].message, /ended inside a record: 25 bytes dropped/);
    assert.equal(errors[0].kind, 'truncated');

    const huge = await connected(s.socketPath);
    huge.on('error', () => undefined);
    const bogusName = encodeRecords([{ timeNs: 1, lane: 1, kind: Kind.NAME_LANE, line: 0x7fffffff }]);
    huge.write(concatBytes([stream(TraceSource.server, 9, []), bogusName, new Uint8Array(70_000)]));
    await until(() => errors.length === 2, 'the framing report');
    assert.match(errors[1].message, /framing lost/);
    const summary = await s.close();
    sink = undefined;
    assert.deepEqual(readRecording(new Uint8Array(await readFile(summary.recordingPath))).problems, []);
  });

  it('closes within its grace period when a stream never ends', async () => {
    const s = await listen();
    const idle = await connected(s.socketPath);
    idle.on('error', () => undefined);
    await send(idle, stream(TraceSource.server, 9, [{ timeNs: 1, lane: 1, kind: Kind.THREAD_STARTED }]), 1);
    await until(() => batches.some((b) => b.records === 1), 'the record to arrive');
    const started = Date.now();
    const summary = await s.close(200);
    sink = undefined;
    assert.ok(Date.now() - started < 2000);
    assert.equal(summary.records, 1);
    idle.destroy();
  });

  it('replaces a stale socket file and refuses a path too long for a Unix socket', async () => {
    const path = join(dir, 'stale.sock');
    // A crashed run leaves its socket file behind: a process that exits while listening.
    execFileSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.exit(0))`]);
    assert.ok((await stat(path)).isSocket(), 'the stale socket file exists');
    const again = await TraceSink.listen({ socketPath: path, recordingPath: join(dir, 'b.smrec') });
    const socket = await connected(path);
    socket.destroy();
    await again.close();
    await assert.rejects(
      TraceSink.listen({ socketPath: join(dir, 'x'.repeat(120)), recordingPath: join(dir, 'c.smrec') }),
      /too long for a Unix socket/,
    );
  });
});

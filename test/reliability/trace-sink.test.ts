/**
 * The trace sink under load and bad input, over real Unix sockets: its socket is private, a peer
 * that is not a trace is dropped at once, the stream and byte caps hold and are counted (in the
 * summary and, as DROPPED records, in the recording), a failing disk is survived, and a producer
 * pouring records for 20 s into a slow recording file does not make the sink's process grow.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { encodeHeader, encodeName, encodeRecords, Kind, TraceSource, TRACE_VERSION, type RecordFields } from '../../src/core/trace/format';
import { concatBytes, readRecording } from '../../src/core/trace/recording';
import { TraceSink, type SinkLoss, type SinkSummary, type TraceSinkError } from '../../src/core/trace/sink';

const KiB = 1024;
const MiB = 1024 * KiB;

function header(pid: number, version = TRACE_VERSION): Uint8Array {
  const bytes = encodeHeader({ source: TraceSource.server, pid, startNs: 0n, startUnixNs: 0n, clock: 'CLOCK_MONOTONIC' });
  new DataView(bytes.buffer).setUint16(8, version, true);
  return bytes;
}

/** `count` records over `lanes` lanes, in time order. */
function records(count: number, lanes: number, firstTime = 1): Uint8Array {
  const fields: RecordFields[] = Array.from({ length: count }, (_, i) => ({ timeNs: firstTime + i, lane: 1 + (i % lanes), kind: Kind.RECV_END, fd: 5, value: 1 }));
  return encodeRecords(fields);
}

async function connected(path: string): Promise<Socket> {
  const socket = connect(path);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  return socket;
}

function written(socket: Socket, bytes: Uint8Array): Promise<void> {
  return new Promise<void>((resolve, reject) => socket.write(bytes, (err) => (err ? reject(err) : resolve())));
}

function ended(socket: Socket): Promise<void> {
  return new Promise<void>((resolve) => socket.end(resolve));
}

/** Resolves when the sink has closed the socket; a deadline instead of a hope. */
function closedBySink(socket: Socket, what: string, timeoutMs = 3000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} was not closed within ${timeoutMs} ms`)), timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    // The sink closes without reading, so the end of our side arrives as end of file.
    socket.resume();
  });
}

function lossOf<K extends SinkLoss['kind']>(summary: SinkSummary, kind: K): Extract<SinkLoss, { kind: K }> {
  const loss = summary.losses.find((l): l is Extract<SinkLoss, { kind: K }> => l.kind === kind);
  assert.ok(loss, `the summary reports ${kind}: ${JSON.stringify(summary.losses)}`);
  return loss;
}

/** What the recording says: events kept (DROPPED notes aside) and dropped, per the model. */
async function readBack(path: string): Promise<{ kept: number; dropped: number; droppedNotes: number; problems: readonly string[] }> {
  const { model, problems } = readRecording(new Uint8Array(await readFile(path)));
  let droppedNotes = 0;
  for (let e = 0; e < model.eventCount; e++) if (model.events.kind.get(e) === Kind.DROPPED) droppedNotes++;
  return { kept: model.eventCount - droppedNotes, dropped: model.counters.dropped.current() ?? 0, droppedNotes, problems };
}

describe('trace sink, bounded and private', () => {
  let dir: string;
  let sink: TraceSink | undefined;
  const errors: TraceSinkError[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sm-rel-'));
    errors.length = 0;
  });
  afterEach(async () => {
    await sink?.close(100);
    sink = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const listen = async (options: { maxStreams?: number; maxStreamBytes?: number; maxRecordingBytes?: number; recordingPath?: string } = {}) =>
    (sink = await TraceSink.listen({ recordingPath: join(dir, 'run.smrec'), onError: (e) => errors.push(e), batchMs: 10, ...options }));

  const closeSink = async (graceMs = 2000): Promise<SinkSummary> => {
    const summary = await (sink as TraceSink).close(graceMs);
    sink = undefined;
    return summary;
  };

  it('listens in a 0700 directory of its own, on a 0600 socket, and removes both on close', async () => {
    const s = await listen();
    const socketDir = dirname(s.socketPath);
    assert.ok(Buffer.byteLength(s.socketPath) <= 103, `short enough for a Unix socket: ${s.socketPath}`);
    assert.ok([tmpdir(), '/tmp'].includes(dirname(socketDir)), `under the temp folder: ${s.socketPath}`);
    const socketStat = await stat(s.socketPath);
    assert.ok(socketStat.isSocket());
    assert.equal(socketStat.mode & 0o777, 0o600, 'the socket is the user’s alone');
    assert.equal((await stat(socketDir)).mode & 0o777, 0o700, 'and so is its directory');
    const summary = await closeSink();
    assert.equal(summary.streams, 0);
    await assert.rejects(stat(socketDir), /ENOENT/, 'the directory is gone after close');

    // A socket path given by the caller is made 0600 too.
    sink = await TraceSink.listen({ socketPath: join(dir, 'given.sock'), recordingPath: join(dir, 'given.smrec') });
    assert.equal((await stat(join(dir, 'given.sock'))).mode & 0o777, 0o600);
  });

  it('drops a peer with a wrong header at once, while a good stream goes on recording', async () => {
    const s = await listen();
    const good = await connected(s.socketPath);
    await written(good, concatBytes([header(7), records(100, 2)]));

    // Fewer bytes than a header: judged on what arrived, not left waiting for the rest.
    const http = await connected(s.socketPath);
    const httpClosed = closedBySink(http, 'the HTTP peer');
    http.write('GET / HTTP/1.1\r\n');
    await httpClosed;
    const wrongVersion = await connected(s.socketPath);
    const versionClosed = closedBySink(wrongVersion, 'the wrong-version peer');
    wrongVersion.write(header(8, TRACE_VERSION + 1).subarray(0, 12));
    await versionClosed;

    await written(good, records(100, 2, 1000));
    await ended(good);
    const summary = await closeSink();
    assert.deepEqual(errors.map((e) => [e.kind, e.atHeader]), [['invalid', true], ['invalid', true]]);
    assert.match(errors[0].message, /not a Server Models trace \(magic "GET \/ HT"\)/);
    assert.match(errors[1].message, /trace version 2, this reader knows 1/);
    assert.deepEqual(summary.errors, [], 'rejected peers are counted, not listed one by one');
    const rejected = lossOf(summary, 'not-a-trace');
    assert.equal(rejected.connections, 2);
    assert.match(rejected.message, /did not begin with a Server Models trace header were closed: 2\./);
    assert.equal(summary.streams, 1);
    assert.equal(summary.records, 200);
    const back = await readBack(summary.recordingPath);
    assert.deepEqual(back.problems, []);
    assert.equal(back.kept, 200, 'every event of the good stream is in the recording');
  });

  it('takes at most maxStreams streams; peers rejected for their header do not use them up', async () => {
    const s = await listen({ maxStreams: 3 });
    const streams: Socket[] = [];
    for (let i = 0; i < 3; i++) {
      const bad = await connected(s.socketPath);
      const badClosed = closedBySink(bad, 'a bad peer');
      bad.write('nope');
      await badClosed;
      const socket = await connected(s.socketPath);
      await written(socket, concatBytes([header(100 + i), records(10, 1)]));
      streams.push(socket);
    }
    // The listener accepts in arrival order, so these come after the three streams above.
    const extra = await Promise.all([connected(s.socketPath), connected(s.socketPath)]);
    await Promise.all(extra.map((socket, i) => closedBySink(socket, `extra connection ${i}`)));
    await Promise.all(streams.map(ended));
    const summary = await closeSink();
    assert.equal(errors.length, 3);
    assert.equal(summary.streams, 3);
    assert.equal(summary.records, 30);
    const refused = lossOf(summary, 'too-many-streams');
    assert.equal(refused.connections, 2);
    assert.equal(refused.limit, 3);
    assert.match(refused.message, /took its limit of 3 streams; further connections to it were closed unread: 2\./);
    assert.equal(lossOf(summary, 'not-a-trace').connections, 3);
  });

  it('keeps a stream within maxStreamBytes, counts the rest, and notes it in the recording per lane', async () => {
    const s = await listen({ maxStreamBytes: 64 * KiB });
    const runaway = await connected(s.socketPath);
    const sent = 10_000;
    // Several writes, so that the cap falls between chunks of one stream.
    await written(runaway, concatBytes([header(1), encodeName(Kind.NAME_LANE, 1, 'main', 0)]));
    for (let at = 0; at < sent; at += 1000) await written(runaway, records(1000, 2, 1 + at));
    await ended(runaway);
    const client = s.openStream();
    client.write(concatBytes([header(2), records(50, 1)]));
    client.end();
    const summary = await closeSink();

    const loss = lossOf(summary, 'stream-cap');
    assert.equal(loss.streams, 1, 'only the runaway stream lost events');
    assert.equal(loss.limitBytes, 64 * KiB);
    assert.match(loss.message, /limit of 64 KiB per stream, so \d+ later events \(\d+(\.\d)? KiB\) were left out/);
    assert.ok(loss.events > 0);
    assert.equal(summary.losses.length, 1);
    const back = await readBack(summary.recordingPath);
    assert.deepEqual(back.problems, []);
    assert.equal(back.kept, sent - loss.events + 50, 'what was not left out is in the recording, the client’s 50 included');
    assert.ok((sent - loss.events) * 32 <= 64 * KiB, 'the stream stayed within its cap');
    assert.equal(back.dropped, loss.events, 'the recording says how many were dropped');
    assert.equal(back.droppedNotes, 2, 'one DROPPED record on each lane that lost events');
  });

  it('keeps the recording within maxRecordingBytes across streams, and says so', async () => {
    const cap = 96 * KiB;
    const s = await listen({ maxRecordingBytes: cap });
    const sent = 3200; // 100 KiB of records from each of two streams
    const a = await connected(s.socketPath);
    const b = await connected(s.socketPath);
    await Promise.all([written(a, header(1)), written(b, header(2))]);
    for (let at = 0; at < sent; at += 400) await Promise.all([written(a, records(400, 3, 1 + at)), written(b, records(400, 1, 1 + at))]);
    await Promise.all([ended(a), ended(b)]);
    const summary = await closeSink();

    const loss = lossOf(summary, 'recording-cap');
    assert.match(loss.message, /The recording reached its limit of 96 KiB, so \d+ later events/);
    const size = (await stat(summary.recordingPath)).size;
    assert.equal(size, summary.bytes);
    assert.ok(size <= cap + 512, `the file (${size} bytes) is within the cap, drop notes aside`);
    const back = await readBack(summary.recordingPath);
    assert.deepEqual(back.problems, []);
    assert.equal(back.kept + loss.events, 2 * sent, 'every event is either recorded or counted');
    assert.equal(back.dropped, loss.events);
  });

  it('survives a recording file that cannot be written, and says what was lost', { skip: !existsSync('/dev/full') && 'no /dev/full' }, async () => {
    const s = await listen({ recordingPath: '/dev/full' });
    const stage = await connected(s.socketPath);
    await written(stage, concatBytes([header(1), records(1000, 1)]));
    for (let i = 0; i < 20; i++) await written(stage, records(1000, 1));
    await ended(stage);
    const summary = await closeSink();
    const loss = lossOf(summary, 'write-failed');
    assert.match(loss.reason, /ENOSPC/);
    assert.match(loss.message, /The recording file could not be written \(.*ENOSPC.*\), so \d+ events/);
    assert.ok(loss.events > 0);
  });

  it('stays small while a producer pours records into it for 20 s and the file drains slowly', { timeout: 45_000 }, async (t) => {
    // A slow disk, made exact: the recording is a FIFO that a child reads at 32 MiB/s, so the
    // file is the bottleneck and only backpressure keeps the sink from buffering. The caps are
    // raised past the 200 MB under test (an unbounded sink would queue all of them); the
    // recording cap is still reached after ~12 s, so the flood then meets the dropping path.
    const fifo = join(dir, 'slow.smrec');
    execFileSync('mkfifo', [fifo]);
    const drainRate = 32 * MiB;
    const reader = spawn(process.execPath, ['-e', SLOW_READER, fifo, String(drainRate)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let readerOut = '';
    reader.stdout.on('data', (d: Buffer) => (readerOut += d.toString()));
    const readerDone = new Promise<void>((resolve) => reader.once('exit', () => resolve()));

    const s = await listen({ recordingPath: fifo, maxStreamBytes: 1024 * MiB, maxRecordingBytes: 384 * MiB });
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100);
    try {
      const producer = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'trace-flood.support.ts'), s.socketPath, '20'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let producerOut = '';
      producer.stdout.on('data', (d: Buffer) => (producerOut += d.toString()));
      const code = await new Promise<number | null>((resolve) => producer.once('exit', resolve));
      assert.equal(code, 0, 'the producer ran to its end');
      const wrote = JSON.parse(producerOut) as { records: number; bytes: number; waitedForDrain: number };
      const summary = await closeSink(10_000);
      await readerDone;
      peak = Math.max(peak, process.memoryUsage.rss());
      const growthMB = (peak - baseline) / 1e6;
      const loss = lossOf(summary, 'recording-cap');
      t.diagnostic(
        `producer wrote ${(wrote.bytes / MiB).toFixed(0)} MiB (${wrote.records} records, waited for drain ${wrote.waitedForDrain}×); ` +
          `recorded ${(summary.bytes / MiB).toFixed(1)} MiB, left out ${loss.events} events; RSS ${(baseline / 1e6).toFixed(0)} → peak ${(peak / 1e6).toFixed(0)} MB (+${growthMB.toFixed(0)} MB)`,
      );
      assert.ok(growthMB < 200, `the sink's process grew ${growthMB.toFixed(0)} MB`);
      assert.equal(Number(readerOut), summary.bytes, 'every byte the sink recorded went through the slow file');
      assert.ok(summary.bytes <= 384 * MiB + 4 * KiB);
      assert.equal(summary.records + loss.events, wrote.records + 4, 'every record was recorded or counted (and one DROPPED note on each of the 4 lanes)');
      assert.ok(wrote.waitedForDrain > 0, 'the producer was slowed down');
    } finally {
      clearInterval(sampler);
      reader.kill();
    }
  });
});

/** Reads the FIFO named in argv[1] at argv[2] bytes a second, then prints how many it read. */
const SLOW_READER = `
const fs = require('node:fs');
const [path, rate] = process.argv.slice(1);
const fd = fs.openSync(path, 'r');
const buffer = Buffer.alloc(1 << 16);
const started = Date.now();
let total = 0;
function step() {
  while (total + buffer.length <= (Number(rate) * (Date.now() - started)) / 1000) {
    const n = fs.readSync(fd, buffer, 0, buffer.length, null);
    if (n === 0) return process.stdout.write(String(total));
    total += n;
  }
  setTimeout(step, 5);
}
step();
`;

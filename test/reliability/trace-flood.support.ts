/**
 * A stage that traces far faster than anyone can keep: connects to the trace socket named in
 * argv[2] and writes valid records as fast as the socket takes them for argv[3] seconds, then
 * prints what it wrote as one JSON line. Run as a child process by trace-sink.test.ts, so the
 * sink's process is measured without the producer in it.
 */
import { connect } from 'node:net';
import { encodeHeader, encodeName, encodeRecords, Kind, TraceSource, type RecordFields } from '../../src/core/trace/format';
import { concatBytes } from '../../src/core/trace/recording';

const [socketPath, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg);
if (!socketPath || !(seconds > 0)) throw new Error('usage: trace-flood.support.ts <socket> <seconds>');

const RECORDS_PER_CHUNK = 8192;
const records: RecordFields[] = Array.from({ length: RECORDS_PER_CHUNK }, (_, i) => ({
  timeNs: 1_000 + i,
  lane: 1 + (i % 4),
  kind: i % 2 ? Kind.RECV_END : Kind.RECV_BEGIN,
  fd: 5,
  fileId: 1,
  line: 42,
  value: 64,
}));
const chunk = encodeRecords(records);
const start = concatBytes([
  encodeHeader({ source: TraceSource.server, pid: process.pid, startNs: 0n, startUnixNs: 0n, clock: 'CLOCK_MONOTONIC' }),
  encodeName(Kind.NAME_PROCESS, 0, 'flood', 0),
  encodeName(Kind.NAME_FILE, 1, 'flood/main.c', 0),
]);

const socket = connect(socketPath);
let chunksWritten = 0;
let waitedForDrain = 0;
const deadline = Date.now() + seconds * 1000;

function pour(): void {
  // Respecting the socket's own backpressure keeps this process small; the sink's is what is tested.
  while (Date.now() < deadline) {
    chunksWritten++;
    if (!socket.write(chunk)) {
      waitedForDrain++;
      socket.once('drain', pour);
      return;
    }
  }
  socket.end(() => {
    process.stdout.write(`${JSON.stringify({ records: chunksWritten * RECORDS_PER_CHUNK, bytes: start.length + chunksWritten * chunk.length, waitedForDrain })}\n`);
  });
}

socket.once('connect', () => {
  socket.write(start);
  pour();
});

/**
 * Recordings for the reliability tests: a small valid one to damage in every way the readers
 * must notice, and a large one (hundreds of megabytes, shaped like a stage-09 run: carriers,
 * a poller, green threads, the client) written to disk a block at a time, so that making it
 * takes no more memory than reading it should.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { encodeHeader, encodeName, encodeRecords, Kind, RECORD_SIZE, TraceSource, type RecordFields } from '../../src/core/trace/format';
import { concatBytes, encodeBlock, encodeRecordingHeader } from '../../src/core/trace/recording';

const START_NS = 7_000_000_000n;

function streamHeader(source: number, pid: number): Uint8Array {
  return encodeHeader({ source, pid, startNs: START_NS, startUnixNs: 0n, clock: 'CLOCK_MONOTONIC' });
}

/** The head of a recording: its header, then a block with each stream's header and names. */
function recordingHead(): Uint8Array[] {
  return [
    encodeRecordingHeader(),
    encodeBlock(0, concatBytes([streamHeader(TraceSource.server, 900), encodeName(Kind.NAME_PROCESS, 0, '09-green-threads', START_NS), encodeName(Kind.NAME_FILE, 1, '09-green-threads/main.c', START_NS), encodeName(Kind.NAME_LANE, 1, 'main', START_NS)])),
    encodeBlock(1, concatBytes([streamHeader(TraceSource.client, 901), encodeName(Kind.NAME_PROCESS, 0, 'client', START_NS)])),
  ];
}

/** Where the parts of smallRecording() are, for damaging them on purpose. */
export interface SmallRecording {
  readonly bytes: Uint8Array;
  /** Offsets of every block header, in file order. */
  readonly blocks: readonly number[];
  /** Offset of the first record of the last server block. */
  readonly lastServerRecord: number;
  readonly events: number;
}

/** A valid recording of a few dozen events on both streams, in blocks of a few records. */
export function smallRecording(): SmallRecording {
  const t = (n: number) => START_NS + BigInt(n) * 1000n;
  const server: RecordFields[][] = [
    [
      { timeNs: t(1), lane: 1, kind: Kind.THREAD_STARTED, value: 1, fileId: 1, line: 10 },
      { timeNs: t(2), lane: 1, kind: Kind.EPOLL_WAIT_BEGIN, fd: 3, value: 2, fileId: 1, line: 20 },
      { timeNs: t(5), lane: 1, kind: Kind.EPOLL_WAIT_END, fd: 3, value: 1, fileId: 1, line: 20 },
    ],
    [
      { timeNs: t(6), lane: 1, kind: Kind.READY_FD, fd: 5, value: 1, fileId: 1, line: 21 },
      { timeNs: t(7), lane: 2, kind: Kind.GREEN_MOUNTED, value: 1, fileId: 1, line: 30 },
      { timeNs: t(9), lane: 2, kind: Kind.GREEN_UNMOUNTED, value: 1, fileId: 1, line: 31 },
    ],
    [
      { timeNs: t(10), lane: 1, kind: Kind.RECV_BEGIN, fd: 5, fileId: 1, line: 40 },
      { timeNs: t(11), lane: 1, kind: Kind.RECV_END, fd: 5, value: 14, fileId: 1, line: 40 },
      { timeNs: t(12), lane: 1, kind: Kind.DROPPED, value: 3 },
    ],
  ];
  const client: RecordFields[][] = [
    [
      { timeNs: t(3), lane: 0, kind: Kind.CLIENT_CONNECT },
      { timeNs: t(4), lane: 0, kind: Kind.CLIENT_CONNECTED, value: 40000 },
    ],
    [
      { timeNs: t(8), lane: 0, kind: Kind.CLIENT_SEND, value: 14 },
      { timeNs: t(13), lane: 0, kind: Kind.CLIENT_RECEIVE, value: 14 },
    ],
  ];
  const [header, ...heads] = recordingHead();
  const order: [0 | 1, RecordFields[]][] = [[0, server[0]], [1, client[0]], [0, server[1]], [1, client[1]], [0, server[2]]];
  const parts = [header, ...heads, ...order.map(([stream, records]) => encodeBlock(stream, encodeRecords(records)))];
  const blocks: number[] = [];
  let at = header.length;
  for (const block of parts.slice(1)) {
    blocks.push(at);
    at += block.length;
  }
  const lastServerRecord = blocks[blocks.length - 1] + 8;
  return { bytes: concatBytes(parts), blocks, lastServerRecord, events: [...server, ...client].flat().length };
}

/** Writes one record at `at` of a block being built (the fields of format.ts's record). */
function putRecord(view: DataView, at: number, timeNs: number, lane: number, kind: number, fd: number, line: number, value: number): void {
  view.setBigUint64(at, START_NS + BigInt(timeNs), true);
  view.setUint32(at + 8, lane, true);
  view.setUint16(at + 12, kind, true);
  view.setUint16(at + 14, line > 0 ? 1 : 0, true);
  view.setInt32(at + 16, fd, true);
  view.setUint32(at + 20, line, true);
  view.setBigInt64(at + 24, BigInt(value), true);
}

const RECORDS_PER_BLOCK = 2048;

/**
 * Writes a recording of about `bytes` bytes to `path`: a stage-09-like server stream (a poller
 * on lane 1, carriers on lanes 2-5 mounting 64 green threads, each request a recv, sometimes
 * work, a send) and the client's stream, interleaved a block at a time. Returns the events.
 */
export function writeLargeRecording(path: string, bytes: number): number {
  const fd = openSync(path, 'w');
  try {
    const head = concatBytes(recordingHead());
    writeSync(fd, head);
    let written = head.length;
    let events = 0;
    let now = 1000;
    let x = 12345;
    const random = (n: number) => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) % n;
    };
    const server = new Uint8Array(8 + RECORDS_PER_BLOCK * RECORD_SIZE);
    const client = new Uint8Array(8 + RECORDS_PER_BLOCK * RECORD_SIZE);
    const serverView = new DataView(server.buffer);
    const clientView = new DataView(client.buffer);
    let s = 0;
    let c = 0;
    const flush = (block: Uint8Array, view: DataView, stream: number, count: number) => {
      view.setUint32(0, stream, true);
      view.setUint32(4, count * RECORD_SIZE, true);
      writeSync(fd, block, 0, 8 + count * RECORD_SIZE);
      written += 8 + count * RECORD_SIZE;
      events += count;
    };
    const put = (stream: 0 | 1, lane: number, kind: number, fdNumber: number, line: number, value: number) => {
      now += 1 + random(500);
      if (stream === 0) {
        putRecord(serverView, 8 + s * RECORD_SIZE, now, lane, kind, fdNumber, line, value);
        if (++s === RECORDS_PER_BLOCK) {
          flush(server, serverView, 0, s);
          s = 0;
        }
      } else {
        putRecord(clientView, 8 + c * RECORD_SIZE, now, lane, kind, fdNumber, line, value);
        if (++c === RECORDS_PER_BLOCK) {
          flush(client, clientView, 1, c);
          c = 0;
        }
      }
    };
    for (let lane = 1; lane <= 5; lane++) put(0, lane, Kind.THREAD_STARTED, -1, 10, lane);
    for (let green = 1; green <= 64; green++) put(0, 1, Kind.GREEN_STARTED, -1, 12, green);
    while (written < bytes) {
      const green = 1 + random(64);
      const carrier = 2 + random(4);
      const peer = 10 + green;
      put(1, green, Kind.CLIENT_SEND, -1, 0, 16);
      put(0, 1, Kind.EPOLL_WAIT_END, 3, 20, 1);
      put(0, 1, Kind.READY_FD, peer, 21, 1);
      put(0, 1, Kind.GREEN_RESUMED, peer, 22, green);
      put(0, 1, Kind.EPOLL_WAIT_BEGIN, 3, 20, 65);
      put(0, carrier, Kind.GREEN_MOUNTED, -1, 30, green);
      put(0, carrier, Kind.RECV_BEGIN, peer, 40, 0);
      put(0, carrier, Kind.RECV_END, peer, 40, 16);
      if (random(10) === 0) {
        put(0, carrier, Kind.WORK_STARTED, peer, 50, 97);
        put(0, carrier, Kind.WORK_DONE, peer, 51, 1);
      }
      put(0, carrier, Kind.SEND_BEGIN, peer, 60, 16);
      put(0, carrier, Kind.SEND_END, peer, 60, 16);
      put(0, carrier, Kind.GREEN_PARKED, peer, 61, green);
      put(0, carrier, Kind.GREEN_UNMOUNTED, -1, 62, green);
      if (random(1000) === 0) put(0, carrier, Kind.DROPPED, -1, 0, 1 + random(100));
      put(1, green, Kind.CLIENT_RECEIVE, -1, 0, 16);
    }
    if (s > 0) flush(server, serverView, 0, s);
    if (c > 0) flush(client, clientView, 1, c);
    return events;
  } finally {
    closeSync(fd);
  }
}

/**
 * A deterministic synthetic recording of any size, shaped like a real run (an epoll loop with
 * worker threads serving clients, and the client's connections), for the panel's performance
 * test and benchmark, where a real stage cannot produce a million events on demand.
 */
import { encodeHeader, encodeName, encodeRecords, Kind, TraceSource, type RecordFields } from './format';
import { concatBytes, encodeBlock, encodeRecordingHeader } from './recording';

export interface SyntheticOptions {
  /** Trace records to produce (approximately: whole request cycles). */
  readonly events: number;
  /** Server threads besides the loop thread. */
  readonly workers?: number;
  readonly clients?: number;
  readonly seed?: number;
  /**
   * Every this many request cycles, a pause with no event at all (the notes' client thinking),
   * which the panel's collapsed axis turns into a gap. Undefined: no pauses.
   */
  readonly pauseEvery?: number;
  /** How long each pause is (default 1 s). */
  readonly pauseNs?: number;
}

const START_NS = 5_000_000_000n;
const FILE = '06-epoll/main.c';
/** Records per block: the sink writes blocks of about this size. */
const RECORDS_PER_BLOCK = 2048;

/** xorshift32: the same recording on every machine. */
function random(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/**
 * One stream's records, encoded a block at a time as they are made: ten million records as
 * objects would take gigabytes and minutes.
 */
class StreamBlocks {
  private pending: RecordFields[] = [];
  readonly blocks: { readonly firstNs: number; readonly bytes: Uint8Array }[] = [];
  count = 0;

  push(record: RecordFields): void {
    this.pending.push(record);
    this.count++;
    if (this.pending.length === RECORDS_PER_BLOCK) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    this.blocks.push({ firstNs: Number(this.pending[0].timeNs), bytes: encodeRecords(this.pending) });
    this.pending = [];
  }
}

export function syntheticRecording(options: SyntheticOptions): Uint8Array {
  const workers = options.workers ?? 3;
  const clients = options.clients ?? 16;
  const next = random(options.seed ?? 42);
  const server = new StreamBlocks();
  const client = new StreamBlocks();
  let now = Number(START_NS) + 1000;
  const tick = (max: number) => (now += 50 + Math.floor(next() * max));
  const at = (r: Omit<RecordFields, 'timeNs' | 'fileId'>, into: StreamBlocks) => into.push({ ...r, timeNs: now, fileId: 1 });

  for (let lane = 1; lane <= 1 + workers; lane++) {
    tick(500);
    at({ lane, kind: Kind.THREAD_STARTED, value: lane, line: 40 }, server);
  }
  for (let c = 1; c <= clients; c++) {
    tick(500);
    at({ lane: c, kind: Kind.CLIENT_CONNECT }, client);
    tick(500);
    at({ lane: c, kind: Kind.CLIENT_CONNECTED, value: 40000 + c }, client);
    tick(500);
    at({ lane: 1, kind: Kind.CONN_ACCEPTED, fd: 4 + c, value: 40000 + c, line: 55 }, server);
    tick(500);
    at({ lane: c, kind: Kind.CLIENT_ACK }, client);
  }
  let cycle = 0;
  while (server.count + client.count < options.events) {
    if (options.pauseEvery !== undefined && ++cycle % options.pauseEvery === 0) now += options.pauseNs ?? 1_000_000_000;
    const c = 1 + Math.floor(next() * clients);
    const fd = 4 + c;
    const worker = 2 + Math.floor(next() * workers);
    tick(2000);
    at({ lane: c, kind: Kind.CLIENT_SEND, value: 16 }, client);
    at({ lane: 1, kind: Kind.EPOLL_WAIT_END, fd: 3, value: 1, line: 60 }, server);
    tick(200);
    at({ lane: 1, kind: Kind.READY_FD, fd, value: 1, line: 61 }, server);
    at({ lane: 1, kind: Kind.CALLBACK_BEGIN, fd, value: 1, line: 70 }, server);
    tick(300);
    at({ lane: 1, kind: Kind.RECV_BEGIN, fd, line: 72 }, server);
    tick(300);
    at({ lane: 1, kind: Kind.RECV_END, fd, value: 16, line: 72 }, server);
    if (next() < 0.1) {
      tick(100);
      at({ lane: 1, kind: Kind.WORK_SUBMITTED, fd, value: 97, line: 80 }, server);
      tick(100);
      at({ lane: worker, kind: Kind.WORK_STARTED, fd, value: 97, line: 90 }, server);
      tick(20000);
      at({ lane: worker, kind: Kind.WORK_DONE, fd, value: 1, line: 91 }, server);
    } else if (next() < 0.2) {
      tick(100);
      at({ lane: 1, kind: Kind.EAGAIN, fd, value: 1, line: 73 }, server);
    }
    tick(300);
    at({ lane: 1, kind: Kind.SEND_BEGIN, fd, value: 16, line: 75 }, server);
    tick(300);
    at({ lane: 1, kind: Kind.SEND_END, fd, value: 16, line: 75 }, server);
    at({ lane: 1, kind: Kind.CALLBACK_END, fd, value: 1, line: 70 }, server);
    tick(100);
    at({ lane: 1, kind: Kind.EPOLL_WAIT_BEGIN, fd: 3, value: clients + 1, line: 60 }, server);
    tick(500);
    at({ lane: c, kind: Kind.CLIENT_RECEIVE, value: 16 }, client);
  }
  for (let c = 1; c <= clients; c++) {
    tick(500);
    at({ lane: c, kind: Kind.CLIENT_CLOSE, value: 0 }, client);
  }

  const header = (source: number, pid: number) =>
    encodeHeader({ source, pid, startNs: START_NS, startUnixNs: 0n, clock: 'CLOCK_MONOTONIC' });
  const serverNames = [
    encodeName(Kind.NAME_PROCESS, 0, '06-epoll', START_NS),
    encodeName(Kind.NAME_FILE, 1, FILE, START_NS),
    encodeName(Kind.NAME_LANE, 1, 'main', START_NS),
    ...Array.from({ length: workers }, (_, i) => encodeName(Kind.NAME_LANE, i + 2, `worker ${i + 1}`, START_NS)),
  ];
  const clientNames = [
    encodeName(Kind.NAME_PROCESS, 0, 'client', START_NS),
    ...Array.from({ length: clients }, (_, i) => encodeName(Kind.NAME_LANE, i + 1, `conn${i}`, START_NS)),
  ];
  const blocks: Uint8Array[] = [
    encodeRecordingHeader(),
    encodeBlock(0, concatBytes([header(TraceSource.server, 1000), ...serverNames])),
    encodeBlock(1, concatBytes([header(TraceSource.client, 1001), ...clientNames])),
  ];
  // Interleave the two streams block by block in time, as a sink receiving both live would.
  server.flush();
  client.flush();
  let s = 0;
  let c = 0;
  while (s < server.blocks.length || c < client.blocks.length) {
    const serverFirst = c >= client.blocks.length || (s < server.blocks.length && server.blocks[s].firstNs <= client.blocks[c].firstNs);
    if (serverFirst) blocks.push(encodeBlock(0, server.blocks[s++].bytes));
    else blocks.push(encodeBlock(1, client.blocks[c++].bytes));
  }
  return concatBytes(blocks);
}

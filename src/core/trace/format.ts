/**
 * Mirrors servers/common/trace.h: the binary trace format the stages write (and the TypeScript
 * client writes for its own side). Change both together; test/unit/trace-format.test.ts compiles
 * a C program against the header and checks that this file decodes what it writes and that the
 * kind tables agree. The layout is documented in servers/README.md ("Trace format").
 *
 * Plain TypeScript (Uint8Array and DataView, no Node Buffer): the webview decodes recordings too.
 */

export const TRACE_ENV = 'SERVER_MODELS_TRACE';
export const TRACE_MAGIC = 'SMTRACE';
export const TRACE_VERSION = 1;
export const HEADER_SIZE = 64;
export const RECORD_SIZE = 32;

export const TraceSource = { server: 0, client: 1 } as const;
export type TraceSourceName = keyof typeof TraceSource;

/** Values of CONN_CLOSED. */
export const CloseReason = { peer: 0, error: 1, refused: 2, stopping: 3 } as const;
/** Values of WORK_DONE: the answer, or none because the stage was stopping. */
export const WorkOutcome = { composite: 0, prime: 1, stopped: -1 } as const;
/** Bits of READY_FD's value. */
export const ReadyMask = { read: 1, write: 2, error: 4 } as const;
/** Values of EAGAIN: which call found nothing to do. */
export const EagainCall = { recv: 1, send: 2, accept: 3 } as const;

/**
 * Every event kind: number and what its fd / value mean. Same order, names, numbers and
 * meanings as TRACE_KINDS in trace.h (the unit test compares them).
 */
export const TRACE_KINDS = {
  NAME_FILE: [1, 'names source file file_id; line = name length, the name follows'],
  NAME_LANE: [2, 'names this lane (thread named); line = name length, the name follows'],
  NAME_PROCESS: [3, 'names the process (stage id or client); line = name length, the name follows'],
  ACCEPT_BEGIN: [16, 'waiting in accept(); fd = listener'],
  ACCEPT_END: [17, 'accept() returned; value = new fd or -errno'],
  RECV_BEGIN: [18, 'waiting in recv(); fd = peer'],
  RECV_END: [19, 'recv() returned; value = bytes, 0 = peer closed, or -errno'],
  SEND_BEGIN: [20, 'in send(); fd = peer, value = bytes offered'],
  SEND_END: [21, 'send() returned; value = bytes taken or -errno'],
  SELECT_BEGIN: [22, 'waiting in select(); fd = nfds, value = fds watched'],
  SELECT_END: [23, 'select() returned; value = ready fds or -errno'],
  EPOLL_WAIT_BEGIN: [24, 'waiting in epoll_wait(); fd = epoll fd, value = fds registered'],
  EPOLL_WAIT_END: [25, 'epoll_wait() returned; value = events or -errno'],
  KEVENT_BEGIN: [26, 'waiting in kevent(); fd = kqueue fd, value = fds registered'],
  KEVENT_END: [27, 'kevent() returned; value = events or -errno'],
  SLEEP_BEGIN: [28, 'sleeping on purpose; value = ns asked'],
  SLEEP_END: [29, 'woke up; value = ns slept'],
  LOOP_WAIT_BEGIN: [30, "a library's loop waits for I/O (libuv); value = active handles"],
  LOOP_WAIT_END: [31, "the library's loop woke up"],
  READY_FD: [40, 'the wait reported fd ready; value = mask 1 read, 2 write, 4 error'],
  EAGAIN: [41, 'a non-blocking call on fd found nothing; value = 1 recv, 2 send, 3 accept'],
  CALLBACK_BEGIN: [48, 'a callback starts; fd, value = stage-defined callback id'],
  CALLBACK_END: [49, 'the callback returns; fd, value = the same id'],
  WORK_SUBMITTED: [56, 'work handed to whoever runs it; fd = requesting peer, value = the number'],
  WORK_STARTED: [57, 'work starts on this lane; fd = requesting peer, value = the number'],
  WORK_DONE: [58, 'work ends on this lane; fd = requesting peer, value = 1 prime, 0 composite, -1 given up (stopping)'],
  TIMER_FIRED: [64, 'a timer fires; value = lateness in ns'],
  THREAD_STARTED: [72, 'this lane starts; value = threads alive'],
  THREAD_EXITED: [73, 'this lane ends; value = threads alive after it'],
  GREEN_STARTED: [80, 'a green thread is created; value = its id'],
  GREEN_PARKED: [81, 'a green thread parks waiting for fd; value = its id'],
  GREEN_RESUMED: [82, 'a parked green thread is runnable again; fd, value = its id'],
  GREEN_MOUNTED: [83, 'this carrier lane starts running a green thread; value = its id'],
  GREEN_UNMOUNTED: [84, 'this carrier lane stops running it; value = its id'],
  GREEN_EXITED: [85, 'a green thread ends; value = its id'],
  CONN_ACCEPTED: [96, "a connection is served; fd, value = the peer's port"],
  CONN_CLOSED: [97, 'a connection is closed; fd, value = TRACE_CLOSE_*'],
  COUNT_EMPTY_POLLS: [104, 'counter; value = empty polls so far'],
  COUNT_THREADS: [105, 'counter; value = threads alive'],
  COUNT_FDS_WATCHED: [106, 'counter; value = fds in the set or registered'],
  COUNT_CONNECTIONS: [107, 'counter; value = connections open'],
  COUNT_QUEUED_WORK: [108, 'counter; value = work requests waiting for a worker'],
  DROPPED: [120, 'this lane lost events to a slow sink; value = how many since the last DROPPED'],
  CLIENT_CONNECT: [128, 'client lane starts connecting'],
  CLIENT_CONNECTED: [129, 'client connected; value = its local port (= CONN_ACCEPTED value)'],
  CLIENT_ACK: [130, "client received the '*' ack"],
  CLIENT_SEND: [131, 'client sent; value = bytes'],
  CLIENT_RECEIVE: [132, 'client received; value = bytes'],
  CLIENT_CLOSE: [133, 'client closed; value = 0 clean, 1 error'],
} as const satisfies Record<string, readonly [number, string]>;

export type TraceKindName = keyof typeof TRACE_KINDS;

/** Kind numbers by name: `Kind.RECV_END === 19`. */
export const Kind = Object.fromEntries(
  Object.entries(TRACE_KINDS).map(([name, [num]]) => [name, num]),
) as { readonly [K in TraceKindName]: (typeof TRACE_KINDS)[K][0] };

const namesByNumber = new Map<number, TraceKindName>(
  (Object.keys(TRACE_KINDS) as TraceKindName[]).map((name) => [TRACE_KINDS[name][0], name]),
);

/** "RECV_END" for 19; undefined for a number this version does not know (skip such records). */
export function kindName(kind: number): TraceKindName | undefined {
  return namesByNumber.get(kind);
}

/** For each *_BEGIN kind, its *_END kind (ACCEPT, RECV, SEND, SELECT, EPOLL_WAIT, KEVENT, SLEEP, LOOP_WAIT, CALLBACK). */
export const END_OF_BEGIN: ReadonlyMap<number, number> = new Map(
  (Object.keys(TRACE_KINDS) as TraceKindName[])
    .filter((name) => name.endsWith('_BEGIN'))
    .map((name) => [TRACE_KINDS[name][0], TRACE_KINDS[name.replace(/_BEGIN$/, '_END') as TraceKindName][0]]),
);

function isNameKind(kind: number): boolean {
  return kind === Kind.NAME_FILE || kind === Kind.NAME_LANE || kind === Kind.NAME_PROCESS;
}

export interface TraceHeader {
  readonly version: number;
  readonly headerSize: number;
  readonly recordSize: number;
  readonly source: number;
  readonly pid: number;
  /** Trace clock at open, ns. */
  readonly startNs: bigint;
  /** The same moment as Unix time, ns. */
  readonly startUnixNs: bigint;
  /** "CLOCK_MONOTONIC" (Linux) or "CLOCK_UPTIME_RAW" (macOS): what process.hrtime reads. */
  readonly clock: string;
}

export interface TraceRecord {
  /**
   * Trace clock, ns, as a double: exact up to 2^53 ns (104 days of uptime), off by a few ns
   * beyond, which no view can show. Use header.startNs (a bigint) for exact arithmetic.
   */
  readonly timeNs: number;
  readonly lane: number;
  readonly kind: number;
  readonly fileId: number;
  readonly fd: number;
  readonly line: number;
  /** The kind's number, exact within ±2^53. */
  readonly value: number;
  /** Present only when value is beyond ±2^53 (e.g. a work request's number): the exact value. */
  readonly valueExact?: bigint;
}

export interface TraceNames {
  /** file_id -> path relative to servers/, e.g. "05-select/main.c" */
  readonly files: Map<number, string>;
  /** lane -> "main", "client 127.0.0.1:50412", "conn3" ... */
  readonly lanes: Map<number, string>;
  process: string | undefined;
}

/** What a TraceFormatError is about: readers treat a stream that never was a trace apart. */
export type TraceFormatErrorCode = 'not-a-trace' | 'unsupported' | 'framing';

export class TraceFormatError extends Error {
  /** Where in the stream the bytes at fault start (0: its header). */
  readonly streamOffset: number;
  readonly code: TraceFormatErrorCode;
  /** Records the same push decoded before the fault: a reader keeps them however the bytes were cut. */
  readonly decoded: readonly TraceRecord[];

  constructor(message: string, details: { readonly streamOffset?: number; readonly code?: TraceFormatErrorCode; readonly decoded?: readonly TraceRecord[] } = {}) {
    super(message);
    this.name = 'TraceFormatError';
    this.streamOffset = details.streamOffset ?? 0;
    this.code = details.code ?? 'unsupported';
    this.decoded = details.decoded ?? [];
  }
}

/**
 * Bounds past which a field is damage, not a newer writer: headers and records may grow (a
 * reader skips what it does not know), names are at most a few hundred bytes, and no process
 * has 16 million threads or connections. They also bound what a decoder ever holds back.
 */
export const MAX_HEADER_SIZE = 1024;
export const MAX_RECORD_SIZE = 1024;
export const MAX_NAME_BYTES = 4096;
export const MAX_LANE_NUMBER = 1 << 24;
const TIME_LIMIT_NS = 2 ** 63;

/**
 * Why a decoded event record cannot be one that a writer wrote (undefined if it can). A kind
 * this version does not know is not impossible (a newer writer's; readers skip it), but kind 0
 * never was one: it is what zeros read as.
 */
export function impossibleRecord(record: TraceRecord): string | undefined {
  if (record.kind === 0) return 'a record of kind 0, which no writer uses';
  if (record.timeNs >= TIME_LIMIT_NS) return `a record at ${record.timeNs} ns, past the end of the trace clock`;
  if (record.lane > MAX_LANE_NUMBER) return `a record on lane ${record.lane}, more than any process has threads or connections`;
  return undefined;
}

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

/** `a` then `b` in one array; `b` itself when `a` is empty (no copy). */
/** Joins byte arrays; a lone non-empty part comes back as it is (the decoder's common case). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const nonEmpty = parts.filter((p) => p.length > 0);
  if (nonEmpty.length === 1) return nonEmpty[0];
  const out = new Uint8Array(nonEmpty.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of nonEmpty) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function nameGroupRecords(nameLength: number): number {
  return 1 + Math.ceil(nameLength / RECORD_SIZE);
}

const MAGIC_BYTES = textEncoder.encode(`${TRACE_MAGIC}\0`);

/**
 * The checks of a header's first bytes (magic, version), which decodeHeader makes too: they
 * throw as soon as a stream's first bytes cannot begin a header, so that the sink tells a peer
 * that is not one of our stages from its first bytes, not its 64th.
 */
export function checkHeaderStart(bytes: Uint8Array): void {
  const magic = bytes.subarray(0, MAGIC_BYTES.length);
  if (magic.some((byte, i) => byte !== MAGIC_BYTES[i])) {
    throw new TraceFormatError(`not a Server Models trace (magic "${textDecoder.decode(magic).replace(/\0+$/, '')}")`, { code: 'not-a-trace' });
  }
  if (bytes.length >= 10) {
    const version = bytes[8] | (bytes[9] << 8);
    if (version !== TRACE_VERSION) throw new TraceFormatError(`trace version ${version}, this reader knows ${TRACE_VERSION}`, { streamOffset: 8 });
  }
}

export function decodeHeader(bytes: Uint8Array): TraceHeader {
  if (bytes.length < HEADER_SIZE) throw new TraceFormatError(`trace header needs ${HEADER_SIZE} bytes, got ${bytes.length}`);
  checkHeaderStart(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_SIZE);
  const header: TraceHeader = {
    version: view.getUint16(8, true),
    headerSize: view.getUint16(10, true),
    recordSize: view.getUint16(12, true),
    source: view.getUint16(14, true),
    pid: view.getUint32(16, true),
    startNs: view.getBigUint64(24, true),
    startUnixNs: view.getBigUint64(32, true),
    clock: textDecoder.decode(bytes.subarray(40, 64)).replace(/\0.*$/s, ''),
  };
  const { headerSize, recordSize } = header;
  if (recordSize < RECORD_SIZE || recordSize > MAX_RECORD_SIZE || headerSize < HEADER_SIZE || headerSize > MAX_HEADER_SIZE) {
    throw new TraceFormatError(
      `bad sizes: header ${headerSize}, record ${recordSize} (version ${TRACE_VERSION} writes ${HEADER_SIZE} and ${RECORD_SIZE}; at most ${MAX_HEADER_SIZE} is taken for growth)`,
      { streamOffset: 10 },
    );
  }
  if (header.source !== TraceSource.server && header.source !== TraceSource.client) {
    throw new TraceFormatError(`source ${header.source}: neither a stage (0) nor the client (1)`, { streamOffset: 14 });
  }
  return header;
}

const TWO_POW_32 = 4294967296;

function readRecord(view: DataView, at: number): TraceRecord {
  const timeNs = view.getUint32(at, true) + view.getUint32(at + 4, true) * TWO_POW_32;
  const lo = view.getUint32(at + 24, true);
  const hi = view.getInt32(at + 28, true);
  // |hi| < 2^21 keeps hi * 2^32 + lo within ±2^53.
  const safe = hi < 0x200000 && hi >= -0x200000;
  const record = {
    timeNs,
    lane: view.getUint32(at + 8, true),
    kind: view.getUint16(at + 12, true),
    fileId: view.getUint16(at + 14, true),
    fd: view.getInt32(at + 16, true),
    line: view.getUint32(at + 20, true),
    value: safe ? hi * TWO_POW_32 + lo : Number(view.getBigInt64(at + 24, true)),
  };
  return safe ? record : { ...record, valueExact: view.getBigInt64(at + 24, true) };
}

/**
 * Decodes a trace stream as it arrives, chunk by chunk (a socket), or all at once (a file).
 * Records and name groups split across chunks are kept until complete.
 */
export interface TraceDecoderOptions {
  /**
   * Sees every event record before it is returned, with its byte offset in the stream; false
   * leaves it out (the caller says why). Without it, every record is returned.
   */
  readonly accept?: (record: TraceRecord, streamOffset: number) => boolean;
  /**
   * Characters of names the decoders sharing it may still hold. Names are not tied to lanes,
   * so without a budget a stream of nothing but distinct names grows its reader without end.
   */
  readonly nameBudget?: { chars: number };
}

export class TraceDecoder {
  header: TraceHeader | undefined;
  readonly names: TraceNames = { files: new Map(), lanes: new Map(), process: undefined };
  private pending: Uint8Array = new Uint8Array(0);
  /** Stream bytes pushed so far. */
  private received = 0;

  constructor(private readonly options: TraceDecoderOptions = {}) {}

  /** Stream bytes decoded so far (header, records, names): the offset of the first pending byte. */
  get decodedBytes(): number {
    return this.received - this.pending.length;
  }

  /** Bytes received but not yet decodable: a partial record or name group (a truncated tail). */
  get pendingBytes(): number {
    return this.pending.length;
  }

  /** Feeds bytes; returns the complete event records they finish. Name records update `names`. */
  push(chunk: Uint8Array): TraceRecord[] {
    const bytes = concatBytes([this.pending, chunk]);
    const base = this.decodedBytes;
    this.received += chunk.length;
    let at = 0;
    if (!this.header) {
      const header = bytes.length < HEADER_SIZE ? undefined : decodeHeader(bytes);
      // A header larger than this version's is skipped whole, so it must all be here first.
      if (!header || bytes.length < header.headerSize) {
        this.pending = bytes.slice();
        return [];
      }
      this.header = header;
      at = header.headerSize;
    }
    const accept = this.options.accept;
    const stride = this.header.recordSize;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out: TraceRecord[] = [];
    while (at + stride <= bytes.length) {
      const kind = view.getUint16(at + 12, true);
      if (isNameKind(kind)) {
        const length = view.getUint32(at + 20, true);
        if (length > MAX_NAME_BYTES) {
          throw new TraceFormatError(`framing lost: a name record announces ${length} bytes (names take at most ${MAX_NAME_BYTES})`, {
            streamOffset: base + at,
            code: 'framing',
            decoded: out,
          });
        }
        const groupBytes = nameGroupRecords(length) * stride;
        if (at + groupBytes > bytes.length) break;
        const name = textDecoder.decode(bytes.subarray(at + stride, at + stride + length));
        const budget = this.options.nameBudget;
        if (budget) {
          const growth = name.length - (this.heldName(view, at, kind)?.length ?? 0);
          if (growth > budget.chars) throw new TraceFormatError('names past what any run writes (too many of them, or too long)', { streamOffset: base + at, decoded: out });
          budget.chars -= growth;
        }
        this.takeName(view, at, kind, name);
        at += groupBytes;
        continue;
      }
      const record = readRecord(view, at);
      if (!accept || accept(record, base + at)) out.push(record);
      at += stride;
    }
    this.pending = bytes.slice(at);
    return out;
  }

  private heldName(view: DataView, at: number, kind: number): string | undefined {
    if (kind === Kind.NAME_FILE) return this.names.files.get(view.getUint16(at + 14, true));
    if (kind === Kind.NAME_LANE) return this.names.lanes.get(view.getUint32(at + 8, true));
    return this.names.process;
  }

  private takeName(view: DataView, at: number, kind: number, name: string): void {
    if (kind === Kind.NAME_FILE) this.names.files.set(view.getUint16(at + 14, true), name);
    else if (kind === Kind.NAME_LANE) this.names.lanes.set(view.getUint32(at + 8, true), name);
    else this.names.process = name;
  }
}

export interface DecodedTrace {
  readonly header: TraceHeader;
  readonly records: TraceRecord[];
  readonly names: TraceNames;
  /** Bytes at the end that did not make a whole record (a recording cut off mid-write). */
  readonly truncatedBytes: number;
}

/** Decodes a whole trace (a file). Throws TraceFormatError if it is not one. */
export function decodeTrace(bytes: Uint8Array): DecodedTrace {
  const decoder = new TraceDecoder();
  const records = decoder.push(bytes);
  if (!decoder.header) throw new TraceFormatError(`trace header needs ${HEADER_SIZE} bytes, got ${bytes.length}`);
  return { header: decoder.header, records, names: decoder.names, truncatedBytes: decoder.pendingBytes };
}

// ---- encoding: what the TypeScript client writes for its own side ----

export interface HeaderFields {
  readonly source: number;
  readonly pid: number;
  readonly startNs: bigint;
  readonly startUnixNs: bigint;
  readonly clock: string;
}

export function encodeHeader(h: HeaderFields): Uint8Array {
  const bytes = new Uint8Array(HEADER_SIZE);
  bytes.set(textEncoder.encode(TRACE_MAGIC));
  const view = new DataView(bytes.buffer);
  view.setUint16(8, TRACE_VERSION, true);
  view.setUint16(10, HEADER_SIZE, true);
  view.setUint16(12, RECORD_SIZE, true);
  view.setUint16(14, h.source, true);
  view.setUint32(16, h.pid, true);
  view.setBigUint64(24, h.startNs, true);
  view.setBigUint64(32, h.startUnixNs, true);
  bytes.set(textEncoder.encode(h.clock).subarray(0, 23), 40);
  return bytes;
}

export interface RecordFields {
  readonly timeNs: bigint | number;
  readonly lane: number;
  readonly kind: number;
  readonly fileId?: number;
  readonly fd?: number;
  readonly line?: number;
  readonly value?: bigint | number;
}

function writeRecord(view: DataView, at: number, r: RecordFields): void {
  view.setBigUint64(at, BigInt(r.timeNs), true);
  view.setUint32(at + 8, r.lane, true);
  view.setUint16(at + 12, r.kind, true);
  view.setUint16(at + 14, r.fileId ?? 0, true);
  view.setInt32(at + 16, r.fd ?? -1, true);
  view.setUint32(at + 20, r.line ?? 0, true);
  view.setBigInt64(at + 24, BigInt(r.value ?? 0), true);
}

export function encodeRecord(r: RecordFields): Uint8Array {
  const bytes = new Uint8Array(RECORD_SIZE);
  writeRecord(new DataView(bytes.buffer), 0, r);
  return bytes;
}

/** Encodes many records into one buffer (one write for a batch). */
export function encodeRecords(records: readonly RecordFields[]): Uint8Array {
  const bytes = new Uint8Array(records.length * RECORD_SIZE);
  const view = new DataView(bytes.buffer);
  records.forEach((r, i) => writeRecord(view, i * RECORD_SIZE, r));
  return bytes;
}

/**
 * A name group: the NAME_* record, then the UTF-8 name padded to whole records. `id` is the
 * file id (NAME_FILE) or the lane (NAME_LANE); NAME_PROCESS ignores it.
 */
export function encodeName(
  kind: typeof Kind.NAME_FILE | typeof Kind.NAME_LANE | typeof Kind.NAME_PROCESS,
  id: number,
  name: string,
  timeNs: bigint | number,
): Uint8Array {
  const text = textEncoder.encode(name);
  const bytes = new Uint8Array(nameGroupRecords(text.length) * RECORD_SIZE);
  writeRecord(new DataView(bytes.buffer), 0, {
    timeNs,
    lane: kind === Kind.NAME_LANE ? id : 0,
    kind,
    fileId: kind === Kind.NAME_FILE ? id : 0,
    line: text.length,
  });
  bytes.set(text, RECORD_SIZE);
  return bytes;
}

/** The trace clock's name on a platform (process.platform): the clock process.hrtime reads. */
export function traceClockName(platform: string): string {
  return platform === 'darwin' ? 'CLOCK_UPTIME_RAW' : 'CLOCK_MONOTONIC';
}

/**
 * The trace sink: a Unix-socket listener that the stages connect to (SERVER_MODELS_TRACE=<its
 * path>), one connection per process. Each stream is checked and cut at record boundaries as it
 * arrives, appended to a recording file (recording.ts), and handed out in batches for the live
 * view: the batches are exactly the bytes of the file, so the panel reads a live run and a
 * reopened recording the same way.
 *
 * It is bounded, because a stage can write events far faster than anyone can keep them (one
 * connection once made an unbounded sink write 11 GB in 28 s and the extension host grow to
 * 1.7 GB):
 * - backpressure: while the recording file has more than its high-water mark to write, each
 *   socket that delivers data is paused until the file drains; the stage's own trace writer then
 *   drops and counts events (servers/common/trace.c) instead of the host buffering them;
 * - caps: a stream may take `maxStreamBytes`, the recording `maxRecordingBytes`, and at most
 *   `maxStreams` streams are taken. Past a byte cap the stream's later events are read, counted
 *   and left out; when the stream ends, a DROPPED record per lane (the format's own drop
 *   accounting, which the model sums) says how many, so the reader knows what is missing;
 * - privacy: by default the socket is `trace.sock` in a fresh 0700 directory under the temp
 *   folder, itself 0600, so other local users cannot connect; both go on close.
 *
 * A peer whose first bytes are not a stream header (not one of our stages) is closed at once and
 * counted; a stream that stops being a trace later is reported once through onError and closed;
 * the other streams and the sink carry on. What was left out comes back in the summary's
 * `losses`, each with an English sentence (the extension words them itself, from the figures).
 *
 *   const sink = await TraceSink.listen({ recordingPath, onBatch: (b) => panel.append(b.bytes) });
 *   // run the stage with SERVER_MODELS_TRACE=sink.socketPath; the client writes to sink.openStream()
 *   const summary = await sink.close();
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { chmod, lstat, mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import { encodeRecords, Kind, TraceFormatError, type RecordFields } from './format';
import { BLOCK_HEADER_SIZE, concatBytes, encodeBlock, encodeRecordingHeader } from './recording';
import { StreamFramer } from './streamFramer';

export interface SinkBatch {
  /** Recording bytes, in file order; the first batch starts with the recording header. */
  readonly bytes: Uint8Array;
  /** Trace records in these bytes. */
  readonly records: number;
}

export interface TraceSinkError {
  /** The stream's number in the recording. */
  readonly stream: number;
  /**
   * `invalid`: bytes that are not a trace (garbage, a wrong version); `truncated`: the stream
   * ended in the middle of a record, which is what a writer that crashed or was killed leaves.
   */
  readonly kind: 'invalid' | 'truncated';
  readonly message: string;
  /**
   * The stream's first bytes were not a stream header (or it ended before a whole one): a peer
   * that is not one of our stages, closed before anything of it was recorded. These are counted in the summary's `losses` (one
   * `not-a-trace` entry), not listed in its `errors`.
   */
  readonly atHeader: boolean;
}

/**
 * What the sink left out of the recording, counted, with the same in one English sentence.
 * `stream-cap` / `recording-cap`: events past a byte cap (also in the recording, as DROPPED
 * records on their lanes); `write-failed`: the file system refused the recording; the other two:
 * connections closed unread.
 */
export type SinkLoss =
  | { readonly kind: 'stream-cap'; readonly streams: number; readonly events: number; readonly bytes: number; readonly limitBytes: number; readonly message: string }
  | { readonly kind: 'recording-cap'; readonly streams: number; readonly events: number; readonly bytes: number; readonly limitBytes: number; readonly message: string }
  | { readonly kind: 'write-failed'; readonly events: number; readonly bytes: number; readonly reason: string; readonly message: string }
  | { readonly kind: 'too-many-streams'; readonly connections: number; readonly limit: number; readonly message: string }
  | { readonly kind: 'not-a-trace'; readonly connections: number; readonly message: string };

export interface SinkLimits {
  /** Stream bytes one stream may put in the recording. */
  readonly maxStreamBytes: number;
  /** Bytes of the whole recording file (stream headers and drop notes may go a little past it). */
  readonly maxRecordingBytes: number;
  /** Streams one recording takes (this process's own included; peers closed for a bad header not). */
  readonly maxStreams: number;
}

/**
 * The extension host and the panel each build a model of the whole recording, several times its
 * size: 256 MiB is about 8 M events, what the panel is measured with. 128 MiB a stream leaves
 * room for the client's events when the stage runs away. A run has two streams; 64 is plenty.
 */
export const DEFAULT_SINK_LIMITS: SinkLimits = { maxStreamBytes: 128 * 1024 * 1024, maxRecordingBytes: 256 * 1024 * 1024, maxStreams: 64 };

export interface TraceSinkOptions extends Partial<SinkLimits> {
  /**
   * Where to listen. Default: `trace.sock` in a new private (0700) directory under the temp
   * folder, removed on close. A path given here is the caller's to keep private (its folder);
   * the socket itself is made 0600 either way. Must be short: Unix socket paths are limited to
   * about 100 bytes.
   */
  readonly socketPath?: string;
  /** The recording file to write (created or truncated). */
  readonly recordingPath: string;
  /** Live view: new recording bytes, at most every `batchMs`. */
  readonly onBatch?: (batch: SinkBatch) => void;
  /** A stream was not a valid trace (said once per stream; that stream is closed). */
  readonly onError?: (error: TraceSinkError) => void;
  /** Coalescing interval of onBatch and file writes, ms (default 50); sooner under load. */
  readonly batchMs?: number;
}

export interface SinkSummary {
  readonly recordingPath: string;
  /** Streams in the recording. */
  readonly streams: number;
  /** Records and bytes in the recording. */
  readonly records: number;
  readonly bytes: number;
  readonly errors: readonly TraceSinkError[];
  /** What was left out, one entry per kind of loss; empty when the recording is complete. */
  readonly losses: readonly SinkLoss[];
}

/** A stream written from this process (the TypeScript client's events). */
export interface SinkStream {
  readonly stream: number;
  write(bytes: Uint8Array): void;
  end(): void;
}

/** sockaddr_un.sun_path is 108 bytes on Linux and 104 on macOS, NUL included. */
const MAX_SOCKET_PATH = 103;
const SOCKET_NAME = 'trace.sock';
/** What the recording file may hold unwritten before the sockets wait for it. */
const FILE_HIGH_WATER = 4 * 1024 * 1024;
/** Pending blocks are written at once past this, not at the next batch tick. */
const FLUSH_BYTES = 1024 * 1024;
/** Lanes whose drops get a DROPPED record each; the drops of any further lanes join the first one's. */
const MAX_NOTED_LANES = 4096;

type CapKind = 'stream-cap' | 'recording-cap' | 'write-failed';

interface LaneDrops {
  events: number;
  lastTimeNs: number;
}

/** One stream of the recording: a stage's connection, or this process's own. */
interface IncomingStream {
  readonly number: number;
  readonly framer: StreamFramer;
  readonly socket: Socket | undefined;
  /** Set once the header was valid: the stream is part of the recording. */
  recorded: boolean;
  /** Stream bytes in the recording so far, and left out of it. */
  bytes: number;
  leftOutBytes: number;
  /** Why the rest of this stream is left out, once something of it was. */
  stoppedBy: CapKind | undefined;
  /** Events left out, by lane, for the DROPPED records written when the stream ends. */
  readonly laneDrops: Map<number, LaneDrops>;
  firstLaneDrops: LaneDrops | undefined;
  done: boolean;
}

interface LossTally {
  streams: number;
  events: number;
  bytes: number;
}

export class TraceSink {
  private readonly pendingBlocks: Uint8Array[] = [];
  private pendingBytes = 0;
  private pendingRecords = 0;
  private timer: NodeJS.Timeout | undefined;
  private nextStream = 0;
  /** Streams counted against maxStreams: open ones without a header yet, and every recorded one. */
  private streamSlots = 0;
  private recordedStreams = 0;
  private readonly open = new Set<IncomingStream>();
  private streamsEnded: (() => void) | undefined;
  private readonly pausedSockets = new Set<Socket>();
  /** Bytes queued for the file so far (header, blocks): what maxRecordingBytes bounds. */
  private recordingBytes = 0;
  private totalRecords = 0;
  private totalBytes = 0;
  private writeError: string | undefined;
  private readonly lossTallies: Record<CapKind, LossTally> = {
    'stream-cap': { streams: 0, events: 0, bytes: 0 },
    'recording-cap': { streams: 0, events: 0, bytes: 0 },
    'write-failed': { streams: 0, events: 0, bytes: 0 },
  };
  private refusedConnections = 0;
  private rejectedPeers = 0;
  private closed = false;
  private readonly limits: SinkLimits;
  readonly errors: TraceSinkError[] = [];

  private constructor(
    private readonly options: TraceSinkOptions,
    readonly socketPath: string,
    /** The private directory the sink made for its socket, removed on close. */
    private readonly socketDir: string | undefined,
    private readonly server: Server,
    private readonly file: WriteStream,
  ) {
    this.limits = {
      maxStreamBytes: options.maxStreamBytes ?? DEFAULT_SINK_LIMITS.maxStreamBytes,
      maxRecordingBytes: options.maxRecordingBytes ?? DEFAULT_SINK_LIMITS.maxRecordingBytes,
      maxStreams: options.maxStreams ?? DEFAULT_SINK_LIMITS.maxStreams,
    };
    file.on('drain', () => this.resumeSockets());
    // A full disk or a vanished folder must not take the extension host down with an
    // unhandled 'error': the run goes on, and the summary says what was lost.
    file.on('error', (err) => this.fileFailed(err));
    this.queue(encodeRecordingHeader(), 0);
  }

  get recordingPath(): string {
    return this.options.recordingPath;
  }

  static async listen(options: TraceSinkOptions): Promise<TraceSink> {
    const socketDir = options.socketPath === undefined ? await makePrivateDir() : undefined;
    const socketPath = options.socketPath ?? join(socketDir ?? '', SOCKET_NAME);
    let file: WriteStream | undefined;
    try {
      if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
        throw new Error(`trace socket path is too long for a Unix socket (${socketPath})`);
      }
      if (!socketDir) await removeStaleSocket(socketPath);
      const opened = createWriteStream(options.recordingPath, { flags: 'w', highWaterMark: FILE_HIGH_WATER });
      file = opened;
      await new Promise<void>((resolve, reject) => {
        opened.once('open', () => resolve());
        opened.once('error', reject);
      });
      const server = createServer();
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(socketPath, () => {
            server.off('error', reject);
            resolve();
          });
        });
        // Before anyone is told the path; the private directory already keeps others out of
        // the moment between bind and chmod.
        await chmod(socketPath, 0o600);
      } catch (err) {
        server.close();
        throw err;
      }
      // accept() failing (EMFILE under a flood of connections) is the peer's loss, not ours.
      server.on('error', () => undefined);
      const sink = new TraceSink(options, socketPath, socketDir, server, opened);
      server.on('connection', (socket) => sink.accept(socket));
      return sink;
    } catch (err) {
      file?.destroy();
      if (socketDir) await rm(socketDir, { recursive: true, force: true });
      throw err;
    }
  }

  /** A stream fed from this process, e.g. the client's own events encoded with format.ts. */
  openStream(): SinkStream {
    // Our own client, opened once per run: counted, never refused.
    const stream = this.startStream(undefined);
    return {
      stream: stream.number,
      write: (bytes) => {
        if (stream.done || this.closed) return;
        if (!this.take(stream, bytes)) this.finish(stream);
      },
      end: () => this.finish(stream),
    };
  }

  private accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    if (this.streamSlots >= this.limits.maxStreams) {
      this.refusedConnections++;
      socket.destroy();
      return;
    }
    const stream = this.startStream(socket);
    socket.on('data', (chunk: Buffer) => {
      if (stream.done) return;
      if (!this.take(stream, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
        socket.destroy();
        this.finish(stream);
        return;
      }
      // The file is behind: this stream waits for it, and its stage's writer drops and counts.
      if (this.file.writableNeedDrain && !this.writeError) {
        socket.pause();
        this.pausedSockets.add(socket);
      }
    });
    // A stage killed mid-write resets the connection: what arrived is kept.
    socket.on('error', () => this.finish(stream));
    socket.on('close', () => this.finish(stream));
  }

  /** A new stream, counted against maxStreams (see finish for when it gives its slot back). */
  private startStream(socket: Socket | undefined): IncomingStream {
    this.streamSlots++;
    const stream: IncomingStream = {
      number: this.nextStream++,
      framer: new StreamFramer(),
      socket,
      recorded: false,
      bytes: 0,
      leftOutBytes: 0,
      stoppedBy: undefined,
      laneDrops: new Map(),
      firstLaneDrops: undefined,
      done: false,
    };
    this.open.add(stream);
    return stream;
  }

  /** Frames a chunk and queues what the caps let through; false if the stream is not a trace. */
  private take(stream: IncomingStream, bytes: Uint8Array): boolean {
    let framed;
    try {
      framed = stream.framer.push(bytes);
    } catch (err) {
      if (!(err instanceof TraceFormatError)) throw err;
      this.fail(stream, 'invalid', err.message, !stream.recorded);
      return false;
    }
    const header = stream.framer.decoder.header;
    if (!header || framed.whole.length === 0) return true;
    let whole = framed.whole;
    if (!stream.recorded) {
      // The header always goes in, past any cap, so that the stream's drops can be noted on it.
      stream.recorded = true;
      this.recordedStreams++;
      this.queueStreamBytes(stream, whole.subarray(0, header.headerSize), 0);
      whole = whole.subarray(header.headerSize);
      if (whole.length === 0) return true;
    }
    stream.stoppedBy ??= this.capReached(stream, whole.length);
    if (stream.stoppedBy) {
      this.leaveOut(stream, stream.stoppedBy, whole.length, framed.records);
    } else {
      this.queueStreamBytes(stream, whole, framed.records.length);
    }
    return true;
  }

  /** Which cap, if any, keeps `length` more bytes of the stream out of the recording. */
  private capReached(stream: IncomingStream, length: number): CapKind | undefined {
    if (this.writeError !== undefined) return 'write-failed';
    if (stream.bytes + length > this.limits.maxStreamBytes) return 'stream-cap';
    if (this.recordingBytes + BLOCK_HEADER_SIZE + length > this.limits.maxRecordingBytes) return 'recording-cap';
    return undefined;
  }

  private leaveOut(stream: IncomingStream, why: CapKind, bytes: number, records: readonly { readonly lane: number; readonly timeNs: number }[]): void {
    const tally = this.lossTallies[why];
    if (stream.leftOutBytes === 0) tally.streams++;
    stream.leftOutBytes += bytes;
    tally.events += records.length;
    tally.bytes += bytes;
    for (const record of records) {
      const drops = this.laneDrops(stream, record.lane);
      drops.events++;
      drops.lastTimeNs = Math.max(drops.lastTimeNs, record.timeNs);
    }
  }

  /** A lane's drop count; past MAX_NOTED_LANES lanes, the first lane's takes the others' too. */
  private laneDrops(stream: IncomingStream, lane: number): LaneDrops {
    const known = stream.laneDrops.get(lane);
    if (known) return known;
    if (stream.laneDrops.size >= MAX_NOTED_LANES && stream.firstLaneDrops) return stream.firstLaneDrops;
    const drops = { events: 0, lastTimeNs: 0 };
    stream.laneDrops.set(lane, drops);
    stream.firstLaneDrops ??= drops;
    return drops;
  }

  private queueStreamBytes(stream: IncomingStream, bytes: Uint8Array, records: number): void {
    stream.bytes += bytes.length;
    this.queue(encodeBlock(stream.number, bytes), records);
  }

  private finish(stream: IncomingStream): void {
    if (stream.done) return;
    stream.done = true;
    this.open.delete(stream);
    // A peer that never sent a valid header gives its slot back, so that such peers (or ones
    // that connect and leave) cannot use up maxStreams.
    if (!stream.recorded) this.streamSlots--;
    if (stream.socket) this.pausedSockets.delete(stream.socket);
    if (!stream.framer.failed && stream.framer.pendingBytes > 0) {
      this.fail(stream, 'truncated', `ended inside a record: ${stream.framer.pendingBytes} bytes dropped`, !stream.recorded);
    }
    this.noteDrops(stream);
    if (this.open.size === 0) this.streamsEnded?.();
  }

  /** DROPPED records for what the caps left out, after the stream's last recorded event. */
  private noteDrops(stream: IncomingStream): void {
    if (!stream.recorded || this.writeError !== undefined) return;
    const notes: RecordFields[] = [];
    for (const [lane, drops] of stream.laneDrops) {
      notes.push({ timeNs: drops.lastTimeNs, lane, kind: Kind.DROPPED, value: drops.events });
    }
    if (notes.length > 0) this.queue(encodeBlock(stream.number, encodeRecords(notes)), notes.length);
  }

  private fail(stream: IncomingStream, kind: TraceSinkError['kind'], message: string, atHeader: boolean): void {
    const error: TraceSinkError = { stream: stream.number, kind, message, atHeader };
    if (atHeader) {
      this.rejectedPeers++;
    } else {
      this.errors.push(error);
    }
    this.options.onError?.(error);
  }

  private queue(block: Uint8Array, records: number): void {
    if (this.file.writableEnded) return;
    this.pendingBlocks.push(block);
    this.pendingBytes += block.length;
    this.pendingRecords += records;
    this.recordingBytes += block.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.batchMs ?? 50);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pendingBlocks.length === 0) return;
    const bytes = concatBytes(this.pendingBlocks);
    const records = this.pendingRecords;
    this.pendingBlocks.length = 0;
    this.pendingBytes = 0;
    this.pendingRecords = 0;
    if (this.writeError !== undefined) {
      this.lossTallies['write-failed'].events += records;
      this.lossTallies['write-failed'].bytes += bytes.length;
      return;
    }
    this.totalBytes += bytes.length;
    this.totalRecords += records;
    // write()'s false is read from writableNeedDrain where the data arrives (accept).
    this.file.write(bytes, (err) => {
      if (!err) return;
      // This write, and those queued behind it, never reached the file.
      this.totalBytes -= bytes.length;
      this.totalRecords -= records;
      this.lossTallies['write-failed'].events += records;
      this.lossTallies['write-failed'].bytes += bytes.length;
    });
    this.options.onBatch?.({ bytes, records });
  }

  private resumeSockets(): void {
    for (const socket of this.pausedSockets) socket.resume();
    this.pausedSockets.clear();
  }

  private fileFailed(err: Error): void {
    this.writeError ??= err.message;
    // Nothing will drain now: the streams are read again, and what they send is counted.
    this.resumeSockets();
  }

  /**
   * Stops listening, gives connected streams up to `graceMs` to finish (a stopping stage flushes
   * its last events), then closes them, writes what is left and closes the file.
   */
  async close(graceMs = 1000): Promise<SinkSummary> {
    if (!this.closed) {
      this.closed = true;
      const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      if (this.open.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => (this.streamsEnded = resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
        ]);
        clearTimeout(timer);
      }
      for (const stream of [...this.open]) {
        stream.socket?.destroy();
        this.finish(stream);
      }
      await serverClosed;
      this.flush();
      await this.closeFile();
      if (this.socketDir) await rm(this.socketDir, { recursive: true, force: true });
    }
    return {
      recordingPath: this.recordingPath,
      streams: this.recordedStreams,
      records: this.totalRecords,
      bytes: this.totalBytes,
      errors: this.errors,
      losses: this.losses(),
    };
  }

  private async closeFile(): Promise<void> {
    if (this.writeError === undefined) {
      const ended = await new Promise<Error | undefined>((resolve) => this.file.end((err?: Error | null) => resolve(err ?? undefined)));
      if (ended) this.fileFailed(ended);
    }
    if (!this.file.closed) {
      this.file.destroy();
      await new Promise<void>((resolve) => this.file.once('close', () => resolve()));
    }
  }

  private losses(): SinkLoss[] {
    const losses: SinkLoss[] = [];
    const { maxStreamBytes, maxRecordingBytes, maxStreams } = this.limits;
    const stream = this.lossTallies['stream-cap'];
    if (stream.streams > 0) {
      const message = `A trace stream reached the limit of ${formatByteSize(maxStreamBytes)} per stream, so ${stream.events} later events (${formatByteSize(stream.bytes)}) were left out of the recording; they are counted as dropped on their threads.`;
      losses.push({ kind: 'stream-cap', ...stream, limitBytes: maxStreamBytes, message });
    }
    const recording = this.lossTallies['recording-cap'];
    if (recording.streams > 0) {
      const message = `The recording reached its limit of ${formatByteSize(maxRecordingBytes)}, so ${recording.events} later events (${formatByteSize(recording.bytes)}) were left out; they are counted as dropped on their threads.`;
      losses.push({ kind: 'recording-cap', ...recording, limitBytes: maxRecordingBytes, message });
    }
    if (this.writeError !== undefined) {
      const { events, bytes } = this.lossTallies['write-failed'];
      const message = `The recording file could not be written (${this.writeError}), so ${events} events (${formatByteSize(bytes)}) were lost.`;
      losses.push({ kind: 'write-failed', events, bytes, reason: this.writeError, message });
    }
    if (this.refusedConnections > 0) {
      const message = `The trace socket took its limit of ${maxStreams} streams; further connections to it were closed unread: ${this.refusedConnections}.`;
      losses.push({ kind: 'too-many-streams', connections: this.refusedConnections, limit: maxStreams, message });
    }
    if (this.rejectedPeers > 0) {
      const message = `Connections to the trace socket that did not begin with a Server Models trace header were closed: ${this.rejectedPeers}.`;
      losses.push({ kind: 'not-a-trace', connections: this.rejectedPeers, message });
    }
    return losses;
  }
}

/** "96 B", "1.5 MiB", "256 MiB": sizes in the messages. */
export function formatByteSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${Number(value.toFixed(digits))} ${units[unit]}`;
}

/**
 * A fresh 0700 directory for the socket (mkdtemp makes it so): in the shared temp folder a
 * socket takes the umask's permissions, which let other local users connect. The temp folder
 * itself when the socket path fits under it, else /tmp (macOS's is long).
 */
async function makePrivateDir(): Promise<string> {
  const prefix = 'sm-';
  // mkdtemp adds six characters, then the separator and the socket's name.
  const fits = (base: string) => Buffer.byteLength(join(base, `${prefix}XXXXXX`, SOCKET_NAME)) <= MAX_SOCKET_PATH;
  const base = fits(tmpdir()) ? tmpdir() : '/tmp';
  return mkdtemp(join(base, prefix));
}

/** A socket file left by a crashed run would make listen() fail with EADDRINUSE. */
async function removeStaleSocket(path: string): Promise<void> {
  try {
    if ((await lstat(path)).isSocket()) await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

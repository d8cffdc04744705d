/**
 * The trace sink: a Unix-socket listener that the stages connect to (SERVER_MODELS_TRACE=<its
 * path>), one connection per process. Each stream is checked and cut at record boundaries as it
 * arrives, appended to a recording file (recording.ts), and handed out in batches for the live
 * view: the batches are exactly the bytes of the file, so the panel reads a live run and a
 * reopened recording the same way.
 *
 * A stream that is not a trace (or stops being one) is reported once through onError and closed;
 * the other streams and the sink carry on.
 *
 *   const sink = await TraceSink.listen({ socketPath, recordingPath, onBatch: (b) => panel.append(b.bytes) });
 *   // run the stage with SERVER_MODELS_TRACE=sink.socketPath; the client writes to sink.openStream()
 *   const summary = await sink.close();
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { lstat, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { TraceFormatError } from './format';
import { concatBytes, encodeBlock, encodeRecordingHeader } from './recording';
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
}

export interface TraceSinkOptions {
  /** Where to listen. Must be short: Unix socket paths are limited to about 100 bytes. */
  readonly socketPath: string;
  /** The recording file to write (created or truncated). */
  readonly recordingPath: string;
  /** Live view: new recording bytes, at most every `batchMs`. */
  readonly onBatch?: (batch: SinkBatch) => void;
  /** A stream was not a valid trace (said once per stream; that stream is closed). */
  readonly onError?: (error: TraceSinkError) => void;
  /** Coalescing interval of onBatch and file writes, ms (default 50). */
  readonly batchMs?: number;
}

export interface SinkSummary {
  readonly recordingPath: string;
  readonly streams: number;
  readonly records: number;
  readonly bytes: number;
  readonly errors: readonly TraceSinkError[];
}

/** A stream written from this process (the TypeScript client's events). */
export interface SinkStream {
  readonly stream: number;
  write(bytes: Uint8Array): void;
  end(): void;
}

/** sockaddr_un.sun_path is 108 bytes on Linux and 104 on macOS, NUL included. */
const MAX_SOCKET_PATH = 103;

export class TraceSink {
  private readonly pendingBlocks: Uint8Array[] = [];
  private pendingRecords = 0;
  private timer: NodeJS.Timeout | undefined;
  private nextStream = 0;
  private openStreams = 0;
  private streamsEnded: (() => void) | undefined;
  private readonly sockets = new Set<Socket>();
  private totalRecords = 0;
  private totalBytes = 0;
  private closed = false;
  readonly errors: TraceSinkError[] = [];

  private constructor(
    private readonly options: TraceSinkOptions,
    private readonly server: Server,
    private readonly file: WriteStream,
  ) {
    this.queue(encodeRecordingHeader(), 0);
  }

  get socketPath(): string {
    return this.options.socketPath;
  }

  get recordingPath(): string {
    return this.options.recordingPath;
  }

  static async listen(options: TraceSinkOptions): Promise<TraceSink> {
    if (Buffer.byteLength(options.socketPath) > MAX_SOCKET_PATH) {
      throw new Error(`trace socket path is too long for a Unix socket (${options.socketPath})`);
    }
    await removeStaleSocket(options.socketPath);
    const file = createWriteStream(options.recordingPath, { flags: 'w' });
    await new Promise<void>((resolve, reject) => {
      file.once('open', () => resolve());
      file.once('error', reject);
    });
    const server = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.socketPath, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      file.destroy();
      throw err;
    }
    const sink = new TraceSink(options, server, file);
    server.on('connection', (socket) => sink.accept(socket));
    return sink;
  }

  /** A stream fed from this process, e.g. the client's own events encoded with format.ts. */
  openStream(): SinkStream {
    const stream = this.nextStream++;
    const framer = new StreamFramer();
    this.openStreams++;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.endStream(stream, framer);
    };
    return {
      stream,
      write: (bytes) => {
        if (done || this.closed) return;
        if (!this.take(stream, framer, bytes)) finish();
      },
      end: finish,
    };
  }

  private accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const stream = this.nextStream++;
    const framer = new StreamFramer();
    this.openStreams++;
    this.sockets.add(socket);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.sockets.delete(socket);
      this.endStream(stream, framer);
    };
    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      if (!this.take(stream, framer, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
        socket.destroy();
        finish();
      }
    });
    // A stage killed mid-write resets the connection: what arrived is kept.
    socket.on('error', () => finish());
    socket.on('close', () => finish());
  }

  /** Frames and queues a chunk; false if the stream turned out not to be a trace. */
  private take(stream: number, framer: StreamFramer, bytes: Uint8Array): boolean {
    try {
      const framed = framer.push(bytes);
      if (framed.whole.length > 0) this.queue(encodeBlock(stream, framed.whole), framed.records.length);
      return true;
    } catch (err) {
      if (!(err instanceof TraceFormatError)) throw err;
      this.fail(stream, 'invalid', err.message);
      return false;
    }
  }

  private endStream(stream: number, framer: StreamFramer): void {
    if (!framer.failed && framer.pendingBytes > 0) {
      this.fail(stream, 'truncated', `ended inside a record: ${framer.pendingBytes} bytes dropped`);
    }
    this.openStreams--;
    if (this.openStreams === 0) this.streamsEnded?.();
  }

  private fail(stream: number, kind: TraceSinkError['kind'], message: string): void {
    const error = { stream, kind, message };
    this.errors.push(error);
    this.options.onError?.(error);
  }

  private queue(block: Uint8Array, records: number): void {
    if (this.file.writableEnded) return;
    this.pendingBlocks.push(block);
    this.pendingRecords += records;
    this.timer ??= setTimeout(() => this.flush(), this.options.batchMs ?? 50);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pendingBlocks.length === 0) return;
    const bytes = concatBytes(this.pendingBlocks);
    const records = this.pendingRecords;
    this.pendingBlocks.length = 0;
    this.pendingRecords = 0;
    this.totalBytes += bytes.length;
    this.totalRecords += records;
    this.file.write(bytes);
    this.options.onBatch?.({ bytes, records });
  }

  /**
   * Stops listening, gives connected streams up to `graceMs` to finish (a stopping stage flushes
   * its last events), then closes them, writes what is left and closes the file.
   */
  async close(graceMs = 1000): Promise<SinkSummary> {
    if (!this.closed) {
      this.closed = true;
      const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      if (this.openStreams > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => (this.streamsEnded = resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
        ]);
        clearTimeout(timer);
      }
      for (const socket of this.sockets) socket.destroy();
      await serverClosed;
      this.flush();
      await new Promise<void>((resolve, reject) => this.file.end((err?: Error | null) => (err ? reject(err) : resolve())));
    }
    return {
      recordingPath: this.recordingPath,
      streams: this.nextStream,
      records: this.totalRecords,
      bytes: this.totalBytes,
      errors: this.errors,
    };
  }
}

/** A socket file left by a crashed run would make listen() fail with EADDRINUSE. */
async function removeStaleSocket(path: string): Promise<void> {
  try {
    if ((await lstat(path)).isSocket()) await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

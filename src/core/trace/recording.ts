/**
 * The recording file: every trace stream of one run (the stage's, the client's) interleaved in
 * the order the sink received them, each kept byte for byte, so names, files and lanes survive
 * exactly as their process wrote them. Lanes become unique by their stream; the model puts every
 * stream on one time axis (they share the trace clock).
 *
 *   header, 16 bytes, little-endian:
 *      0  char[8] "SMREC\0\0\0"
 *      8  u16     version (1)
 *     10  u16     header size (16)
 *     12  u32     reserved, 0
 *   then blocks:
 *      0  u32     stream number within the recording (0, 1, ...)
 *      4  u32     byte count n
 *      8  n bytes of that stream (servers/common/trace.h: header, records, name groups), only
 *                 whole records and name groups, in stream order
 *
 * A plain trace stream (a file the stage wrote itself, SERVER_MODELS_TRACE=<file>) reads as a
 * recording of one stream. Plain TypeScript: the panel reads recordings too.
 */
import { RECORD_SIZE, TraceDecoder, TraceFormatError, TRACE_MAGIC } from './format';

// Recordings join bytes as traces do; callers may take the one function from here too.
export { concatBytes } from './format';
import { TraceModel } from './model';

export const RECORDING_MAGIC = 'SMREC';
export const RECORDING_VERSION = 1;
export const RECORDING_HEADER_SIZE = 16;
export const BLOCK_HEADER_SIZE = 8;

const encoder = new TextEncoder();

export function encodeRecordingHeader(): Uint8Array {
  const bytes = new Uint8Array(RECORDING_HEADER_SIZE);
  bytes.set(encoder.encode(RECORDING_MAGIC));
  const view = new DataView(bytes.buffer);
  view.setUint16(8, RECORDING_VERSION, true);
  view.setUint16(10, RECORDING_HEADER_SIZE, true);
  return bytes;
}

/** One block: `bytes` of `stream`. */
export function encodeBlock(stream: number, bytes: Uint8Array): Uint8Array {
  const block = new Uint8Array(BLOCK_HEADER_SIZE + bytes.length);
  const view = new DataView(block.buffer);
  view.setUint32(0, stream, true);
  view.setUint32(4, bytes.length, true);
  block.set(bytes, BLOCK_HEADER_SIZE);
  return block;
}

/** Joins byte arrays into one fresh array (never a view into a shared pool: it may be posted). */
function startsWith(bytes: Uint8Array, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false;
  return bytes[text.length] === 0;
}

interface StreamState {
  readonly decoder: TraceDecoder;
  /** Set when the stream stopped making sense; its later bytes are ignored. */
  failed: boolean;
}

/**
 * Reads a recording (or a plain trace stream) chunk by chunk into a TraceModel. Chunks may split
 * anything anywhere. Damage never throws: it is listed in `problems`, and what could be read is
 * kept.
 */
export class RecordingReader {
  readonly problems: string[] = [];
  private format: 'unknown' | 'recording' | 'trace' | 'invalid' = 'unknown';
  private pending = new Uint8Array(0);
  private readonly streams = new Map<number, StreamState>();

  constructor(readonly model: TraceModel = new TraceModel()) {}

  push(chunk: Uint8Array): void {
    if (this.format === 'invalid' || chunk.length === 0) return;
    if (this.format === 'trace') {
      this.feed(0, chunk);
      return;
    }
    let bytes = chunk;
    if (this.pending.length > 0) {
      bytes = new Uint8Array(this.pending.length + chunk.length);
      bytes.set(this.pending);
      bytes.set(chunk, this.pending.length);
    }
    let at = 0;
    if (this.format === 'unknown') {
      if (bytes.length < RECORDING_HEADER_SIZE) {
        this.pending = bytes.slice();
        return;
      }
      if (startsWith(bytes, TRACE_MAGIC)) {
        this.format = 'trace';
        this.pending = new Uint8Array(0);
        this.feed(0, bytes);
        return;
      }
      if (!startsWith(bytes, RECORDING_MAGIC)) {
        this.format = 'invalid';
        this.problems.push('not a Server Models recording or trace (unknown magic)');
        return;
      }
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const version = view.getUint16(8, true);
      if (version !== RECORDING_VERSION) {
        this.format = 'invalid';
        this.problems.push(`recording version ${version}, this reader knows ${RECORDING_VERSION}`);
        return;
      }
      this.format = 'recording';
      at = Math.max(RECORDING_HEADER_SIZE, view.getUint16(10, true));
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // At most one event per 32 bytes: one allocation for a whole file, not a doubling per
    // power of two (at ten million events, the copies were a third of the time to open).
    this.model.reserve(this.model.eventCount + Math.ceil((bytes.length - at) / RECORD_SIZE));
    while (at + BLOCK_HEADER_SIZE <= bytes.length) {
      const stream = view.getUint32(at, true);
      const length = view.getUint32(at + 4, true);
      if (at + BLOCK_HEADER_SIZE + length > bytes.length) break;
      const body = bytes.subarray(at + BLOCK_HEADER_SIZE, at + BLOCK_HEADER_SIZE + length);
      if (length > 0) this.feed(stream, body);
      at += BLOCK_HEADER_SIZE + length;
    }
    this.pending = bytes.slice(at);
  }

  /** Call at the end of the file: reports what was cut off. */
  finish(): readonly string[] {
    if (this.format === 'unknown') this.problems.push('empty or too short to be a recording');
    if (this.pending.length > 0) this.problems.push(`the recording ends inside a block (${this.pending.length} bytes)`);
    this.pending = new Uint8Array(0);
    for (const [stream, state] of this.streams) {
      if (!state.failed && state.decoder.pendingBytes > 0) {
        this.problems.push(`stream ${stream} ends inside a record (${state.decoder.pendingBytes} bytes)`);
      }
    }
    return this.problems;
  }

  private feed(stream: number, bytes: Uint8Array): void {
    let state = this.streams.get(stream);
    if (!state) {
      state = { decoder: new TraceDecoder(), failed: false };
      this.streams.set(stream, state);
    }
    if (state.failed) return;
    const hadHeader = state.decoder.header !== undefined;
    try {
      const records = state.decoder.push(bytes);
      const header = state.decoder.header;
      if (!header) return;
      if (!hadHeader) this.model.addStream(stream, header, state.decoder.names);
      this.model.addBatch(stream, records);
      this.model.refreshNames(stream);
    } catch (err) {
      if (!(err instanceof TraceFormatError)) throw err;
      state.failed = true;
      this.problems.push(`stream ${stream}: ${err.message}`);
    }
  }
}

/** Reads a whole recording (or trace) held in memory. */
export function readRecording(bytes: Uint8Array): { model: TraceModel; problems: readonly string[] } {
  const reader = new RecordingReader();
  reader.push(bytes);
  return { model: reader.model, problems: reader.finish() };
}

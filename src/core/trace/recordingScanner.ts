/**
 * Reads the structure of a recording (or of a plain trace stream) as its bytes arrive, in
 * memory bounded by the format's limits rather than the file's size, and hands on every event
 * record that could be what a writer wrote. Everything else becomes a problem with the file
 * offset where it starts; nothing is dropped without one.
 *
 * Problems are of two weights. The container's framing (its header, a block header, a stream
 * that never began) cannot be resynchronised, so the scanner stops there: the bytes after it are
 * not read as anything. A stream that stops being a trace is given up alone and the others are
 * read on; an impossible record (format.ts `impossibleRecord`, a lane going back in time, one
 * lane too many) is left out alone.
 *
 *   const scanner = new RecordingScanner({ records: (stream, records) => ... });
 *   for (const chunk of chunks) scanner.push(chunk);
 *   scanner.finish(); // scanner.problems, scanner.events
 */
import { HEADER_SIZE, impossibleRecord, TraceDecoder, TraceFormatError, TRACE_MAGIC, type TraceHeader, type TraceNames, type TraceRecord } from './format';
import { GREEN_KINDS } from './lane';
import {
  BLOCK_HEADER_SIZE,
  MAX_BLOCK_LENGTH,
  MAX_RECORDING_HEADER_SIZE,
  RECORDING_HEADER_SIZE,
  RECORDING_MAGIC,
  RECORDING_VERSION,
  startsWithMagic,
} from './recordingFormat';

/**
 * `truncated`: the bytes end before the structure does (an unfinished copy, a writer that
 * crashed); `damaged`: bytes that cannot be what a writer wrote.
 */
export type RecordingProblemKind = 'truncated' | 'damaged';

export interface RecordingProblem {
  /** Byte offset in the file where the damage starts. */
  readonly offset: number;
  readonly kind: RecordingProblemKind;
  /** What is wrong, in one line, without the offset. */
  readonly message: string;
}

export interface RecordingVisitor {
  /** A stream's header was read; `names` fills in as its name records arrive. */
  stream?(stream: number, header: TraceHeader, names: TraceNames): void;
  /**
   * After each piece of a started stream's bytes: the event records it completed, in stream
   * order, every one that could have been written (none when the piece held only names, which
   * are in the stream's `names` by now).
   */
  records?(stream: number, records: readonly TraceRecord[]): void;
}

export interface RecordingScannerOptions {
  /** Stop at the first problem: for a reader that will refuse the file anyway. */
  readonly stopAtFirstProblem?: boolean;
  /** How many problems `problems` keeps (all are counted in `problemCount`); default 100. */
  readonly keepProblems?: number;
}

/** Streams in one recording: the sink takes 64; beyond this the stream numbers are damage. */
export const MAX_STREAMS = 4096;
/**
 * Lanes (threads, connections, green threads) in one recording. Readers keep state per lane, so
 * this is what bounds their memory; a real run has a few hundred.
 */
export const MAX_LANES = 1 << 17;
/**
 * Characters of names held for one recording (a real run's are kilobytes): names are not tied to
 * lanes, so without this a file of nothing but distinct names would grow a reader without end.
 */
export const MAX_NAME_CHARS = 8 * 1024 * 1024;

/** The one line that says what is wrong and where. */
export function describeProblem(problem: RecordingProblem): string {
  return `${problem.message} (at byte ${problem.offset})`;
}

interface StreamState {
  readonly id: number;
  readonly decoder: TraceDecoder;
  /** Per lane, the time of its last record: a lane's records come in time order. */
  readonly lastTime: Map<number, number>;
  readonly greens: Set<number>;
  started: boolean;
  failed: boolean;
  /** Where the current block's body starts, in the file and in the stream. */
  bodyFileStart: number;
  bodyStreamStart: number;
}

interface Block {
  readonly stream: StreamState;
  /** File offset of the block header. */
  readonly offset: number;
  readonly length: number;
  remaining: number;
}

type State = 'magic' | 'header' | 'headerRest' | 'blockHeader' | 'blockBody' | 'trace' | 'stopped';

const MAGIC_LENGTH = 8;

function printable(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
}

export class RecordingScanner {
  readonly problems: RecordingProblem[] = [];
  problemCount = 0;
  /** Event records handed on. */
  events = 0;
  /** Bytes pushed so far. */
  bytes = 0;
  /** What the bytes turned out to be. */
  format: 'unknown' | 'recording' | 'trace' = 'unknown';

  private state: State = 'magic';
  private readonly carry = new Uint8Array(RECORDING_HEADER_SIZE);
  private carried = 0;
  private headerRest = 0;
  private block: Block | undefined;
  private readonly streams = new Map<number, StreamState>();
  private lanes = 0;
  private readonly nameBudget = { chars: MAX_NAME_CHARS };
  private readonly keep: number;

  constructor(
    private readonly visitor: RecordingVisitor = {},
    private readonly options: RecordingScannerOptions = {},
  ) {
    this.keep = options.keepProblems ?? 100;
  }

  /** True once a problem has stopped the reading: later bytes are not looked at. */
  get stopped(): boolean {
    return this.state === 'stopped';
  }

  push(chunk: Uint8Array): void {
    const start = this.bytes;
    this.bytes += chunk.length;
    let at = 0;
    while (at < chunk.length && this.state !== 'stopped') {
      switch (this.state) {
        case 'magic':
        case 'header':
        case 'blockHeader': {
          const need = this.state === 'magic' ? MAGIC_LENGTH : this.state === 'header' ? RECORDING_HEADER_SIZE : BLOCK_HEADER_SIZE;
          const take = Math.min(need - this.carried, chunk.length - at);
          this.carry.set(chunk.subarray(at, at + take), this.carried);
          this.carried += take;
          at += take;
          if (this.carried === need) {
            this.carried = 0;
            this.takeCarry(start + at - need);
          }
          break;
        }
        case 'headerRest': {
          const take = Math.min(this.headerRest, chunk.length - at);
          this.headerRest -= take;
          at += take;
          if (this.headerRest === 0) this.state = 'blockHeader';
          break;
        }
        case 'blockBody': {
          const block = this.block!;
          const take = Math.min(block.remaining, chunk.length - at);
          this.feed(block.stream, chunk.subarray(at, at + take));
          block.remaining -= take;
          at += take;
          if (block.remaining === 0) this.endBlock(block);
          break;
        }
        case 'trace':
          this.feed(this.streams.get(0)!, chunk.subarray(at));
          at = chunk.length;
          break;
      }
    }
  }

  /** Call at the end of the bytes: says what they ended inside of. */
  finish(): void {
    const state = this.state;
    this.state = 'stopped';
    if (state === 'magic' || state === 'header') {
      this.problem(0, 'truncated', `empty or too short to be a recording (${this.bytes} bytes)`);
    } else if (state === 'headerRest') {
      this.problem(0, 'truncated', `the recording ends inside its header (${this.headerRest} bytes missing)`);
    } else if (state === 'blockHeader' && this.carried > 0) {
      this.problem(this.bytes - this.carried, 'truncated', `the recording ends inside a block header (${this.carried} of ${BLOCK_HEADER_SIZE} bytes)`);
    } else if (state === 'blockBody') {
      const block = this.block!;
      this.problem(block.offset, 'truncated', `the recording ends inside a block (stream ${block.stream.id}: ${block.remaining} of its ${block.length} bytes missing)`);
    } else if (state === 'trace') {
      const stream = this.streams.get(0)!;
      const pending = stream.decoder.pendingBytes;
      if (!stream.failed && !stream.decoder.header) {
        this.problem(0, 'truncated', `the trace ends inside its header (${pending} bytes, a header is ${HEADER_SIZE})`);
      } else if (!stream.failed && pending > 0) {
        this.problem(this.fileOffset(stream, stream.decoder.decodedBytes), 'truncated', `stream 0 ends inside a record (${pending} bytes)`);
      }
    }
  }

  /** The carried bytes are complete: the magic, the recording header or a block header. */
  private takeCarry(offset: number): void {
    const bytes = this.carry;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.state === 'magic') {
      if (startsWithMagic(bytes, TRACE_MAGIC)) {
        this.format = 'trace';
        this.state = 'trace';
        const stream = this.newStream(0);
        this.feed(stream, bytes.slice(0, MAGIC_LENGTH));
      } else if (startsWithMagic(bytes, RECORDING_MAGIC) && bytes[6] === 0 && bytes[7] === 0) {
        this.format = 'recording';
        this.state = 'header';
        this.carried = MAGIC_LENGTH;
      } else {
        const seen = printable(bytes.subarray(0, MAGIC_LENGTH));
        this.fatal(0, 'damaged', `not a Server Models recording or trace (unknown magic "${seen}"; a recording starts with ${RECORDING_MAGIC}, a trace with ${TRACE_MAGIC})`);
      }
    } else if (this.state === 'header') {
      const version = view.getUint16(8, true);
      const size = view.getUint16(10, true);
      if (version !== RECORDING_VERSION) {
        this.fatal(8, 'damaged', `recording version ${version}, this reader knows ${RECORDING_VERSION}`);
      } else if (size < RECORDING_HEADER_SIZE || size > MAX_RECORDING_HEADER_SIZE) {
        this.fatal(10, 'damaged', `recording header size ${size} (version ${RECORDING_VERSION} writes ${RECORDING_HEADER_SIZE}; at most ${MAX_RECORDING_HEADER_SIZE} is taken for growth)`);
      } else {
        this.headerRest = size - RECORDING_HEADER_SIZE;
        this.state = this.headerRest > 0 ? 'headerRest' : 'blockHeader';
      }
    } else {
      this.startBlock(offset, view.getUint32(0, true), view.getUint32(4, true));
    }
  }

  private startBlock(offset: number, id: number, length: number): void {
    if (length === 0) {
      this.fatal(offset, 'damaged', `an empty block (stream ${id}); the recorder never writes one, so what follows is not blocks (zeros left by a crash or a preallocated file?)`);
      return;
    }
    if (length > MAX_BLOCK_LENGTH) {
      this.fatal(offset, 'damaged', `a block length of ${length} bytes (stream ${id}), more than any recorder writes (at most ${MAX_BLOCK_LENGTH})`);
      return;
    }
    let stream = this.streams.get(id);
    if (!stream) {
      if (this.streams.size >= MAX_STREAMS) {
        this.fatal(offset, 'damaged', `a block of stream ${id}, past ${MAX_STREAMS} streams: a damaged stream number`);
        return;
      }
      stream = this.newStream(id);
    }
    stream.bodyFileStart = offset + BLOCK_HEADER_SIZE;
    stream.bodyStreamStart = stream.decoder.decodedBytes + stream.decoder.pendingBytes;
    this.block = { stream, offset, length, remaining: length };
    this.state = 'blockBody';
  }

  private endBlock(block: Block): void {
    if (this.state === 'stopped') return;
    this.state = 'blockHeader';
    const stream = block.stream;
    if (stream.failed) return;
    const pending = stream.decoder.pendingBytes;
    if (!stream.decoder.header) {
      // The sink puts a stream's whole header in its first block: this one names no stream.
      this.fatal(block.offset, 'damaged', `stream ${stream.id} begins with a block of ${block.length} bytes, too short for a stream header: an unknown stream number, or a damaged block length before it`);
    } else if (pending > 0) {
      const at = this.fileOffset(stream, stream.decoder.decodedBytes);
      this.failStream(stream, at, `stream ${stream.id} ends inside a record (${pending} bytes) at the end of its block: a damaged block length or name length`);
    }
  }

  private newStream(id: number): StreamState {
    const stream: StreamState = {
      id,
      decoder: new TraceDecoder({ accept: (record, streamOffset) => this.accept(stream, record, streamOffset), nameBudget: this.nameBudget }),
      lastTime: new Map(),
      greens: new Set(),
      started: false,
      failed: false,
      bodyFileStart: 0,
      bodyStreamStart: 0,
    };
    this.streams.set(id, stream);
    return stream;
  }

  private feed(stream: StreamState, bytes: Uint8Array): void {
    if (stream.failed) return;
    let records: readonly TraceRecord[];
    let failure: TraceFormatError | undefined;
    try {
      records = stream.decoder.push(bytes);
    } catch (err) {
      if (!(err instanceof TraceFormatError)) throw err;
      failure = err;
      records = err.decoded;
    }
    const header = stream.decoder.header;
    if (!stream.started && header) {
      stream.started = true;
      this.visitor.stream?.(stream.id, header, stream.decoder.names);
    }
    if (stream.started) {
      this.events += records.length;
      this.visitor.records?.(stream.id, records);
    }
    if (!failure) return;
    const at = this.fileOffset(stream, failure.streamOffset);
    if (!stream.started && failure.code === 'not-a-trace' && this.format === 'recording') {
      this.fatal(this.block?.offset ?? at, 'damaged', `stream ${stream.id}: ${failure.message}: a block of a stream that never began (an unknown stream number, or a damaged block length before it)`);
    } else {
      this.failStream(stream, at, `stream ${stream.id}: ${failure.message}`);
    }
  }

  /** The decoder's question for every record: could a writer have written it? */
  private accept(stream: StreamState, record: TraceRecord, streamOffset: number): boolean {
    if (this.state === 'stopped') return false;
    const reason = impossibleRecord(record) ?? this.laneProblem(stream, record);
    if (reason === undefined) return true;
    this.problem(this.fileOffset(stream, streamOffset), 'damaged', `stream ${stream.id}: ${reason}`);
    return false;
  }

  /** Lane order and the lane budget; records the record's lane when it passes. */
  private laneProblem(stream: StreamState, record: TraceRecord): string | undefined {
    const last = stream.lastTime.get(record.lane);
    const green = GREEN_KINDS.has(record.kind) && !stream.greens.has(record.value);
    const added = (last === undefined ? 1 : 0) + (green ? 1 : 0);
    if (last !== undefined && record.timeNs < last) {
      return `lane ${record.lane} goes back in time, ${last - record.timeNs} ns before its previous record (a thread writes its records in time order)`;
    }
    if (added > 0 && this.lanes + added > MAX_LANES) return `a record of a new lane past ${MAX_LANES} lanes in one recording`;
    this.lanes += added;
    stream.lastTime.set(record.lane, record.timeNs);
    if (green) stream.greens.add(record.value);
    return undefined;
  }

  private fileOffset(stream: StreamState, streamOffset: number): number {
    return stream.bodyFileStart + (streamOffset - stream.bodyStreamStart);
  }

  private failStream(stream: StreamState, offset: number, message: string): void {
    stream.failed = true;
    this.problem(offset, 'damaged', message);
  }

  private fatal(offset: number, kind: RecordingProblemKind, message: string): void {
    this.problem(offset, kind, message);
    this.state = 'stopped';
  }

  private problem(offset: number, kind: RecordingProblemKind, message: string): void {
    this.problemCount++;
    // Garbage quoted in a message (a magic) must not break its one line.
    // eslint-disable-next-line no-control-regex
    if (this.problems.length < this.keep) this.problems.push({ offset, kind, message: message.replace(/[\u0000-\u001f\u007f]/g, '.') });
    if (this.options.stopAtFirstProblem) this.state = 'stopped';
  }
}

/**
 * Checks one incoming trace stream as it arrives and cuts it at record boundaries, so that the
 * recording only ever holds whole records and name groups. Garbage becomes a TraceFormatError
 * (a bad header, from its first wrong byte on), or a framing error when the bytes stop forming
 * records (a name record that announces more than any name can be).
 */
import { checkHeaderStart, TraceDecoder, TraceFormatError, type TraceRecord } from './format';

/** The longest name a stage writes is 200 bytes; anything pending beyond this is not a record. */
const MAX_PENDING = 64 * 1024;

export interface FramedChunk {
  /** The bytes that complete records or name groups (possibly empty), ready to append. */
  readonly whole: Uint8Array;
  readonly records: readonly TraceRecord[];
}

export class StreamFramer {
  readonly decoder = new TraceDecoder();
  private carry = new Uint8Array(0);
  /** Set once push() has thrown: the stream is abandoned. */
  failed = false;

  /** Throws TraceFormatError when the stream is not (or no longer) a trace. */
  push(chunk: Uint8Array): FramedChunk {
    try {
      return this.frame(chunk);
    } catch (err) {
      this.failed = true;
      throw err;
    }
  }

  private frame(chunk: Uint8Array): FramedChunk {
    const combined = new Uint8Array(this.carry.length + chunk.length);
    combined.set(this.carry);
    combined.set(chunk, this.carry.length);
    if (!this.decoder.header) checkHeaderStart(combined);
    const records = this.decoder.push(chunk);
    const pending = this.decoder.pendingBytes;
    if (pending > MAX_PENDING) {
      throw new TraceFormatError(`framing lost: ${pending} bytes do not complete a record (a garbage name length?)`);
    }
    const cut = combined.length - pending;
    this.carry = combined.slice(cut);
    return { whole: combined.subarray(0, cut), records };
  }

  /** Bytes of an unfinished record or name group: non-zero at the end means truncation. */
  get pendingBytes(): number {
    return this.carry.length;
  }
}

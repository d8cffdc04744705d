/**
 * The recording file's container format: every trace stream of one run (the stage's, the
 * client's) interleaved in the order the sink received them, each kept byte for byte, so names,
 * files and lanes survive exactly as their process wrote them.
 *
 *   header, 16 bytes, little-endian:
 *      0  char[8] "SMREC\0\0\0"
 *      8  u16     version (1)
 *     10  u16     header size (16; a reader skips more, up to MAX_RECORDING_HEADER_SIZE)
 *     12  u32     reserved, 0
 *   then blocks:
 *      0  u32     stream number within the recording (0, 1, ...)
 *      4  u32     byte count n, 1 to MAX_BLOCK_LENGTH
 *      8  n bytes of that stream (servers/common/trace.h: header, records, name groups), only
 *                 whole records and name groups, in stream order; a stream's first block
 *                 begins with its whole stream header
 *
 * A plain trace stream (a file the stage wrote itself, SERVER_MODELS_TRACE=<file>) reads as a
 * recording of one stream. Plain TypeScript: the panel reads recordings too.
 */

export const RECORDING_MAGIC = 'SMREC';
export const RECORDING_VERSION = 1;
export const RECORDING_HEADER_SIZE = 16;
export const BLOCK_HEADER_SIZE = 8;
/** A larger header size is damage, not a newer writer. */
export const MAX_RECORDING_HEADER_SIZE = 1024;
/**
 * The sink writes a block per chunk it receives (kilobytes); a length beyond this is a damaged
 * field, and refusing it keeps a reader from waiting on gigabytes that are not a block.
 */
export const MAX_BLOCK_LENGTH = 64 * 1024 * 1024;

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

/** True when `bytes` begins with `text` and a NUL (the magic of a recording or a trace). */
export function startsWithMagic(bytes: Uint8Array, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false;
  return bytes[text.length] === 0;
}

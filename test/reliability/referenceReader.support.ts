/**
 * A second reading of the recording rules, for differential fuzzing: the whole file at once,
 * each stream's blocks joined and walked record by record, with none of the streaming reader's
 * carries, offsets or states. It only says whether the bytes are a sound recording and, if so,
 * how many event records they hold; the fuzz tests hold RecordingScanner to the same answer.
 *
 * The rules (recordingFormat.ts, format.ts, recordingScanner.ts): the recording header; blocks
 * of 1 to 64 MiB that fit; a stream's first block begins with its whole header (magic, version
 * 1, header size 64-1024, record size 32-1024, source 0 or 1); no header, record or name group
 * straddles the end of a block; names at most 4096 bytes; no record of kind 0, at or past 2^63
 * ns, on a lane past 2^24, or earlier than its lane's previous record.
 */

export interface ReferenceVerdict {
  readonly sound: boolean;
  /** Event records, when sound. */
  readonly events: number;
}

const UNSOUND: ReferenceVerdict = { sound: false, events: 0 };
const TEXT = new TextEncoder();

function hasMagic(bytes: Uint8Array, at: number, magic: string): boolean {
  const expected = TEXT.encode(magic);
  if (at + 8 > bytes.length) return false;
  for (let i = 0; i < 8; i++) if (bytes[at + i] !== (expected[i] ?? 0)) return false;
  return true;
}

interface Stream {
  readonly parts: Uint8Array[];
  /** Where each block ends, in stream bytes. */
  readonly ends: number[];
  length: number;
}

function streamEvents(stream: Stream): number | undefined {
  const bytes = new Uint8Array(stream.length);
  let at = 0;
  for (const part of stream.parts) {
    bytes.set(part, at);
    at += part.length;
  }
  const view = new DataView(bytes.buffer);
  const ends = new Set(stream.ends);
  /** True if [from, to) lies within one block. */
  const whole = (from: number, to: number) => {
    if (to > bytes.length) return false;
    for (let b = from + 1; b < to; b++) if (ends.has(b)) return false;
    return true;
  };
  if (!hasMagic(bytes, 0, 'SMTRACE') || !whole(0, 64)) return undefined;
  const headerSize = view.getUint16(10, true);
  const stride = view.getUint16(12, true);
  const source = view.getUint16(14, true);
  if (view.getUint16(8, true) !== 1 || headerSize < 64 || headerSize > 1024 || stride < 32 || stride > 1024 || source > 1) return undefined;
  if (!whole(0, headerSize)) return undefined;
  const last = new Map<number, number>();
  let events = 0;
  for (at = headerSize; at < bytes.length; ) {
    if (!whole(at, at + stride)) return undefined;
    const kind = view.getUint16(at + 12, true);
    if (kind >= 1 && kind <= 3) {
      const length = view.getUint32(at + 20, true);
      const group = (1 + Math.ceil(length / 32)) * stride;
      if (length > 4096 || !whole(at, at + group)) return undefined;
      at += group;
      continue;
    }
    // As the decoder reads it: a double, exact to 2^53.
    const time = view.getUint32(at, true) + view.getUint32(at + 4, true) * 4294967296;
    const lane = view.getUint32(at + 8, true);
    if (kind === 0 || time >= 2 ** 63 || lane > 1 << 24) return undefined;
    if (time < (last.get(lane) ?? -Infinity)) return undefined;
    last.set(lane, time);
    events++;
    at += stride;
  }
  return events;
}

export function referenceRead(bytes: Uint8Array): ReferenceVerdict {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const streams = new Map<number, Stream>();
  if (hasMagic(bytes, 0, 'SMTRACE')) {
    streams.set(0, { parts: [bytes], ends: [bytes.length], length: bytes.length });
  } else {
    if (!hasMagic(bytes, 0, 'SMREC') || bytes.length < 16 || view.getUint16(8, true) !== 1) return UNSOUND;
    const headerSize = view.getUint16(10, true);
    if (headerSize < 16 || headerSize > 1024 || headerSize > bytes.length) return UNSOUND;
    for (let at = headerSize; at < bytes.length; ) {
      if (at + 8 > bytes.length) return UNSOUND;
      const id = view.getUint32(at, true);
      const length = view.getUint32(at + 4, true);
      if (length === 0 || length > 64 * 1024 * 1024 || at + 8 + length > bytes.length) return UNSOUND;
      let stream = streams.get(id);
      if (!stream) streams.set(id, (stream = { parts: [], ends: [], length: 0 }));
      stream.parts.push(bytes.subarray(at + 8, at + 8 + length));
      stream.length += length;
      stream.ends.push(stream.length);
      at += 8 + length;
    }
  }
  let events = 0;
  for (const stream of streams.values()) {
    const n = streamEvents(stream);
    if (n === undefined) return UNSOUND;
    events += n;
  }
  return { sound: true, events };
}

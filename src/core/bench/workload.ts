/**
 * The messages the load generator sends and the replies it must get back, computed once per run
 * through the protocol oracle so that verifying a reply is a plain byte comparison.
 *
 * A frame message is `^` + filler + `$`: `payloadBytes` on the wire, `payloadBytes - 2` back (each
 * filler byte + 1). A work request is `!<number>$`, answered `prime\n` or `composite\n`.
 */
import { expectedReply, FRAME_CLOSE, FRAME_OPEN } from '../protocol';

export interface Workload {
  readonly frame: Buffer;
  readonly frameReply: Buffer;
  /** Absent when no work requests are mixed in. */
  readonly work?: { readonly request: Buffer; readonly reply: Buffer; readonly every: number };
}

export const MIN_PAYLOAD_BYTES = 3;
export const MAX_PAYLOAD_BYTES = 1 << 20;

/**
 * A prime near 10^12: plain trial division tries ~500,000 odd divisors, a few milliseconds of CPU
 * on the serving thread: slow enough to be seen in every other client's latency.
 */
export const DEFAULT_WORK_NUMBER = 999_999_999_989n;

export function buildWorkload(payloadBytes: number, work?: { every: number; number: bigint }): Workload {
  if (!Number.isInteger(payloadBytes) || payloadBytes < MIN_PAYLOAD_BYTES || payloadBytes > MAX_PAYLOAD_BYTES) {
    throw new RangeError(`payload must be ${MIN_PAYLOAD_BYTES}..${MAX_PAYLOAD_BYTES} bytes, got ${payloadBytes}`);
  }
  const frame = Buffer.alloc(payloadBytes);
  frame[0] = FRAME_OPEN;
  // Printable filler that can never close the frame early.
  for (let i = 1; i < payloadBytes - 1; i++) frame[i] = 0x61 + ((i - 1) % 26);
  frame[payloadBytes - 1] = FRAME_CLOSE;
  const frameReply = expectedReply(frame);
  if (!work) return { frame, frameReply };
  if (!Number.isInteger(work.every) || work.every < 1) throw new RangeError(`work must be a positive integer, got ${work.every}`);
  const request = Buffer.from(`!${work.number}$`, 'latin1');
  const reply = expectedReply(request);
  if (reply.length === 0) throw new RangeError(`${work.number} is not a valid work request number (0..2^63-1)`);
  return { frame, frameReply, work: { request, reply, every: work.every } };
}

/**
 * Whether message `index` of connection `conn` is a work request: one in `every`, staggered by
 * connection so that the slow requests of different connections do not all coincide.
 */
export function isWorkMessage(workload: Workload, conn: number, index: number): boolean {
  const every = workload.work?.every;
  return every !== undefined && (index + conn) % every === every - 1;
}

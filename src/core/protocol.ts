/**
 * The wire protocol every stage speaks (ARCHITECTURE.md, "Wire protocol"), as an oracle: given the
 * bytes a client sent, what must come back. The C state machine lives in servers/common/protocol.c;
 * this file is its independent re-statement, used to verify replies byte for byte.
 *
 * - On accept the server sends ACK ('*').
 * - Outside a frame, '^' opens one and every other byte is dropped.
 * - Inside a frame, '$' closes it and every other byte comes back as byte+1 (mod 256).
 * - Outside a frame, '!' + decimal digits + '$' is a work request: is the number prime? The reply
 *   is "prime\n" or "composite\n". Anything else after '!' drops the request (and that byte is
 *   then read as an ordinary byte outside a frame).
 * State carries across reads, so the oracle is fed chunk by chunk.
 *
 * A server at a limit may refuse a client instead: one line of text in place of the ACK, then it
 * closes (RefusalReader below).
 */

export const ACK = 0x2a; // '*'
export const FRAME_OPEN = 0x5e; // '^'
export const FRAME_CLOSE = 0x24; // '$'
export const WORK_OPEN = 0x21; // '!'

/** The largest number a work request may carry: 2^63 - 1. */
export const MAX_WORK_NUMBER = (1n << 63n) - 1n;

export const PRIME_REPLY = 'prime\n';
export const COMPOSITE_REPLY = 'composite\n';

type State = 'outside' | 'inFrame' | 'work';

/** Plain trial division, exactly the cost model the servers use; bigint keeps 2^63-1 exact. */
export function isPrime(n: bigint): boolean {
  if (n < 2n) return false;
  if (n < 4n) return true;
  if (n % 2n === 0n) return false;
  for (let d = 3n; d * d <= n; d += 2n) {
    if (n % d === 0n) return false;
  }
  return true;
}

/** A fast isPrime for numbers that fit in a double exactly (the common case in tests). */
function isPrimeSmall(n: number): boolean {
  if (n < 2) return false;
  if (n < 4) return true;
  if (n % 2 === 0) return false;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

export class ProtocolOracle {
  private state: State = 'outside';
  private digits = '';
  /**
   * Work requests seen, in order. The oracle answers them inline; a caller that only wants to
   * know about them (to skip slow ones) can read this list.
   */
  readonly workRequests: bigint[] = [];

  constructor(private readonly answerWork: (n: bigint) => boolean = defaultAnswer) {}

  /** Feeds client bytes; returns the bytes the server must send back for them. */
  feed(input: Uint8Array): Buffer {
    const out: number[] = [];
    for (const byte of input) this.step(byte, out);
    return Buffer.from(out);
  }

  private step(byte: number, out: number[]): void {
    switch (this.state) {
      case 'outside':
        if (byte === FRAME_OPEN) this.state = 'inFrame';
        else if (byte === WORK_OPEN) {
          this.state = 'work';
          this.digits = '';
        }
        return;
      case 'inFrame':
        if (byte === FRAME_CLOSE) this.state = 'outside';
        else out.push((byte + 1) & 0xff);
        return;
      case 'work':
        if (byte >= 0x30 && byte <= 0x39 && this.digits.length < 19) {
          this.digits += String.fromCharCode(byte);
          return;
        }
        if (byte === FRAME_CLOSE && this.digits.length > 0) {
          const n = BigInt(this.digits);
          this.state = 'outside';
          if (n <= MAX_WORK_NUMBER) {
            this.workRequests.push(n);
            const reply = this.answerWork(n) ? PRIME_REPLY : COMPOSITE_REPLY;
            for (let i = 0; i < reply.length; i++) out.push(reply.charCodeAt(i));
          }
          return;
        }
        // Malformed request: dropped, and the offending byte is read again outside a frame
        // (so "!^ab$" still opens a frame). Too many digits also lands here.
        this.state = 'outside';
        this.step(byte, out);
        return;
    }
  }
}

function defaultAnswer(n: bigint): boolean {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? isPrimeSmall(Number(n)) : isPrime(n);
}

/** The whole reply for a whole input, without the ACK. */
export function expectedReply(input: Uint8Array | string): Buffer {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  return new ProtocolOracle().feed(bytes);
}

/** The notes' client conversation: what it sends, and how long it waits after each send. */
export const NOTES_CONVERSATION: readonly { readonly send: string; readonly waitMs: number }[] = [
  { send: '^abc$de^abte$f', waitMs: 1000 },
  { send: 'xyz^123', waitMs: 1000 },
  { send: '25$^ab0000$abab', waitMs: 200 },
];

/** What the notes' conversation must get back, joined: "bcdbcuf" + "234" + "36bc1111". */
export const NOTES_EXPECTED_REPLY = 'bcdbcuf' + '234' + '36bc1111';

/** The longest refusal line a client takes as one (servers/common/refuse.c sends at most 199 bytes). */
export const MAX_REFUSAL_BYTES = 200;

/**
 * How long the notes' client (client/notesConnection.ts) waits, after the first byte that is not
 * the ACK, for the rest of a refusal and the close. The server sends the line with one send() and
 * closes right after, so both come at once; bytes that keep the connection open longer are not a
 * refusal. (The load generator and the experiments' sockets judge at the close, within their own
 * deadlines.)
 */
export const REFUSAL_WAIT_MS = 500;

const NEWLINE = 0x0a;

/** Printable ASCII, tab and carriage return: what a refusal line is made of. */
function isLineByte(byte: number): boolean {
  return (byte >= 0x20 && byte <= 0x7e) || byte === 0x09 || byte === 0x0d;
}

/**
 * What a client received before any ACK, read as a possible refusal: a server at its limit sends
 * one line saying why instead of the ACK and closes (02-thread-per-client past --max-threads:
 * "busy: 8 threads running, try again later\n"). Feed it every byte that came before an ACK; at
 * the server's close, `words` is the refusal, or undefined when the bytes were something else.
 */
export class RefusalReader {
  private readonly parts: Buffer[] = [];
  private length = 0;
  private lineEnded = false;
  private impossible = false;

  /** Takes (a copy of) `bytes`. Returns false once they cannot be a refusal: not one line of text. */
  push(bytes: Uint8Array): boolean {
    if (this.impossible) return false;
    this.parts.push(Buffer.from(bytes));
    for (const byte of bytes) {
      if (this.lineEnded || ++this.length > MAX_REFUSAL_BYTES) this.impossible = true;
      else if (byte === NEWLINE) this.lineEnded = true;
      else if (!isLineByte(byte)) this.impossible = true;
      if (this.impossible) return false;
    }
    return true;
  }

  /** Everything received before the ACK, for a message that shows it. */
  get received(): Buffer {
    return Buffer.concat(this.parts);
  }

  /** The server's words (the line without its end), if what came before its close was a refusal. */
  get words(): string | undefined {
    if (this.impossible) return undefined;
    const words = this.received.toString('latin1').trim();
    return words.length > 0 ? words : undefined;
  }
}

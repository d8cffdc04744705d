/**
 * Checks a connection's reply as one joined stream against the protocol oracle. How the server's
 * bytes are split into reads varies from run to run (the notes show `b'b'` + `b'cdbcuf'` in one run
 * and `b'bcdbcuf'` in the next), so only the concatenation is compared, byte by byte, and the first
 * difference is reported by its offset in that stream.
 */
import { ProtocolOracle } from '../protocol';

export type ReplyProblem =
  | { readonly kind: 'differs'; readonly offset: number; readonly expected: number; readonly actual: number }
  /** More bytes arrived than everything sent so far asks for. */
  | { readonly kind: 'extra'; readonly offset: number; readonly actual: number };

export class ReplyVerifier {
  private readonly oracle: ProtocolOracle;
  private expected: Buffer = Buffer.alloc(0);
  private expectedLength = 0;
  private receivedLength = 0;
  private problem: ReplyProblem | undefined;

  /** `answerWork` answers work requests (protocol.ts, ProtocolOracle): a caller that knows a slow prime's answer passes it. */
  constructor(answerWork?: (n: bigint) => boolean) {
    this.oracle = answerWork ? new ProtocolOracle(answerWork) : new ProtocolOracle();
  }

  /** Records bytes the client sent: the reply they call for joins the expected stream. */
  sent(bytes: Uint8Array): void {
    const reply = this.oracle.feed(bytes);
    if (reply.length === 0) return;
    if (this.expectedLength + reply.length > this.expected.length) {
      const grown = Buffer.alloc(Math.max(64, 2 * (this.expectedLength + reply.length)));
      this.expected.copy(grown, 0, 0, this.expectedLength);
      this.expected = grown;
    }
    reply.copy(this.expected, this.expectedLength);
    this.expectedLength += reply.length;
  }

  /** Checks bytes the server sent; returns the first problem, now or earlier, if any. */
  received(bytes: Uint8Array): ReplyProblem | undefined {
    if (this.problem) return this.problem;
    for (let i = 0; i < bytes.length; i++) {
      const offset = this.receivedLength + i;
      if (offset >= this.expectedLength) {
        this.problem = { kind: 'extra', offset, actual: bytes[i] };
        break;
      }
      if (this.expected[offset] !== bytes[i]) {
        this.problem = { kind: 'differs', offset, expected: this.expected[offset], actual: bytes[i] };
        break;
      }
    }
    this.receivedLength += bytes.length;
    return this.problem;
  }

  /** Reply bytes received so far (the ack is not part of this stream). */
  get receivedBytes(): number {
    return this.receivedLength;
  }

  /** Reply bytes everything sent so far calls for. */
  get expectedBytes(): number {
    return this.expectedLength;
  }

  /** Everything sent so far has been answered, exactly. */
  get complete(): boolean {
    return this.problem === undefined && this.receivedLength === this.expectedLength;
  }

  /** The expected stream so far, for messages. */
  expectedSlice(from: number, to: number): Buffer {
    return this.expected.subarray(Math.max(0, from), Math.min(to, this.expectedLength));
  }
}

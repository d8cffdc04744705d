/**
 * One connection of the notes' client: wait for `*`, send the three pieces with their pauses,
 * read until the whole reply is there, close. Unlike the original (a thread that loops on recv
 * until it sees `1111`, forever if the server closes first), every wait here has a deadline, end
 * of stream is noticed, and every byte is checked against the protocol oracle as it arrives.
 */
import { connect, type Socket } from 'node:net';
import { ACK, ProtocolOracle, RefusalReader, REFUSAL_WAIT_MS } from '../protocol';
import type { ClientEvent, ClientEventKind, ClientFailure, ClientFailureKind } from './clientEvent';
import { logLine } from './logLine';
import { pythonBytesRepr } from './pythonBytes';
import { ReplyVerifier, type ReplyProblem } from './replyVerifier';

export interface ConversationStep {
  /** Bytes to send; empty: nothing is sent, the step is only its pause. */
  readonly send: string;
  readonly waitMs: number;
  /** A line said (as a `note` event) just before the send: what this step is for. */
  readonly note?: string;
}

export interface ConnectionDeadlines {
  /** TCP connect. */
  readonly connectMs: number;
  /** From TCP connect to the `*` ack; a serial stage keeps later clients waiting this long. */
  readonly ackMs: number;
  /** After the last pause, for the rest of the reply. */
  readonly replyMs: number;
}

export interface ConnectionSettings {
  readonly host: string;
  readonly port: number;
  readonly conversation: readonly ConversationStep[];
  readonly deadlines: ConnectionDeadlines;
  readonly signal?: AbortSignal;
  readonly emit: (event: ClientEvent) => void;
  /**
   * Answers the conversation's work requests instead of the oracle's own trial division, which
   * for a slow prime would stall this process (and every other connection in it) as long as it
   * stalls the server.
   */
  readonly answerWork?: (n: bigint) => boolean;
  /**
   * false: send at once after the TCP connect and expect the `*` later (a client that does not
   * know it is still in the backlog). Default true: wait for `*` first, as the notes' client does.
   */
  readonly awaitAck?: boolean;
  /**
   * Awaited before each piece is sent: several connections that await one barrier here send
   * their i-th pieces in the same turn of the event loop, as one burst (a lesson scenario's wave).
   */
  readonly beforeSend?: () => Promise<void>;
}

class ConnectionFailed extends Error {
  constructor(readonly failure: ClientFailure) {
    super(failure.message);
  }
}

export class NotesConnection {
  private socket: Socket | undefined;
  private readonly verifier: ReplyVerifier;
  private acked = false;
  /** What came instead of the `*`: a refusal if it is one line and the server then closes. */
  private beforeAck: RefusalReader | undefined;
  private refusalTimer: NodeJS.Timeout | undefined;
  /** The last piece has been sent: from here on, the server may close once the reply is complete. */
  private sentAll = false;
  private failure: ClientFailure | undefined;
  /** Called whenever something a wait may be waiting for happened (bytes, end, error). */
  private wake: (() => void) | undefined;
  /** Reply bytes the whole conversation calls for, for messages ("after 10 of 18 bytes"). */
  private readonly replyTotal: number;

  constructor(
    readonly index: number,
    private readonly settings: ConnectionSettings,
  ) {
    this.verifier = new ReplyVerifier(settings.answerWork);
    const oracle = settings.answerWork ? new ProtocolOracle(settings.answerWork) : new ProtocolOracle();
    this.replyTotal = oracle.feed(Buffer.from(settings.conversation.map((s) => s.send).join(''), 'latin1')).length;
  }

  private get name(): string {
    return `conn${this.index}`;
  }

  /** Runs the whole conversation; resolves with the failure, or undefined when all went right. */
  async run(): Promise<ClientFailure | undefined> {
    const abort = () => this.fail('aborted', `${this.name}: aborted`);
    this.settings.signal?.addEventListener('abort', abort, { once: true });
    try {
      if (this.settings.signal?.aborted) abort();
      await this.open();
      const ackWait = () =>
        this.waitUntil(() => this.acked, this.settings.deadlines.ackMs, () =>
          this.problem('ack-timeout', `${this.name}: no '*' from the server within ${this.settings.deadlines.ackMs} ms of connecting (still queued in its backlog?)`),
        );
      const awaitAck = this.settings.awaitAck ?? true;
      if (awaitAck) await ackWait();
      for (const [i, step] of this.settings.conversation.entries()) {
        if (step.note !== undefined) this.emitEvent('note', step.note);
        if (step.send.length > 0) {
          if (this.settings.beforeSend) {
            await this.settings.beforeSend();
            if (this.failure) throw new ConnectionFailed(this.failure);
          }
          this.send(Buffer.from(step.send, 'latin1'));
        }
        this.sentAll = i === this.settings.conversation.length - 1;
        await this.waitUntil(() => false, step.waitMs, () => undefined);
      }
      if (!awaitAck) await ackWait();
      const { replyMs } = this.settings.deadlines;
      await this.waitUntil(() => this.verifier.complete, replyMs, () =>
        this.problem(
          'reply-timeout',
          `${this.name}: reply incomplete ${replyMs} ms after the last send: got ${this.verifier.receivedBytes} of ${this.replyTotal} bytes; first missing byte at offset ${this.verifier.receivedBytes}`,
          this.verifier.receivedBytes,
        ),
      );
      this.emitEvent('close', `${this.name} disconnecting`);
      return undefined;
    } catch (err) {
      const failure = err instanceof ConnectionFailed ? err.failure : this.problem('other', `${this.name}: ${String(err)}`);
      this.emitEvent('error', failure.message);
      return failure;
    } finally {
      this.settings.signal?.removeEventListener('abort', abort);
      clearTimeout(this.refusalTimer);
      this.socket?.destroy();
    }
  }

  private open(): Promise<void> {
    const { host, port, deadlines } = this.settings;
    this.emitEvent('connecting');
    const socket = connect({ host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    let connected = false;
    socket.once('connect', () => {
      connected = true;
      this.emitEvent('connect', undefined, undefined, socket.localPort);
      this.wake?.();
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', (err: NodeJS.ErrnoException) => this.onError(err, connected));
    return this.waitUntil(() => connected, deadlines.connectMs, () =>
      this.problem('connect-timeout', `${this.name}: could not connect to ${host}:${port} within ${deadlines.connectMs} ms`),
    );
  }

  private onData(chunk: Buffer): void {
    let reply = chunk;
    if (!this.acked) {
      if (chunk[0] !== ACK || this.beforeAck) {
        this.notAck(chunk);
        return;
      }
      this.acked = true;
      this.emitEvent('ack', `${this.name} connected...`);
      reply = chunk.subarray(1);
    }
    if (reply.length > 0) {
      this.emitEvent('receive', `${this.name} received ${pythonBytesRepr(reply)}`, reply);
      const problem = this.verifier.received(reply);
      if (problem) this.fail(problem.kind, this.describe(problem), problem.offset);
    }
    this.wake?.();
  }

  /** Bytes in place of the `*`: wait a moment for the close that makes them a refusal. */
  private notAck(chunk: Buffer): void {
    const badAck = () =>
      this.fail('bad-ack', `${this.name}: expected the '*' ack as the first byte, got ${pythonBytesRepr(this.beforeAck!.received.subarray(0, 16))}`);
    if (!this.beforeAck) {
      this.beforeAck = new RefusalReader();
      this.refusalTimer = setTimeout(badAck, REFUSAL_WAIT_MS);
    }
    if (!this.beforeAck.push(chunk)) badAck();
  }

  /**
   * At the server's close: if what came in place of the `*` was a refusal line, fails as refused
   * in the server's words. (`beforeAck` is only ever made before an ack.)
   */
  private failIfRefused(): boolean {
    const words = this.beforeAck?.words;
    if (words === undefined) return false;
    this.fail('refused', `${this.name}: refused by the server: ${words}`);
    return true;
  }

  private onEnd(): void {
    if (this.failIfRefused()) return;
    if (this.sentAll && this.verifier.complete) {
      // Closing after the whole conversation is the server's right; we only needed the bytes.
      this.wake?.();
      return;
    }
    const got = this.verifier.receivedBytes;
    const message = this.acked
      ? `${this.name}: the server closed the connection after ${got} of ${this.replyTotal} reply bytes; first missing byte at offset ${got}`
      : `${this.name}: the server closed the connection before sending the '*' ack`;
    this.fail('closed', message, this.acked ? got : undefined);
  }

  private onError(err: NodeJS.ErrnoException, connected: boolean): void {
    const { host, port } = this.settings;
    if (!connected && err.code === 'ECONNREFUSED') {
      this.fail('refused', `${this.name}: connection to ${host}:${port} refused (is the server running?)`);
    } else if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
      if (this.failIfRefused()) return;
      const got = this.verifier.receivedBytes;
      this.fail('reset', `${this.name}: connection reset by the server after ${got} of ${this.replyTotal} reply bytes; first missing byte at offset ${got}`, got);
    } else {
      this.fail('other', `${this.name}: ${err.message}`);
    }
  }

  private send(bytes: Buffer): void {
    // The notes' client logs before it sends.
    this.emitEvent('send', `${this.name} sending ${pythonBytesRepr(bytes)}`, bytes);
    this.verifier.sent(bytes);
    this.socket?.write(bytes);
  }

  private describe(problem: ReplyProblem): string {
    if (problem.kind === 'extra') {
      return `${this.name}: unexpected extra reply byte at offset ${problem.offset}: got ${pythonBytesRepr(Uint8Array.of(problem.actual))} after the complete reply`;
    }
    return (
      `${this.name}: reply differs at offset ${problem.offset} of the joined reply: ` +
      `expected ${pythonBytesRepr(Uint8Array.of(problem.expected))}, got ${pythonBytesRepr(Uint8Array.of(problem.actual))}`
    );
  }

  private problem(kind: ClientFailureKind, message: string, offset?: number): ClientFailure {
    return offset === undefined ? { conn: this.index, kind, message } : { conn: this.index, kind, offset, message };
  }

  /** Records the first failure; later ones are consequences of it. */
  private fail(kind: ClientFailureKind, message: string, offset?: number): void {
    this.failure ??= this.problem(kind, message, offset);
    this.socket?.destroy();
    this.wake?.();
  }

  /**
   * Resolves once `ready()` holds, rejects at the first failure. At the deadline it rejects with
   * `onTimeout()`'s failure, or resolves when that gives none (a pause, not a wait).
   */
  private waitUntil(ready: () => boolean, timeoutMs: number, onTimeout: () => ClientFailure | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const settle = (failure: ClientFailure | undefined) => {
        clearTimeout(timer);
        this.wake = undefined;
        if (failure) reject(new ConnectionFailed(failure));
        else resolve();
      };
      const check = () => {
        if (this.failure) settle(this.failure);
        else if (ready()) settle(undefined);
      };
      const timer = setTimeout(() => settle(this.failure ?? onTimeout()), timeoutMs);
      this.wake = check;
      check();
    });
  }

  private emitEvent(kind: ClientEventKind, message?: string, bytes?: Buffer, localPort?: number): void {
    const at = new Date();
    const level = kind === 'error' ? 'ERROR' : 'INFO';
    this.settings.emit({
      kind,
      conn: this.index,
      at,
      monoNs: process.hrtime.bigint(),
      ...(bytes ? { bytes } : {}),
      ...(localPort !== undefined ? { localPort } : {}),
      ...(message !== undefined ? { line: logLine(level, at, message) } : {}),
    });
  }
}

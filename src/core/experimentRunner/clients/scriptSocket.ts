/**
 * One client connection of a scripted group (idle, echo, ping-pong, work) on plain node:net:
 * notices the `*` ack and a close by the server, checks each reply byte against what the request
 * calls for, and lets a script wait for a condition with the run's abort signal as the only bound
 * (the run has a deadline; every wait here ends with it).
 */
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ACK, RefusalReader } from '../../protocol';
import { type ConnectionRecord } from './groupOutcome';

/**
 * A request whose reply is awaited: the replies it may get (a work request's answer is not worked
 * out here: that would cost this process the same CPU time the lesson puts on the server) and the
 * time latency counts from.
 */
interface AwaitedReply {
  readonly expected: readonly Buffer[];
  readonly fromMs: number;
  readonly done: (latencyMs: number) => void;
}

const CONNECT_TIMEOUT_MS = 10_000;

export class ScriptSocket {
  private readonly socket: Socket;
  private readonly awaited: AwaitedReply[] = [];
  /** Position inside the head reply, and the replies it may still be. */
  private replyAt = 0;
  private matching: readonly Buffer[] | undefined;
  private ended = false;
  /** What came instead of the `*`: a refusal if it is one line and the server then closes. */
  private beforeAck: RefusalReader | undefined;
  private readonly wakers = new Set<() => void>();

  constructor(
    host: string,
    port: number,
    readonly record: ConnectionRecord,
    private readonly signal: AbortSignal,
  ) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.setTimeout(CONNECT_TIMEOUT_MS, () => {
      if (record.connectedMs === undefined) this.finish('error', `no TCP connect within ${CONNECT_TIMEOUT_MS} ms`);
    });
    this.socket.once('connect', () => {
      record.connectedMs = performance.now();
      this.socket.setTimeout(0);
      this.wake();
    });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('end', () => this.finish('server', 'the server closed the connection'));
    this.socket.on('error', (err: NodeJS.ErrnoException) => {
      const reset = this.connected && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
      this.finish(reset ? 'server' : 'error', reset ? 'the server reset the connection' : err.message);
    });
    this.socket.on('close', () => this.finish('server', 'the connection closed'));
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  get connected(): boolean {
    return this.record.connectedMs !== undefined;
  }

  get acked(): boolean {
    return this.record.ackMs !== undefined;
  }

  /** Requests sent and not yet answered in full. */
  get outstanding(): number {
    return this.awaited.length;
  }

  /** Sends `bytes` and awaits one of `expected` back; `done` gets the latency from `fromMs`. */
  request(bytes: Buffer, expected: readonly Buffer[], fromMs: number, done: (latencyMs: number) => void): void {
    if (this.ended) return;
    this.awaited.push({ expected, fromMs, done });
    this.socket.write(bytes);
  }

  /**
   * Resolves true once `ready()` holds, false if the connection ends or the run is stopped first.
   * The group calls wake() when the run's signal aborts (one listener per group, not per wait).
   */
  until(ready: () => boolean): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (ready()) settle(true);
        else if (this.ended || this.signal.aborted) settle(false);
      };
      const settle = (value: boolean) => {
        this.wakers.delete(check);
        resolve(value);
      };
      this.wakers.add(check);
      check();
    });
  }

  /** Stays connected until performance.now() reaches `untilMs` (the connection may end sooner). */
  async holdUntil(untilMs: number): Promise<void> {
    const wait = untilMs - performance.now();
    if (wait <= 0 || this.ended) return;
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      this.wake();
    }, wait);
    await this.until(() => expired);
    clearTimeout(timer);
  }

  /** Closes from our side (the script is done); the record's end is now. */
  close(): void {
    this.finish('us');
  }

  private onData(chunk: Buffer): void {
    let at = 0;
    if (this.record.ackMs === undefined) {
      if (chunk[0] !== ACK || this.beforeAck) {
        this.beforeAck ??= new RefusalReader();
        if (!this.beforeAck.push(chunk)) this.finish('error', `expected the '*' ack first, got byte 0x${this.beforeAck.received[0].toString(16)}`);
        return;
      }
      this.record.ackMs = performance.now();
      at = 1;
    }
    const now = performance.now();
    while (at < chunk.length) {
      const head = this.awaited[0];
      if (!head) {
        this.finish('error', `${chunk.length - at} reply bytes arrived with no request outstanding`);
        return;
      }
      let matching = this.matching ?? head.expected;
      let complete = false;
      while (at < chunk.length && !complete) {
        const byte = chunk[at];
        const next = matching.filter((reply) => reply[this.replyAt] === byte);
        if (next.length === 0) {
          const wanted = matching.map((reply) => `0x${reply[this.replyAt].toString(16)}`).join(' or ');
          this.finish('error', `reply byte ${this.replyAt} differs: expected ${wanted}, got 0x${byte.toString(16)}`);
          return;
        }
        matching = next;
        at++;
        this.replyAt++;
        complete = matching.some((reply) => reply.length === this.replyAt);
      }
      this.matching = matching;
      if (complete) {
        this.awaited.shift();
        this.replyAt = 0;
        this.matching = undefined;
        head.done(now - head.fromMs);
      }
    }
    this.wake();
  }

  /**
   * The connection is over: records when, and how. A close by the server before any `*` is a
   * refusal (what a stage does at its limit, with or without a line saying why); any other close
   * by the server is a problem only if replies were still owed.
   */
  private finish(by: 'us' | 'server' | 'error', problem?: string): void {
    if (this.ended) return;
    this.ended = true;
    const record = this.record;
    record.endMs = performance.now();
    if (by === 'server' && this.connected && !this.acked) {
      record.refused = true;
      record.refusal = this.beforeAck?.words;
    } else if (by === 'error' || (by === 'server' && this.awaited.length > 0)) record.problem ??= problem;
    this.socket.destroy();
    this.wake();
  }

  /** Re-checks every wait: something it may be waiting for happened. */
  wake(): void {
    for (const check of [...this.wakers]) check();
  }
}

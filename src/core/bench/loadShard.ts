/**
 * The load generator's engine for one thread: a set of connections, their schedule, and the
 * verification of every reply byte. `runPoint` drives one shard in the calling thread or several
 * in worker threads; each shard measures on its own clock and hands back counters and histograms.
 *
 * Hot path choices (bench/README.md has the figures): reads land in one shared buffer through
 * `onread` (no Buffer per read), writes go straight to the descriptor when the stream holds
 * nothing (socketWrite.ts), the messages are prebuilt Buffers, the pending messages of a
 * connection live in a typed-array ring, latencies are counted with integer arithmetic
 * (LatencyCounts), and the clock is read once per read callback.
 */
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ACK, RefusalReader } from '../protocol';
import { LatencyCounts } from './histogram';
import { PendingQueue } from './pendingQueue';
import { socketFd, writeInOrder } from './socketWrite';
import { noErrors, type BenchMode, type ErrorCounts, type ErrorKind } from './result';
import { isWorkMessage, type Workload } from './workload';

export interface ShardPlan {
  readonly host: string;
  readonly port: number;
  /** Global index of this shard's first connection, and how many it opens. */
  readonly firstConnection: number;
  readonly connections: number;
  /** Connections over all shards (the open-loop schedule interleaves all of them). */
  readonly totalConnections: number;
  readonly mode: BenchMode;
  /** Open loop: messages per second over all connections of all shards. */
  readonly rate: number | null;
  readonly workload: Workload;
  readonly connectTimeoutMs: number;
  /** TCP connects in flight at once, so the server's listen backlog is not flooded. */
  readonly connectConcurrency: number;
}

export interface ShardTotals {
  sent: number;
  received: number;
  receivedInWindow: number;
  verifiedBytes: number;
  expectedBytes: number;
  errors: ErrorCounts;
  firstError: string | null;
}

export interface ShardProgress {
  readonly sent: number;
  readonly received: number;
  readonly outstanding: number;
  readonly errors: number;
}

/** Largest batch of due frames written to one connection in one go (open loop catching up), in bytes. */
const MAX_BATCH_BYTES = 64 * 1024;
const READ_BUFFER_BYTES = 256 * 1024;
/** Closed loop: how many connections' next messages are written together (see `sendNextSoon`). */
const CLOSED_LOOP_BATCH = 64;
/** Closer than this to the next send, the open-loop pacer yields with setImmediate, not a timer. */
const SPIN_WITHIN_MS = 1.5;

class Connection {
  socket: Socket | undefined;
  /** The socket's descriptor once connected, for writes that skip the stream (socketWrite.ts). */
  fd = -1;
  connected = false;
  acked = false;
  /** What came instead of the `*`: a refusal if it is one line and the server then closes. */
  beforeAck: RefusalReader | undefined;
  alive = true;
  /** Position inside the head message's reply. */
  replyPos = 0;
  readonly pending = new PendingQueue();
  /** Messages sent on this connection so far (decides which are work requests). */
  sentCount = 0;

  constructor(readonly index: number) {}
}

export class LoadShard {
  readonly latency = new LatencyCounts();
  readonly connectTime = new LatencyCounts();
  readonly totals: ShardTotals = {
    sent: 0, received: 0, receivedInWindow: 0, verifiedBytes: 0, expectedBytes: 0, errors: noErrors(), firstError: null,
  };
  private readonly conns: Connection[];
  private readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  /** frameBatches[i] is i + 1 frames back to back, built when first needed. */
  private readonly frameBatches: Buffer[] = [];
  private readonly maxBatch: number;
  private outstanding = 0;
  /** Closed loop: connections whose reply is complete, and since when, waiting to send again. */
  private readonly nextSends: Connection[] = [];
  private readonly nextSendSince = new Float64Array(CLOSED_LOOP_BATCH);
  private nextSendsScheduled = false;
  private liveCount = 0;
  private ackedCount = 0;
  private sending = false;
  private closing = false;
  private windowStartMs = 0;
  private windowEndMs = 0;
  /** Open loop: this shard's next message in its own order (see `intendedMs`). */
  private nextSeq = 0;
  private pacer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  /** Called when something a waiter may care about changed (connects, acks, drains, deaths). */
  private notify: (() => void) | undefined;

  constructor(private readonly plan: ShardPlan) {
    this.conns = Array.from({ length: plan.connections }, (_, i) => new Connection(plan.firstConnection + i));
    this.maxBatch = Math.max(1, Math.floor(MAX_BATCH_BYTES / plan.workload.frame.length));
  }

  get progress(): ShardProgress {
    return {
      sent: this.totals.sent,
      received: this.totals.received,
      outstanding: this.outstanding,
      errors: Object.values(this.totals.errors).reduce((a, b) => a + b, 0),
    };
  }

  /** Opens every connection (at most `connectConcurrency` at a time); resolves when each has connected or failed. */
  connectAll(): Promise<void> {
    return new Promise<void>((resolve) => {
      let next = 0;
      let settled = 0;
      const total = this.conns.length;
      if (total === 0) {
        resolve();
        return;
      }
      const launch = () => {
        while (next < total && next - settled < this.plan.connectConcurrency && !this.closing) {
          this.open(this.conns[next++], () => {
            settled++;
            if (settled === total || this.closing) resolve();
            else launch();
          });
        }
      };
      launch();
    });
  }

  /** Resolves once every live connection has its `*`, or at the deadline (a serial stage acks one at a time). */
  waitForAcks(timeoutMs: number): Promise<void> {
    return this.waitUntil(() => this.ackedCount >= this.liveCount, timeoutMs);
  }

  /** Starts sending at `startMs` (performance.now() of this thread) until `endMs`. */
  startWindow(startMs: number, endMs: number): void {
    this.windowStartMs = startMs;
    this.windowEndMs = endMs;
    this.sending = true;
    if (this.liveCount === 0) {
      // Nothing connected (refused, or the server is gone): nothing to measure.
      this.stopSending();
      return;
    }
    if (this.plan.mode === 'closed') {
      const now = performance.now();
      for (const conn of this.conns) if (conn.alive && conn.connected) this.sendOne(conn, now);
      this.pacer = setTimeout(() => this.stopSending(), Math.max(0, endMs - now));
    } else {
      this.pace();
    }
  }

  /** Resolves when sending has stopped: the window is over, or every connection is gone. */
  sendingStopped(): Promise<void> {
    return this.waitUntil(() => !this.sending, Math.max(0, this.windowEndMs - performance.now()) + 60_000);
  }

  /** Resolves when every sent message is answered (or its connection died), or at the deadline. */
  drain(timeoutMs: number): Promise<void> {
    return this.waitUntil(() => this.outstanding === 0, timeoutMs);
  }

  /** Counts what never came back as timeouts and resets every connection (no TIME_WAIT left behind). */
  close(): void {
    this.stopSending();
    this.closing = true;
    for (const conn of this.conns) {
      if (conn.alive && conn.pending.length > 0) this.countError('timeout', `conn${conn.index}: ${conn.pending.length} replies still missing at the deadline`, conn.pending.length);
      conn.alive = false;
      const socket = conn.socket;
      if (socket && !socket.destroyed) {
        if (conn.connected) socket.resetAndDestroy();
        else socket.destroy();
      }
    }
    this.outstanding = 0;
    this.notify?.();
  }

  private open(conn: Connection, settled: () => void): void {
    const { host, port, connectTimeoutMs } = this.plan;
    const started = performance.now();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      settled();
    };
    const socket = connect({
      host,
      port,
      noDelay: true,
      onread: { buffer: this.readBuffer, callback: (nread: number, buf: Uint8Array) => this.onRead(conn, nread, buf) },
    });
    conn.socket = socket;
    socket.setTimeout(connectTimeoutMs);
    socket.once('timeout', () => {
      if (conn.connected) return;
      this.fail(conn, 'timeout', `conn${conn.index}: connect to ${host}:${port} timed out after ${connectTimeoutMs} ms`);
      finish();
    });
    socket.once('connect', () => {
      socket.setTimeout(0);
      this.connectTime.recordMs(performance.now() - started);
      conn.connected = true;
      conn.fd = socketFd(socket);
      this.liveCount++;
      finish();
      this.notify?.();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const kind = classify(err);
      if (kind !== 'reset' || !this.failIfRefused(conn)) this.fail(conn, kind, `conn${conn.index}: ${ERROR_WORDS[kind]} (${err.message})`);
      finish();
    });
    socket.on('end', () => {
      if (!this.failIfRefused(conn)) this.fail(conn, 'closed', `conn${conn.index}: the server closed the connection with ${conn.pending.length} replies outstanding`);
    });
    socket.on('close', finish);
  }

  private onRead(conn: Connection, nread: number, buf: Uint8Array): boolean {
    if (!conn.alive) return true;
    let i = 0;
    if (!conn.acked) {
      if (buf[0] !== ACK || conn.beforeAck) {
        // A refusal line once the server closes (see 'end'), or wrong bytes as soon as it cannot be one.
        conn.beforeAck ??= new RefusalReader();
        if (conn.beforeAck.push(buf.subarray(0, nread))) return true;
        this.fail(conn, 'wrong_bytes', `conn${conn.index}: expected the '*' ack as the first byte, got 0x${conn.beforeAck.received[0].toString(16)}`);
        return false;
      }
      conn.acked = true;
      this.ackedCount++;
      this.notify?.();
      i = 1;
    }
    if (i === nread) return true;
    const now = performance.now();
    const { frameReply, work } = this.plan.workload;
    const pending = conn.pending;
    while (i < nread) {
      if (pending.length === 0) {
        this.fail(conn, 'wrong_bytes', `conn${conn.index}: ${nread - i} reply bytes arrived with no message outstanding`);
        return false;
      }
      const expected = pending.headIsWork && work ? work.reply : frameReply;
      let pos = conn.replyPos;
      const stop = Math.min(expected.length, pos + nread - i);
      const from = pos;
      for (; pos < stop; pos++, i++) {
        if (buf[i] !== expected[pos]) {
          this.totals.verifiedBytes += pos - from;
          this.fail(conn, 'wrong_bytes', `conn${conn.index}: reply byte ${pos} of a message differs: expected 0x${expected[pos].toString(16)}, got 0x${buf[i].toString(16)}`);
          return false;
        }
      }
      this.totals.verifiedBytes += pos - from;
      if (pos < expected.length) {
        conn.replyPos = pos;
        break;
      }
      conn.replyPos = 0;
      this.latency.recordMs(now - pending.headStartMs);
      pending.shift();
      this.outstanding--;
      this.totals.received++;
      if (now <= this.windowEndMs) this.totals.receivedInWindow++;
      if (this.plan.mode === 'closed' && this.sending) this.sendNextSoon(conn, now);
    }
    if (this.outstanding === 0) this.notify?.();
    return true;
  }

  /** Accounts for the connection's next message, whose latency counts from `startMs`; returns its bytes. */
  private enqueue(conn: Connection, startMs: number): Buffer {
    const { workload } = this.plan;
    const work = isWorkMessage(workload, conn.index, conn.sentCount) ? workload.work : undefined;
    conn.pending.push(startMs, work !== undefined);
    conn.sentCount++;
    this.outstanding++;
    this.totals.sent++;
    this.totals.expectedBytes += work ? work.reply.length : workload.frameReply.length;
    return work ? work.request : workload.frame;
  }

  /**
   * Closed loop: the connection's next message, whose latency counts from `sinceMs` (its reply's
   * arrival), is written with those of up to CLOSED_LOOP_BATCH - 1 other connections, or at the
   * end of this turn of the event loop. Reading a run of replies and then writing a run of
   * messages, rather than alternating, keeps each path's code and data warm and lets one wake-up
   * of the stage serve several messages: about 7 % less client CPU per message at 100 and at
   * 10,000 connections (bench/README.md). The wait counts in the latency, as it should.
   */
  private sendNextSoon(conn: Connection, sinceMs: number): void {
    this.nextSendSince[this.nextSends.length] = sinceMs;
    this.nextSends.push(conn);
    if (this.nextSends.length === CLOSED_LOOP_BATCH) {
      this.sendNextNow();
    } else if (!this.nextSendsScheduled) {
      this.nextSendsScheduled = true;
      setImmediate(() => {
        this.nextSendsScheduled = false;
        this.sendNextNow();
      });
    }
  }

  private sendNextNow(): void {
    const conns = this.nextSends;
    for (let i = 0; i < conns.length; i++) {
      // The window may have closed, or the connection died, since its reply came in.
      if (this.sending && conns[i].alive) this.sendOne(conns[i], this.nextSendSince[i]);
    }
    conns.length = 0;
  }

  private sendOne(conn: Connection, startMs: number): void {
    this.write(conn, this.enqueue(conn, startMs));
  }

  /**
   * Open loop: message k of the run (over all shards) goes to connection k mod C at
   * start + k / rate, whatever the replies do, so a stalled server cannot slow the schedule down
   * and hide its stall (no coordinated omission). This shard's own messages, in time order, are
   * seq -> round seq div n, connection first + seq mod n. Everything due is sent now; when the
   * pacer runs late, each connection's overdue messages go out in one write.
   */
  private pace(): void {
    this.pacer = undefined;
    if (!this.sending) return;
    const now = performance.now();
    const n = this.plan.connections;
    const from = this.nextSeq;
    const end = this.seqDue(now);
    for (let seq = from; seq < end && seq < from + n; seq++) {
      const conn = this.conns[seq % n];
      if (conn.alive && conn.connected) this.sendDue(conn, seq, Math.floor((end - 1 - seq) / n) + 1);
    }
    if (end > from) this.nextSeq = end;
    if (now >= this.windowEndMs) {
      this.stopSending();
      return;
    }
    const wait = Math.min(this.intendedMs(this.nextSeq), this.windowEndMs) - performance.now();
    this.pacer = wait > SPIN_WITHIN_MS ? setTimeout(() => this.pace(), wait - 1) : setImmediate(() => this.pace());
  }

  /** Sends `count` due messages of one connection (its seqs firstSeq, firstSeq + n, ...) in as few writes as it can. */
  private sendDue(conn: Connection, firstSeq: number, count: number): void {
    const n = this.plan.connections;
    if (count === 1) {
      this.sendOne(conn, this.intendedMs(firstSeq));
      return;
    }
    const parts: Buffer[] = [];
    let framesOnly = true;
    for (let i = 0; i < count; i++) {
      const message = this.enqueue(conn, this.intendedMs(firstSeq + i * n));
      if (message !== this.plan.workload.frame) framesOnly = false;
      parts.push(message);
    }
    if (!framesOnly) {
      this.write(conn, Buffer.concat(parts));
      return;
    }
    for (let left = count; left > 0; left -= this.maxBatch) this.write(conn, this.frameBatch(Math.min(left, this.maxBatch)));
  }

  private write(conn: Connection, bytes: Buffer): void {
    if (conn.socket) writeInOrder(conn.socket, conn.fd, bytes);
  }

  private frameBatch(frames: number): Buffer {
    return (this.frameBatches[frames - 1] ??= Buffer.concat(Array<Buffer>(frames).fill(this.plan.workload.frame)));
  }

  /** performance.now() at which this shard's message `seq` is due. */
  private intendedMs(seq: number): number {
    const n = this.plan.connections;
    const k = Math.floor(seq / n) * this.plan.totalConnections + this.plan.firstConnection + (seq % n);
    return this.windowStartMs + (k * 1000) / (this.plan.rate ?? 1);
  }

  /**
   * How many of this shard's messages are due: those intended at or before `nowMs`, but only
   * those intended strictly before the window's end (a window of S seconds at R/s holds S x R).
   */
  private seqDue(nowMs: number): number {
    const perMs = (this.plan.rate ?? 1) / 1000;
    const elapsed = nowMs - this.windowStartMs;
    if (elapsed < 0) return 0;
    const dueByNow = Math.floor(elapsed * perMs) + 1;
    // end - start of two performance.now() values is not exact (500 ms can come out as
    // 500.00000000006): round away that noise before the ceiling, or a 1,001st message slips in.
    const beforeEnd = Math.ceil(Math.round((this.windowEndMs - this.windowStartMs) * perMs * 1e6) / 1e6);
    return this.shardShare(Math.min(dueByNow, beforeEnd));
  }

  /** Of the run's first `globalCount` messages, how many are this shard's. */
  private shardShare(globalCount: number): number {
    const { totalConnections: total, firstConnection: first, connections: n } = this.plan;
    const rounds = Math.floor(globalCount / total);
    return rounds * n + Math.min(Math.max(globalCount - rounds * total - first, 0), n);
  }

  private stopSending(): void {
    if (this.pacer) {
      clearTimeout(this.pacer as NodeJS.Timeout);
      clearImmediate(this.pacer as NodeJS.Immediate);
      this.pacer = undefined;
    }
    if (this.sending) {
      this.sending = false;
      this.notify?.();
    }
  }

  private fail(conn: Connection, kind: ErrorKind, message: string): void {
    if (!conn.alive || this.closing) return;
    conn.alive = false;
    if (conn.connected) this.liveCount--;
    if (conn.acked) this.ackedCount--;
    this.outstanding -= conn.pending.length;
    conn.pending.clear();
    this.countError(kind, message, 1);
    conn.socket?.destroy();
    // With every connection gone there is nothing left to measure: end the window now.
    if (this.liveCount === 0 && this.sending) this.stopSending();
    this.notify?.();
  }

  /**
   * At the server's close: if what came in place of the `*` was a refusal line, fails the
   * connection as refused in the server's words. (`beforeAck` is only ever made before an ack.)
   */
  private failIfRefused(conn: Connection): boolean {
    const words = conn.beforeAck?.words;
    if (words === undefined) return false;
    this.fail(conn, 'refused', `conn${conn.index}: refused by the server: ${words}`);
    return true;
  }

  private countError(kind: ErrorKind, message: string, count: number): void {
    this.totals.errors[kind] += count;
    this.totals.firstError ??= message;
  }

  private waitUntil(ready: () => boolean, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        if (this.notify === check) this.notify = undefined;
        resolve();
      };
      const check = () => {
        if (ready() || this.closing) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.notify = check;
      check();
    });
  }
}

const ERROR_WORDS: Readonly<Record<ErrorKind, string>> = {
  refused: 'connection refused',
  reset: 'connection reset by the server',
  closed: 'closed by the server',
  timeout: 'timed out',
  wrong_bytes: 'wrong bytes',
  fd_limit: 'out of file descriptors',
  other: 'socket error',
};

function classify(err: NodeJS.ErrnoException): ErrorKind {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'EMFILE':
    case 'ENFILE':
      return 'fd_limit';
    default:
      return 'other';
  }
}

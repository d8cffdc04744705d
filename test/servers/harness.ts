/**
 * What every servers-layer test needs: build a stage with make (once per test file, incremental
 * into servers/build), start it on a free port through src/core/stageProcess.ts, and talk to it
 * over real sockets with deadlines on every wait.
 */
import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runNotesClient } from '../../src/core/client/notesClient';
import { after, before } from 'node:test';
import { StageProcess, type StageProcessOptions } from '../../src/core/stageProcess';
import type { StageId } from '../../src/core/stages';

export const SERVERS_DIR = path.resolve(__dirname, '../../servers');
export const BUILD_DIR = path.join(SERVERS_DIR, 'build');

export type Flavour = 'normal' | 'sanitize';

const BUILD_TIMEOUT_MS = 300_000;
let buildQueue: Promise<unknown> = Promise.resolve();
const built = new Map<string, Promise<string>>();

function make(target: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('make', ['-C', SERVERS_DIR, target], { timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`make ${target} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve();
    });
  });
}

/** Builds one stage (make is incremental) and returns its binary. Builds run one at a time. */
export function buildStage(id: StageId, flavour: Flavour = 'normal'): Promise<string> {
  const target = flavour === 'sanitize' ? `sanitize-${id}` : id;
  let binary = built.get(target);
  if (!binary) {
    const file = flavour === 'sanitize' ? path.join(BUILD_DIR, 'sanitize', id) : path.join(BUILD_DIR, id);
    binary = buildQueue.then(() => make(target)).then(() => file);
    buildQueue = binary.catch(() => undefined);
    built.set(target, binary);
  }
  return binary;
}

/** Sanitizer reports look like this in a stage's stderr. */
export const SANITIZER_REPORT = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)/;

// ASan's leak check runs at exit and turns leaks into a failing exit code; abort_on_error keeps
// UBSan from carrying on past a report.
const SANITIZER_ENV = {
  ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0:halt_on_error=1',
  UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
};

export interface StartOptions {
  readonly flavour?: Flavour;
  readonly extraArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** How startStage turns a built stage into a running process. */
export type StageStarter = (id: StageId, options: StageProcessOptions) => Promise<StageProcess>;

let starter: StageStarter = (_id, options) => StageProcess.start(options);

/**
 * Makes every startStage of this test file (its own process) go through `replacement`, so that
 * the shared suites run against another build of a stage: 08-ae with its select backend, the
 * arm64 builds under qemu.
 */
export function startStagesWith(replacement: StageStarter): void {
  starter = replacement;
}

/** Builds (if needed) and starts a stage on a free port; the caller stops it. */
export async function startStage(id: StageId, options: StartOptions = {}): Promise<StageProcess> {
  const binary = await buildStage(id, options.flavour);
  return starter(id, {
    binary,
    port: 0,
    extraArgs: options.extraArgs ?? [],
    env: { ...(options.flavour === 'sanitize' ? SANITIZER_ENV : {}), ...options.env },
    startTimeoutMs: 10_000,
  });
}

/**
 * Starts the stage before the enclosing describe()'s tests and stops it after them. Returns a
 * getter, since the stage exists only once `before` ran.
 */
export function useStage(id: StageId, options: StartOptions = {}): () => StageProcess {
  let stage: StageProcess | undefined;
  before(async () => {
    stage = await startStage(id, options);
  });
  after(async () => {
    await stage?.stop();
  });
  return () => {
    if (!stage) throw new Error(`${id} is not running`);
    return stage;
  };
}

export function sanitizerReport(stage: StageProcess): string | undefined {
  const at = stage.lines.findIndex((line) => SANITIZER_REPORT.test(line));
  return at < 0 ? undefined : stage.lines.slice(Math.max(0, at - 2), at + 30).join('\n');
}

/** Resolves when `condition()` holds, checking every few ms; rejects with `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * One client connection that keeps everything it received, and when: the ack, the bytes after
 * it, and whether the server closed or reset. Every wait has a deadline.
 */
export class TestConnection {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private waiters: (() => void)[] = [];
  /** performance.now() when the first byte arrived, when the server's end came. */
  firstByteAt: number | undefined;
  endedAt: number | undefined;
  error: Error | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      if (this.firstByteAt === undefined) this.firstByteAt = performance.now();
      this.chunks.push(chunk);
      this.size += chunk.length;
      this.wakeAll();
    });
    socket.on('end', () => {
      this.endedAt ??= performance.now();
      this.wakeAll();
    });
    socket.on('error', (err) => {
      this.error = err;
      this.endedAt ??= performance.now();
      this.wakeAll();
    });
    socket.on('close', () => {
      this.endedAt ??= performance.now();
      this.wakeAll();
    });
  }

  static open(port: number, host = '127.0.0.1', timeoutMs = 5_000): Promise<TestConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new TestConnection(socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** Everything received so far, ack included. */
  get received(): Buffer {
    if (this.chunks.length > 1) this.chunks.splice(0, this.chunks.length, Buffer.concat(this.chunks));
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  get receivedLength(): number {
    return this.size;
  }

  get ended(): boolean {
    return this.endedAt !== undefined;
  }

  private wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Waits until `condition()` holds, re-checked whenever bytes or the end arrive. */
  waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (condition()) {
          clearTimeout(timer);
          resolve();
        } else {
          this.waiters.push(check);
        }
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (have ${this.size} bytes, ended=${this.ended})`));
      }, timeoutMs);
      check();
    });
  }

  /** Waits for `n` bytes in all (ack included); fails at once if the stream ends short of them. */
  async waitForBytes(n: number, timeoutMs: number): Promise<void> {
    await this.waitFor(() => this.size >= n || this.ended, timeoutMs, `${n} bytes`);
    if (this.size < n) throw new Error(`the stream ended after ${this.size} bytes, before ${n}`);
  }

  /** Waits for the server to close (or reset) the connection. */
  waitForEnd(timeoutMs: number): Promise<void> {
    return this.waitFor(() => this.ended, timeoutMs, 'the end of the stream');
  }

  /** Writes and resolves once Node has handed the bytes to the kernel. */
  write(bytes: Uint8Array | string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Half-closes: we send FIN but keep reading. */
  end(): void {
    this.socket.end();
  }

  close(): void {
    this.socket.destroy();
  }

  /** Closes with a TCP reset. */
  reset(): void {
    this.socket.resetAndDestroy();
  }
}

/**
 * Sends `chunks` one by one (each waits until the previous is written and `gapMs` passed, so
 * the server likely reads them separately), half-closes, and waits until the server closes.
 * Returns what came after the ack.
 */
export async function converse(
  port: number,
  chunks: readonly (Uint8Array | string)[],
  options: { gapMs?: number; timeoutMs?: number } = {},
): Promise<Buffer> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const conn = await TestConnection.open(port);
  try {
    await conn.waitForBytes(1, timeoutMs);
    for (const [i, chunk] of chunks.entries()) {
      if (i > 0 && options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
      await conn.write(chunk);
    }
    conn.end();
    await conn.waitForEnd(timeoutMs);
    if (conn.error) throw conn.error;
    const all = conn.received;
    if (all[0] !== 0x2a) throw new Error(`expected the '*' ack first, got ${all.subarray(0, 16).toString('latin1')}`);
    return all.subarray(1);
  } finally {
    conn.close();
  }
}

/** Milliseconds `fn` takes. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/**
 * The notes' experiment: one client alone, then `clients` at once, each with the notes' pauses.
 * Prints and returns both times and their ratio (the lesson: ~1 for concurrent stages, ~clients
 * for serial ones).
 */
export async function notesRatio(
  port: number,
  label: string,
  clients = 5,
): Promise<{ oneSeconds: number; manySeconds: number; ratio: number }> {
  const one = await runNotesClient({ port, connections: 1 });
  if (!one.ok) throw new Error(`one client failed: ${JSON.stringify(one.failures)}`);
  const many = await runNotesClient({ port, connections: clients });
  if (!many.ok) throw new Error(`${clients} clients failed: ${JSON.stringify(many.failures)}`);
  const ratio = many.elapsedSeconds / one.elapsedSeconds;
  console.log(`${label}: 1 client ${one.elapsedSeconds.toFixed(2)} s, ${clients} clients ${many.elapsedSeconds.toFixed(2)} s, ratio ${ratio.toFixed(2)}`);
  return { oneSeconds: one.elapsedSeconds, manySeconds: many.elapsedSeconds, ratio };
}

/**
 * For serial stages: while a first client is being served, a second one is connected (the
 * kernel finished its handshake) but gets nothing, not even '*', until the first leaves.
 * Returns how long after the first client's close the second got its '*'.
 */
export async function secondWaitsForFirst(port: number): Promise<number> {
  const first = await TestConnection.open(port);
  await first.waitForBytes(1, 5_000);
  const second = await TestConnection.open(port);
  try {
    // Keep the first one busy for a while: three round trips, 100 ms apart.
    for (let i = 0; i < 3; i++) {
      await first.write('^a$');
      await first.waitForBytes(2 + i, 5_000);
      await new Promise((r) => setTimeout(r, 100));
    }
    if (second.receivedLength !== 0) throw new Error('the second client was served while the first one was');
    const closedAt = performance.now();
    first.close();
    await second.waitForBytes(1, 5_000);
    if (second.received[0] !== 0x2a) throw new Error('the second client did not get the ack first');
    return second.firstByteAt! - closedAt;
  } finally {
    first.close();
    second.close();
  }
}

/**
 * Starts a built stage binary and owns its lifetime: waits for its `listening on <host>:<port>`
 * line, hands out its output, and stops it (SIGTERM, then SIGKILL) so that no process is left
 * behind. Used by the command line, the extension and the tests alike.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface StageProcessOptions {
  /** Path of the stage binary. */
  readonly binary: string;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** The stage's own flags, e.g. ['--poll-interval-ms', '10']. */
  readonly extraArgs?: readonly string[];
  /** Extra environment, e.g. { SERVER_MODELS_TRACE: '/tmp/x.trace' }. */
  readonly env?: Readonly<Record<string, string>>;
  /** How long to wait for the `listening on` line. */
  readonly startTimeoutMs?: number;
  /** Called with each complete line the stage prints (stdout and stderr). */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export class StageStartError extends Error {
  constructor(message: string, readonly output: string) {
    super(message);
    this.name = 'StageStartError';
  }
}

const LISTENING = /^listening on (\S+):(\d+)\s*$/;

export class StageProcess {
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly host: string,
    readonly port: number,
    private readonly output: string[],
  ) {
    this.exited =
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : once(child, 'exit').then(() => undefined);
    void this.exited.then(() => {
      this.exitInfo = { code: child.exitCode, signal: child.signalCode };
    });
  }

  /** Everything the stage printed so far, one entry per line. */
  get lines(): readonly string[] {
    return this.output;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exitInfo;
  }

  /** Resolves when the stage exits for any reason. */
  whenExited(): Promise<void> {
    return this.exited;
  }

  static async start(options: StageProcessOptions): Promise<StageProcess> {
    const host = options.host ?? '127.0.0.1';
    const args = ['--host', host, '--port', String(options.port ?? 0), ...(options.extraArgs ?? [])];
    // stdin is a pipe we never write to: if this process dies, even by SIGKILL, the stage reads
    // end of file there and stops (servers/common/stop.c), so it is never left orphaned.
    const child = spawn(options.binary, args, {
      env: { ...process.env, SERVER_MODELS_PARENT_PIPE: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    let listening: ((hp: { host: string; port: number }) => void) | undefined;
    const ready = new Promise<{ host: string; port: number }>((resolve) => (listening = resolve));

    const splitLines = (stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr') => {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        pending += chunk;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).replace(/\r$/, '');
          pending = pending.slice(nl + 1);
          output.push(line);
          options.onLine?.(line, name);
          const m = name === 'stdout' ? LISTENING.exec(line) : null;
          if (m) listening?.({ host: m[1], port: Number(m[2]) });
        }
      });
    };
    splitLines(child.stdout, 'stdout');
    splitLines(child.stderr, 'stderr');

    const spawnError = once(child, 'error').then(([err]) => {
      throw new StageStartError(`could not start ${options.binary}: ${(err as Error).message}`, '');
    });
    const earlyExit = once(child, 'exit').then(([code, signal]) => {
      throw new StageStartError(
        `${options.binary} exited before listening (${signal ?? `code ${String(code)}`})`,
        output.join('\n'),
      );
    });
    const timeoutMs = options.startTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StageStartError(`${options.binary} did not print "listening on" within ${timeoutMs} ms`, output.join('\n'))),
        timeoutMs,
      );
    });
    try {
      const where = await Promise.race([ready, spawnError, earlyExit, timeout]);
      return new StageProcess(child, where.host, where.port, output);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    } finally {
      clearTimeout(timer);
      spawnError.catch(() => undefined);
      earlyExit.catch(() => undefined);
    }
  }

  /**
   * Asks the stage to stop (SIGTERM; the contract says it exits within a second) and kills it if
   * it does not within `graceMs`. Resolves once the process is gone.
   */
  async stop(graceMs = 2000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.hasExited) {
      this.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.child.kill('SIGKILL');
          resolve();
        }, graceMs);
      });
      await Promise.race([this.exited, killed]);
      clearTimeout(timer);
      await this.exited;
    }
    return { code: this.child.exitCode, signal: this.child.signalCode };
  }
}

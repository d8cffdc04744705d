/**
 * Measurements shared by the lesson tests of stages 06-09 (Linux: they read /proc).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { StageProcess } from '../../src/core/stageProcess';
import { TestConnection, waitUntil } from './harness';

/**
 * A prime whose plain trial division takes about a second on this machine: measured 0.91-0.98 s
 * with the normal build on 06, 07, 08 (about 1.9 s with the sanitize build).
 */
export const SLOW_PRIME = 1_000_000_000_000_000_003n;

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU time (user + system, all threads) the process has used so far, in ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is field 3, utime 14 and stime 15 (proc(5)).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** How many OS threads the process has right now. */
export function threadCount(pid: number): number {
  return readdirSync(`/proc/${pid}/task`).length;
}

export interface SlowRequestTiming {
  /** From sending the work request to its reply. */
  readonly workMs: number;
  /** From sending a second client's frame (while the work computes) to its echo. */
  readonly echoWaitMs: number;
}

/**
 * One client asks whether SLOW_PRIME is prime. Once the server has spent 100 ms of CPU on it
 * (so it is surely computing), a second client sends a frame; how long its echo takes is the
 * lesson: the whole work if the computation blocks the loop, next to nothing if it does not.
 */
export async function echoWhileWorking(stage: StageProcess): Promise<SlowRequestTiming> {
  const pid = stage.pid!;
  const worker = await TestConnection.open(stage.port);
  const other = await TestConnection.open(stage.port);
  try {
    await worker.waitForBytes(1, 5_000);
    await other.waitForBytes(1, 5_000);
    const cpuBefore = cpuMs(pid);
    const workSentAt = performance.now();
    await worker.write(`!${SLOW_PRIME}$`);
    await waitUntil(() => cpuMs(pid) - cpuBefore >= 100, 10_000, 'the server to start computing');
    const echoSentAt = performance.now();
    await other.write('^ping$');
    await other.waitForBytes(5, 20_000);
    const echoWaitMs = performance.now() - echoSentAt;
    await worker.waitForBytes(7, 20_000);
    const workMs = performance.now() - workSentAt;
    assert.equal(other.received.toString('latin1'), '*qjoh');
    assert.equal(worker.received.toString('latin1'), '*prime\n');
    return { workMs, echoWaitMs };
  } finally {
    worker.close();
    other.close();
  }
}

/** Fails with a clear message when this process cannot hold `sockets` more fds. */
export function assertFdRoom(sockets: number): void {
  const limit = Number(execFileSync('/bin/sh', ['-c', 'ulimit -n']).toString().trim());
  assert.ok(
    limit >= sockets + 200,
    `this test holds ${sockets} client sockets in one process, but the open-file limit (ulimit -n) is ${limit}; raise it to at least ${sockets + 200}`,
  );
}

/**
 * Opens `count` connections, `batch` at a time (a burst of thousands would overflow the listen
 * backlog and wait for SYN retries), each waiting for its '*'.
 */
export async function openClients(port: number, count: number, batch = 500): Promise<TestConnection[]> {
  const all: TestConnection[] = [];
  try {
    for (let at = 0; at < count; at += batch) {
      const opened = await Promise.all(
        Array.from({ length: Math.min(batch, count - at) }, () => TestConnection.open(port, '127.0.0.1', 20_000)),
      );
      all.push(...opened);
      await Promise.all(opened.map((c) => c.waitForBytes(1, 20_000)));
    }
  } catch (err) {
    resetAll(all);
    throw err;
  }
  return all;
}

/** Every client sends one frame and must get exactly its echo after the '*'. */
export async function echoFromAll(clients: readonly TestConnection[]): Promise<void> {
  await Promise.all(clients.map((c) => c.write('^abc$')));
  await Promise.all(clients.map((c) => c.waitForBytes(4, 30_000)));
  const wrong = clients.filter((c) => c.received.toString('latin1') !== '*bcd');
  assert.equal(wrong.length, 0, `${wrong.length} clients got something else than "*bcd", e.g. ${JSON.stringify(wrong[0]?.received.toString('latin1'))}`);
}

/**
 * Closes with resets: no TIME_WAIT left behind to eat the ephemeral ports of later tests. A
 * connection the server already ended is just closed: resetAndDestroy() on it hangs Node 20's
 * event loop (measured: the process never exits).
 */
export function resetAll(clients: readonly TestConnection[]): void {
  for (const c of clients) {
    if (c.ended) c.close();
    else c.reset();
  }
}

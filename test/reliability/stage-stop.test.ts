/**
 * SIGTERM while a stage computes a work request. The contract (servers/README.md, "Stopping")
 * says a stage exits 0 within a second; trial division used to ignore the stop until it was done
 * (seconds), so the extension killed the stage and its last trace events were lost. Now it
 * reads the stop flag as it goes (servers/common/prime.c) and gives the request up, and every
 * stage stops as it does when idle: the connection is closed as "stopping", the trace ends on a
 * record boundary with the work given up and the connection closed in it.
 *
 * Every stage, normal and ASan+UBSan builds, built with make into their own folder
 * (STAGE_STOP_BUILD_DIR, default under the temp folder), not the servers layer's servers/build.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { before, describe, test } from 'node:test';
import { StageProcess } from '../../src/core/stageProcess';
import { STAGES, type StageId } from '../../src/core/stages';
import { CloseReason, Kind, WorkOutcome, type TraceRecord } from '../../src/core/trace/format';
import { RecordingScanner } from '../../src/core/trace/recordingScanner';
import { TraceSink } from '../../src/core/trace/sink';
import { cpuMs } from '../servers/06-09.lessons';
import { SANITIZER_REPORT, SERVERS_DIR, TestConnection, waitUntil } from '../servers/harness';

const BUILD_DIR = process.env.STAGE_STOP_BUILD_DIR ?? path.join(tmpdir(), 'server-models-stage-stop-build');

/** 2^63 - 25, the largest prime the protocol takes: about 4 s of trial division here, 8 s sanitized. */
const BIG_PRIME = 9_223_372_036_854_775_783n;

/** The contract's second, plus room for a loaded machine (the stages take a few ms). */
const EXIT_BUDGET_MS = 1_200;

// The servers layer's settings: a leak at exit fails the exit code, a UBSan report stops the stage.
const SANITIZER_ENV = {
  ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0:halt_on_error=1',
  UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
};

type Flavour = 'normal' | 'sanitize';

const STAGE_IDS: readonly StageId[] = STAGES.map((s) => s.id);

interface StopCase {
  readonly id: StageId;
  readonly args: readonly string[];
}

const CASES: readonly StopCase[] = [
  ...STAGE_IDS.map((id) => ({ id, args: [] })),
  // 07 computes on a pool thread by default; this is the loop itself computing.
  { id: '07-libuv', args: ['--work-on-loop'] },
];

function binaryOf(id: StageId, flavour: Flavour): string {
  return flavour === 'sanitize' ? path.join(BUILD_DIR, 'sanitize', id) : path.join(BUILD_DIR, id);
}

function make(targets: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'make',
      ['-C', SERVERS_DIR, `BUILD_DIR=${BUILD_DIR}`, '-j2', ...targets],
      { timeout: 600_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => (err ? reject(new Error(`make failed: ${err.message}\n${stdout}\n${stderr}`)) : resolve()),
    );
  });
}

/** The records of every stream of a recording, decoded as the sink's batches arrive. */
class LiveRecording {
  readonly records: TraceRecord[] = [];
  private readonly scanner = new RecordingScanner({ records: (_stream, records) => this.records.push(...records) });

  push(chunk: Uint8Array): void {
    this.scanner.push(chunk);
  }

  find(kind: number, fd?: number): TraceRecord | undefined {
    return this.records.find((r) => r.kind === kind && (fd === undefined || r.fd === fd));
  }
}

interface StopResult {
  readonly exitMs: number;
  readonly exit: { code: number | null; signal: NodeJS.Signals | null };
}

async function stopWhileComputing(stopCase: StopCase, flavour: Flavour): Promise<StopResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'stop-'));
  const recording = new LiveRecording();
  const sink = await TraceSink.listen({
    socketPath: path.join(dir, 't.sock'),
    recordingPath: path.join(dir, 'run.smrec'),
    batchMs: 5,
    onBatch: (batch) => recording.push(batch.bytes),
  });
  let stage: StageProcess | undefined;
  let conn: TestConnection | undefined;
  try {
    stage = await StageProcess.start({
      binary: binaryOf(stopCase.id, flavour),
      port: 0,
      extraArgs: stopCase.args,
      env: { SERVER_MODELS_TRACE: sink.socketPath, ...(flavour === 'sanitize' ? SANITIZER_ENV : {}) },
      startTimeoutMs: 10_000,
    });
    const pid = stage.pid!;
    conn = await TestConnection.open(stage.port);
    await conn.waitForBytes(1, 5_000);
    const localPort = conn.socket.localPort!;
    const cpuBefore = cpuMs(pid);
    await conn.write(`!${BIG_PRIME}$`);

    // Demonstrably computing: the trace shows the work started on our connection's fd, and the
    // process has burnt CPU since we asked.
    let fd = -1;
    await waitUntil(
      () => {
        fd = recording.records.find((r) => r.kind === Kind.CONN_ACCEPTED && r.value === localPort)?.fd ?? -1;
        const started = recording.records.some((r) => r.kind === Kind.WORK_STARTED && r.fd === fd && r.valueExact === BIG_PRIME);
        return started && cpuMs(pid) - cpuBefore >= 100;
      },
      10_000,
      'the trace to show the work started and the stage to burn 100 ms of CPU',
    );

    const exited = once(stage.child, 'exit');
    const signalledAt = performance.now();
    stage.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
    clearTimeout(timer);
    const exitMs = performance.now() - signalledAt;
    const exit = { code: stage.child.exitCode, signal: stage.child.signalCode };

    const report = stage.lines.findIndex((line) => SANITIZER_REPORT.test(line));
    assert.equal(report, -1, `sanitizer report:\n${stage.lines.slice(Math.max(0, report)).join('\n')}`);
    assert.deepEqual(exit, { code: 0, signal: null }, `exit after ${exitMs.toFixed(0)} ms; output:\n${stage.lines.join('\n')}`);
    assert.ok(exitMs <= EXIT_BUDGET_MS, `SIGTERM to exit took ${exitMs.toFixed(0)} ms`);
    assert.ok(stage.lines.some((line) => /^stopped\b/.test(line)), `no "stopped" line:\n${stage.lines.join('\n')}`);

    // No answer was made up for the request it gave up: the client got its '*' and the close.
    await conn.waitForEnd(2_000);
    assert.equal(conn.received.toString('latin1'), '*');

    // The trace ends as after any stop: whole records, the work given up, the connection closed.
    const summary = await sink.close();
    assert.deepEqual(summary.errors, [], 'the trace stream ends on a record boundary');
    const started = recording.records.find((r) => r.kind === Kind.WORK_STARTED && r.fd === fd)!;
    const done = recording.records.find((r) => r.kind === Kind.WORK_DONE && r.fd === fd && r.lane === started.lane);
    assert.equal(done?.value, WorkOutcome.stopped, 'WORK_DONE says the work was given up');
    assert.ok(done.timeNs >= started.timeNs);
    assert.equal(recording.find(Kind.CONN_CLOSED, fd)?.value, CloseReason.stopping, 'CONN_CLOSED says "stopping"');
    return { exitMs, exit };
  } finally {
    conn?.close();
    if (stage && !stage.hasExited) stage.child.kill('SIGKILL');
    await stage?.whenExited();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const FLAVOURS: readonly Flavour[] = ['normal', 'sanitize'];

describe('stopping a stage in the middle of a work request', { timeout: 600_000 }, () => {
  before(() => make([...STAGE_IDS, ...STAGE_IDS.map((id) => `sanitize-${id}`)]), { timeout: 600_000 });

  for (const flavour of FLAVOURS) {
    describe(`${flavour} builds`, () => {
      for (const stopCase of CASES) {
        const label = [stopCase.id, ...stopCase.args].join(' ');
        test(`${label}: SIGTERM mid-request exits 0 within ${EXIT_BUDGET_MS} ms, the trace ends cleanly`, { timeout: 60_000 }, async () => {
          const { exitMs } = await stopWhileComputing(stopCase, flavour);
          console.log(`${flavour} ${label}: SIGTERM to exit ${exitMs.toFixed(0)} ms`);
        });
      }
    });
  }
});

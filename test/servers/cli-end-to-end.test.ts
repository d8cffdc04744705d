/**
 * The `server-models` command line as a user runs it: bundled by esbuild (as `node esbuild.mjs`
 * does for dist/cli.js) and started with node, against real stages built into a folder of this
 * test's own. Every process has a deadline and is killed if it overstays.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BenchRow } from '../../src/core/bench/result';
import { bundleCli, runCli, type CliRun } from '../cli.support';
import { NOTES_EXPECTED_REPLY } from '../../src/core/protocol';
import { StageProcess } from '../../src/core/stageProcess';
import { loadRecording } from '../../src/core/trace/recordingFile';

const ROOT = path.resolve(__dirname, '../..');
// Inside the package (out/ is ignored), so the bundle finds servers/ by walking up, as dist/cli.js does.
const CLI = path.join(ROOT, 'out', 'test', 'cli', 'cli.js');
let work = '';
let buildDir = '';


function cli(args: readonly string[], timeoutMs: number, onStdout?: (soFar: string) => void): Promise<CliRun> {
  return runCli(CLI, args, { timeoutMs, onStdout });
}

const withBuildDir = (...args: string[]) => [...args, '--build-dir', buildDir];

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'server-models-cli-'));
  buildDir = path.join(work, 'build');
  await bundleCli(CLI);
  const built = await cli(withBuildDir('build', '01-sequential', '03-blocking-io', '06-epoll'), 300_000);
  assert.equal(built.code, 0, built.stderr);
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const NOTES_LINE = /^INFO:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}:conn(\d+) (connected\.\.\.|sending b'(.*)'|received b'(.*)'|disconnecting)$/;

function clientLog(stdout: string): { conn: number; what: string; bytes?: string }[] {
  return stdout
    .split('\n')
    .map((line) => NOTES_LINE.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ conn: Number(m[1]), what: m[2].split(' ')[0], ...(m[3] ?? m[4] ? { bytes: m[3] ?? m[4] } : {}) }));
}

function elapsed(stdout: string): number {
  const m = /^Elapsed: (\d+\.\d+)$/m.exec(stdout);
  assert.ok(m, `no Elapsed line in:\n${stdout}`);
  return Number(m[1]);
}

describe('server-models run', { timeout: 120_000 }, () => {
  test("01-sequential -n 3: the notes' log, the right bytes, and about 3x one client's time", async () => {
    const one = await cli(withBuildDir('run', '01-sequential', '--notes-client', '-n', '1'), 30_000);
    const three = await cli(withBuildDir('run', '01-sequential', '--notes-client', '-n', '3'), 60_000);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(three.code, 0, three.stderr);
    assert.match(three.stdout, /^\[01-sequential\] listening on 127\.0\.0\.1:\d+$/m, "the server's lines are shown");
    const log = clientLog(three.stdout);
    for (let conn = 0; conn < 3; conn++) {
      const mine = log.filter((l) => l.conn === conn);
      assert.deepEqual(
        mine.filter((l) => l.what !== 'received').map((l) => (l.bytes ? `${l.what} ${l.bytes}` : l.what)),
        ['connected...', 'sending ^abc$de^abte$f', 'sending xyz^123', 'sending 25$^ab0000$abab', 'disconnecting'],
      );
      assert.equal(mine.filter((l) => l.what === 'received').map((l) => l.bytes).join(''), NOTES_EXPECTED_REPLY);
    }
    // Served one after the other: each connection's lines end before the next one's start.
    const order = log.map((l) => l.conn).filter((c, i, all) => i === 0 || all[i - 1] !== c);
    assert.equal(order.length, 3, `interleaved: ${order.join(',')}`);
    const ratio = elapsed(three.stdout) / elapsed(one.stdout);
    assert.ok(ratio >= 2.5, `3 clients took ${ratio.toFixed(2)}x one client's time`);
    assert.ok(elapsed(one.stdout) >= 2.1, 'one conversation takes its 2.2 s of pauses');
  });

  test("by default, the stage's lesson scenario: 03-blocking-io starves conn1 until conn0 leaves", async () => {
    const r = await cli(withBuildDir('run', '03-blocking-io'), 30_000);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^lesson scenario of 03-blocking-io: .+$/m, 'what to watch for, first');
    assert.match(r.stdout, /^INFO:[^:]+:[^:]+:[^:]+:conn1 connects and sends while the thread is asleep in recv for conn0$/m, "the scenario's own line, in the notes' style");
    const log = clientLog(r.stdout);
    const at = (conn: number, what: string) => log.findIndex((l) => l.conn === conn && l.what === what);
    assert.ok(at(1, 'sending') >= 0 && at(1, 'sending') < at(0, 'disconnecting'), 'conn1 sent while conn0 was served');
    assert.ok(at(1, 'connected...') > at(0, 'disconnecting'), "conn1's '*' only after conn0 left");
    assert.match(r.stdout, /^Elapsed: \d+\.\d+$/m);
  });

  test('--trace records the server and the client on one time axis, and trace export writes Chrome JSON', async () => {
    const recording = path.join(work, 'run.smrec');
    const chrome = path.join(work, 'run.json');
    const run = await cli(withBuildDir('run', '06-epoll', '--notes-client', '-n', '2', '--trace', recording), 30_000);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /recording written to .*run\.smrec: 2 streams, \d+ events/);
    const { model, problems } = await loadRecording(recording);
    assert.deepEqual(problems, []);
    const sources = [...model.processes.values()].map((p) => p.source).sort();
    assert.deepEqual(sources, ['client', 'server']);
    assert.ok(model.eventCount > 20, `${model.eventCount} events`);
    const exported = await cli(['trace', 'export', recording, '--chrome', chrome], 30_000);
    assert.equal(exported.code, 0, exported.stderr);
    const json = JSON.parse(await readFile(chrome, 'utf8')) as { traceEvents: { ph: string; name: string; args?: { name?: string } }[] };
    const threadNames = json.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args?.name);
    assert.ok(['conn0', 'conn1'].every((c) => threadNames.some((n) => n?.startsWith(c))), `lanes: ${threadNames.join(', ')}`);
    assert.ok(json.traceEvents.some((e) => e.ph === 'X'), 'slices');
  });
});

describe('server-models bench', { timeout: 180_000 }, () => {
  test('06-epoll, 100 connections, 2 s, JSON: no errors, every expected byte verified', async () => {
    const r = await cli(withBuildDir('bench', '06-epoll', '--connections', '100', '--duration', '2', '--json'), 60_000);
    assert.equal(r.code, 0, r.stderr);
    const row = JSON.parse(r.stdout) as BenchRow;
    assert.deepEqual(Object.keys(row).slice(0, 11), ['stage', 'connections', 'duration_s', 'mode', 'rate', 'payload_bytes', 'work_every', 'sent', 'received', 'throughput_msgs_per_s', 'latency_us']);
    assert.deepEqual(Object.keys(row.latency_us), ['p50', 'p90', 'p99', 'p999', 'max']);
    assert.equal(row.stage, '06-epoll');
    assert.equal(row.mode, 'open');
    assert.deepEqual(Object.values(row.errors), [0, 0, 0, 0, 0, 0, 0]);
    assert.ok(row.sent > 10_000, `sent ${row.sent}`);
    assert.equal(row.received, row.sent);
    assert.equal(row.expected_bytes, row.sent * 14);
    assert.equal(row.verified_bytes, row.expected_bytes);
  });

  test('a sweep prints {"rows": [...]}, one per connection count; closed loop has no rate; worker threads work', async () => {
    const r = await cli(withBuildDir('bench', '06-epoll', '--connections', '1,10', '--duration', '0.5', '--closed', '--threads', '2', '--json'), 60_000);
    assert.equal(r.code, 0, r.stderr);
    const { rows } = JSON.parse(r.stdout) as { rows: BenchRow[] };
    assert.deepEqual(rows.map((x) => [x.connections, x.mode, x.rate]), [[1, 'closed', null], [10, 'closed', null]]);
    for (const row of rows) assert.equal(row.verified_bytes, row.expected_bytes);
  });

  test('10,000 concurrent connections against 06-epoll, all verified', async () => {
    const r = await cli(withBuildDir('bench', '06-epoll', '--connections', '10000', '--duration', '2', '--closed', '--json'), 120_000);
    assert.equal(r.code, 0, r.stderr);
    const row = JSON.parse(r.stdout) as BenchRow;
    assert.deepEqual(Object.values(row.errors), [0, 0, 0, 0, 0, 0, 0], row.first_error ?? '');
    assert.ok(row.received >= 10_000, `received ${row.received}`);
    assert.equal(row.verified_bytes, row.expected_bytes);
  });

  test('the table names the columns and the stage', async () => {
    const r = await cli(withBuildDir('bench', '01', '--connections', '1', '--duration', '0.5', '--rate', '200'), 60_000);
    assert.equal(r.code, 0, r.stderr);
    const [header, rule, row] = r.stdout.trimEnd().split('\n');
    assert.match(header, /^stage\s+conns\s+mode\s+msg\/s\s+p50\s+p90\s+p99\s+p99\.9\s+max\s+sent\s+received\s+verified\s+errors$/);
    assert.match(rule, /^-+( +-+)+$/);
    assert.match(row, /^01-sequential\s+1\s+open 200\/s\s+\d+\s+[\d.]+ µs/);
  });
});

describe('a server killed mid-run', { timeout: 60_000 }, () => {
  async function victim(): Promise<StageProcess> {
    const binary = path.join(buildDir, '06-epoll');
    assert.ok(existsSync(binary));
    return StageProcess.start({ binary, port: 0 });
  }

  test('bench: a clear error and a non-zero exit, not a hang', async () => {
    const stage = await victim();
    try {
      const timer = setTimeout(() => stage.child.kill('SIGKILL'), 1500);
      const r = await cli(['bench', `127.0.0.1:${stage.port}`, '--connections', '50', '--duration', '20', '--closed'], 15_000);
      clearTimeout(timer);
      assert.equal(r.code, 1);
      assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
      assert.match(r.stdout, /first error: conn\d+: (the server closed the connection|connection reset by the server|connection refused)/);
    } finally {
      await stage.stop();
    }
  });

  test('client: names the connection and the byte offset, exits 1 at once', async () => {
    const stage = await victim();
    try {
      // Killed once both connections are past their second send and its reply (10 of 18 bytes).
      let killAt: NodeJS.Timeout | undefined;
      const r = await cli(['client', '--port', String(stage.port), '-n', '2'], 15_000, (out) => {
        if (!killAt && /conn0 sending b'xyz\^123'/.test(out) && /conn1 sending b'xyz\^123'/.test(out)) killAt = setTimeout(() => stage.child.kill('SIGKILL'), 300);
      });
      assert.equal(r.code, 1);
      assert.ok(r.ms < 5_000, `took ${r.ms} ms`);
      assert.match(r.stderr, /^ERROR:.*:conn[01]: (the server closed the connection|connection reset by the server) after 10 of 18 reply bytes; first missing byte at offset 10/m);
      assert.match(r.stdout, /^Elapsed: /m);
    } finally {
      await stage.stop();
    }
  });
});

/**
 * servers/common/trace.h and src/core/trace/format.ts describe one format. This test compiles a
 * small C probe against the real trace code, lets it write every kind to a file and to a Unix
 * socket, and decodes the result with the TypeScript decoder; it also compares the kind tables
 * and checks the drop accounting against a sink that does not read.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  decodeTrace, encodeHeader, encodeName, encodeRecords, Kind, kindName, RECORD_SIZE, TRACE_KINDS, TraceDecoder,
  traceClockName, TraceSource, WorkOutcome, type TraceKindName, type TraceRecord,
} from '../../src/core/trace/format';

const SERVERS = path.resolve(__dirname, '../../servers');
const TRACE_H = readFileSync(path.join(SERVERS, 'common/trace.h'), 'utf8');

const PROBE_C = `
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/trace.h"

static void *second_thread(void *arg) {
    (void)arg;
    TRACE_NAME_THREAD("second %d", 2);
    TRACE(THREAD_STARTED, -1, 2);
    TRACE(THREAD_EXITED, -1, 1);
    return NULL;
}

/* Name kinds carry a payload; every other kind is emitted as a plain record. */
#define EMIT_ONE(name, number, meaning) if (number > 3) TRACE_AT_(number, number * 3, (int64_t)number * 1000003 - 7, false);

int main(int argc, char **argv) {
    trace_open("trace-probe");
    if (argc > 1 && strcmp(argv[1], "kinds") == 0) {
        TRACE_KINDS(EMIT_ONE) /* EVERY-KIND-LINE */
        TRACE(WORK_STARTED, 5, INT64_MAX);
        TRACE(WORK_DONE, 5, INT64_MIN);
        TRACE(RECV_END, 5, -104);
        pthread_t t;
        pthread_create(&t, NULL, second_thread, NULL);
        pthread_join(t, NULL);
    } else if (argc > 2 && strcmp(argv[1], "flood") == 0) {
        long n = atol(argv[2]);
        for (long i = 0; i < n; i++) TRACE(COUNT_CONNECTIONS, -1, i);
        printf("emitted\\n");
        fflush(stdout);
        char line[8];
        if (!fgets(line, sizeof line, stdin)) return 1;
        /* The sink reads again: 50 more events over half a second, the last ones must arrive. */
        for (long i = 0; i < 50; i++) {
            TRACE_WAIT(COUNT_CONNECTIONS, -1, n + i);
            poll(NULL, 0, 10);
        }
    }
    trace_close();
    return 0;
}
`;

const EVERY_KIND_LINE = PROBE_C.split('\n').findIndex((l) => l.includes('EVERY-KIND-LINE')) + 1;

/** X(NAME, number, "meaning") entries of TRACE_KINDS in trace.h, in order. */
function kindsInHeader(): [string, number, string][] {
  const table = TRACE_H.slice(TRACE_H.indexOf('#define TRACE_KINDS(X)'), TRACE_H.indexOf('enum trace_kind'));
  return [...table.matchAll(/X\((\w+), (\d+), "((?:[^"\\]|\\.)*)"\)/g)].map((m) => [m[1], Number(m[2]), m[3]]);
}

function run(file: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env: { ...process.env, ...env }, timeout: 20_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${file} failed: ${err.message}\n${stderr}`)) : resolve(stdout));
  });
}

describe('trace format: C header and TypeScript mirror agree', { timeout: 120_000 }, () => {
  let dir: string;
  let probe: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'trace-format-'));
    writeFileSync(path.join(dir, 'probe.c'), PROBE_C);
    probe = path.join(dir, 'probe');
    const common = readdirSync(path.join(SERVERS, 'common')).filter((f) => f.endsWith('.c')).map((f) => path.join('common', f));
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.env.CC ?? 'cc',
        ['-std=gnu11', '-O1', '-pthread', '-Wall', '-Werror', '-D_GNU_SOURCE', '-I.', path.join(dir, 'probe.c'), ...common, '-o', probe],
        { cwd: SERVERS, timeout: 120_000 },
        (err, _out, stderr) => (err ? reject(new Error(`compiling the probe failed:\n${stderr}`)) : resolve()),
      );
    });
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the kind tables match: names, numbers, meanings, order', () => {
    const header = kindsInHeader();
    assert.ok(header.length >= 40, `parsed ${header.length} kinds from trace.h`);
    const mirror = (Object.keys(TRACE_KINDS) as TraceKindName[]).map((n) => [n, TRACE_KINDS[n][0], TRACE_KINDS[n][1]]);
    assert.deepEqual(mirror, header);
    assert.equal(new Set(header.map((k) => k[1])).size, header.length, 'numbers are unique');
  });

  test('the sizes and constants in the header match', () => {
    const define = (name: string) => Number(new RegExp(`#define ${name} (\\d+)`).exec(TRACE_H)?.[1]);
    assert.equal(define('TRACE_HEADER_SIZE'), 64);
    assert.equal(define('TRACE_RECORD_SIZE'), RECORD_SIZE);
    assert.equal(define('TRACE_SOURCE_CLIENT'), TraceSource.client);
    assert.equal(define('TRACE_CLOSE_REFUSED'), 2);
    assert.equal(define('TRACE_WORK_PRIME'), WorkOutcome.prime);
    assert.equal(define('TRACE_WORK_COMPOSITE'), WorkOutcome.composite);
    assert.match(TRACE_H, new RegExp(`#define TRACE_WORK_STOPPED \\(${WorkOutcome.stopped}\\)`));
    assert.match(TRACE_H, /#define TRACE_MAGIC "SMTRACE"/);
    assert.match(TRACE_H, /#define TRACE_ENV "SERVER_MODELS_TRACE"/);
  });

  function checkEveryKind(records: TraceRecord[], names: ReturnType<typeof decodeTrace>['names']): void {
    assert.equal(names.process, 'trace-probe');
    assert.equal(names.lanes.get(1), 'main');
    assert.equal(names.lanes.get(2), 'second 2');
    const probeFile = [...names.files].find(([, f]) => f.endsWith('probe.c'));
    assert.ok(probeFile, `file names: ${[...names.files.values()].join(', ')}`);

    // Lanes flush separately, so records of different lanes need not arrive in time order.
    const main = records.filter((r) => r.lane === 1);
    const plain = kindsInHeader().filter(([, n]) => n > 3);
    const first = main.slice(0, plain.length);
    assert.deepEqual(first.map((r) => kindName(r.kind)), plain.map(([name]) => name));
    for (const r of first) {
      assert.equal(r.fd, r.kind * 3);
      assert.equal(r.value, r.kind * 1000003 - 7);
      assert.equal(r.lane, 1);
      assert.equal(r.line, EVERY_KIND_LINE);
      assert.equal(r.fileId, probeFile[0]);
    }
    const [max, min, err] = main.slice(plain.length, plain.length + 3);
    assert.equal(max.valueExact, (1n << 63n) - 1n);
    assert.equal(min.valueExact, -(1n << 63n));
    assert.equal(err.value, -104);
    assert.equal(err.valueExact, undefined);
    const second = records.filter((r) => r.lane === 2).map((r) => kindName(r.kind));
    assert.deepEqual(second, ['THREAD_STARTED', 'THREAD_EXITED']);
    for (let i = 1; i < first.length; i++) assert.ok(first[i].timeNs >= first[i - 1].timeNs, 'time never goes back within a lane');
  }

  test('every kind written by C to a file decodes in TypeScript, on the clock process.hrtime reads', async () => {
    const file = path.join(dir, 'kinds.trace');
    const before = process.hrtime.bigint();
    await run(probe, ['kinds'], { SERVER_MODELS_TRACE: file });
    const after = process.hrtime.bigint();
    const trace = decodeTrace(readFileSync(file));
    assert.equal(trace.truncatedBytes, 0);
    assert.equal(trace.header.clock, traceClockName(process.platform));
    assert.equal(trace.header.source, TraceSource.server);
    assert.ok(trace.header.startNs > before && trace.header.startNs < after, 'header time lies between two process.hrtime readings');
    assert.ok(trace.records.every((r) => r.timeNs >= Number(before) && r.timeNs <= Number(after)));
    const wallMs = Number(trace.header.startUnixNs / 1_000_000n);
    assert.ok(Math.abs(wallMs - Date.now()) < 60_000);
    checkEveryKind(trace.records, trace.names);
  });

  test('the same through a Unix socket, decoded chunk by chunk as it arrives', async () => {
    const sockPath = path.join(dir, 'sink.sock');
    const decoder = new TraceDecoder();
    const records: TraceRecord[] = [];
    let closed!: () => void;
    const done = new Promise<void>((r) => (closed = r));
    const server = createServer((s: Socket) => {
      s.on('data', (chunk: Buffer) => records.push(...decoder.push(chunk)));
      s.on('close', closed);
    });
    await new Promise<void>((r) => server.listen(sockPath, r));
    try {
      await run(probe, ['kinds'], { SERVER_MODELS_TRACE: sockPath });
      await done;
      assert.equal(decoder.pendingBytes, 0);
      checkEveryKind(records, decoder.names);
    } finally {
      server.close();
    }
  });

  test('a sink that does not read never blocks the writer; every dropped event is counted', async () => {
    const sockPath = path.join(dir, 'slow.sock');
    const n = 200_000;
    const decoder = new TraceDecoder();
    const records: TraceRecord[] = [];
    let sink: Socket | undefined;
    let closed!: () => void;
    const done = new Promise<void>((r) => (closed = r));
    const server = createServer({ pauseOnConnect: true }, (s: Socket) => {
      sink = s;
      s.on('data', (chunk: Buffer) => records.push(...decoder.push(chunk)));
      s.on('close', closed);
    });
    await new Promise<void>((r) => server.listen(sockPath, r));
    try {
      const child = spawn(probe, ['flood', String(n)], { env: { ...process.env, SERVER_MODELS_TRACE: sockPath } });
      const exited = new Promise<number | null>((r) => child.on('exit', r));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('emitted')) resolve();
        });
        child.on('exit', () => reject(new Error('the probe exited before it was done emitting')));
      });
      // The writer finished 200,000 events while nobody read: it did not block.
      sink!.resume();
      child.stdin.end('go\n');
      assert.equal(await exited, 0);
      clearTimeout(timer);
      await done;
      const events = records.filter((r) => r.kind === Kind.COUNT_CONNECTIONS);
      const dropped = records.filter((r) => r.kind === Kind.DROPPED).reduce((sum, r) => sum + r.value, 0);
      assert.ok(dropped > 0, 'a sink that does not read makes the writer drop');
      assert.equal(events.length + dropped, n + 50, `${events.length} received + ${dropped} dropped`);
      assert.equal(events.at(-1)!.value, n + 49, 'once the sink reads again, events flow again');
      for (let i = 1; i < events.length; i++) assert.ok(events[i].value > events[i - 1].value, 'no event twice, none out of order');
    } finally {
      server.close();
    }
  });
});

describe('trace format: TypeScript encoder and decoder', () => {
  const header = { source: TraceSource.client, pid: 4242, startNs: 123_456_789_000n, startUnixNs: 1_700_000_000_000_000_000n, clock: 'CLOCK_MONOTONIC' };
  const bytes = Buffer.concat([
    encodeHeader(header),
    encodeName(Kind.NAME_PROCESS, 0, 'client', 1n),
    encodeName(Kind.NAME_LANE, 3, 'conn2: a name longer than thirty-two bytes, in UTF-8 ✓', 2n),
    encodeName(Kind.NAME_FILE, 7, 'x.c', 2n),
    encodeRecords([
      { timeNs: 123_456_789_001n, lane: 3, kind: Kind.CLIENT_CONNECTED, value: 50412 },
      { timeNs: 123_456_789_002n, lane: 3, kind: Kind.CLIENT_SEND, fd: 9, line: 12, fileId: 7, value: 14 },
      { timeNs: 123_456_789_003n, lane: 3, kind: Kind.WORK_SUBMITTED, value: (1n << 62n) + 1n },
      { timeNs: 123_456_789_004n, lane: 3, kind: Kind.CLIENT_CLOSE, value: -1 },
    ]),
  ]);

  test('round trip', () => {
    const t = decodeTrace(bytes);
    assert.deepEqual({ ...t.header }, { version: 1, headerSize: 64, recordSize: 32, ...header });
    assert.equal(t.names.process, 'client');
    assert.equal(t.names.lanes.get(3), 'conn2: a name longer than thirty-two bytes, in UTF-8 ✓');
    assert.equal(t.names.files.get(7), 'x.c');
    assert.deepEqual(t.records.map((r) => kindName(r.kind)), ['CLIENT_CONNECTED', 'CLIENT_SEND', 'WORK_SUBMITTED', 'CLIENT_CLOSE']);
    assert.deepEqual(t.records[1], { timeNs: 123_456_789_002, lane: 3, kind: Kind.CLIENT_SEND, fileId: 7, fd: 9, line: 12, value: 14 });
    assert.equal(t.records[0].fd, -1, 'fd defaults to -1');
    assert.equal(t.records[2].valueExact, (1n << 62n) + 1n);
    assert.equal(t.records[3].value, -1);
  });

  test('a truncated tail is reported, not misread', () => {
    for (const cut of [1, 5, 31, 32, 33]) {
      const t = decodeTrace(bytes.subarray(0, bytes.length - cut));
      assert.equal(t.records.length, 4 - Math.ceil(cut / RECORD_SIZE));
      assert.equal(t.truncatedBytes, (RECORD_SIZE - (cut % RECORD_SIZE)) % RECORD_SIZE);
    }
    // Cut inside a name group: the name and what follows wait for more bytes.
    const t = decodeTrace(bytes.subarray(0, 64 + 64 + 40));
    assert.equal(t.names.lanes.size, 0);
    assert.equal(t.truncatedBytes, 40);
  });

  test('any chunking decodes to the same records', () => {
    const whole = decodeTrace(bytes).records;
    for (const size of [1, 3, 31, 32, 33, 100]) {
      const decoder = new TraceDecoder();
      const got: TraceRecord[] = [];
      for (let at = 0; at < bytes.length; at += size) got.push(...decoder.push(bytes.subarray(at, at + size)));
      assert.deepEqual(got, whole, `chunks of ${size}`);
      assert.equal(decoder.names.lanes.get(3)?.endsWith('✓'), true);
    }
  });

  test('not a trace: a clear error', () => {
    assert.throws(() => decodeTrace(Buffer.alloc(64)), /not a Server Models trace/);
    assert.throws(() => decodeTrace(Buffer.alloc(10)), /header needs 64 bytes/);
  });
});

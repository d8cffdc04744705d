/**
 * The conformance and bad-peer suite every stage must pass, byte for byte against the protocol
 * oracle (src/core/protocol.ts). A stage's test file calls defineConformanceSuite(id); the
 * sanitize test calls it again with the sanitizer builds.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runNotesClient } from '../../src/core/client/notesClient';
import { NOTES_CONVERSATION, NOTES_EXPECTED_REPLY, ProtocolOracle } from '../../src/core/protocol';
import type { StageProcess } from '../../src/core/stageProcess';
import { findStage, type StageId } from '../../src/core/stages';
import { decodeTrace, Kind } from '../../src/core/trace/format';
import { converse, SERVERS_DIR, sanitizerReport, startStage, TestConnection, timed, waitUntil, type Flavour } from './harness';

export interface ConformanceOptions {
  readonly flavour?: Flavour;
  /** The stage's own flags, e.g. a short poll interval so the suite stays fast. */
  readonly extraArgs?: readonly string[];
}

// ---- payloads ----

/** A small deterministic PRNG (mulberry32), so a failure can be replayed from its seed. */
export function randomSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Protocol-shaped random bytes: frames with any content but '$', garbage outside frames (no
 * '!' there, so no accidental work request can pick a huge number), small work requests and
 * malformed ones.
 */
export function randomPayload(size: number, seed: number): Buffer {
  const rand = randomSource(seed);
  const out = Buffer.alloc(size);
  let at = 0;
  const put = (byte: number) => {
    if (at < size) out[at++] = byte;
  };
  while (at < size) {
    const pick = rand();
    if (pick < 0.55) {
      put(0x5e);
      const n = Math.floor(rand() * 300);
      for (let i = 0; i < n; i++) {
        const b = Math.floor(rand() * 256);
        put(b === 0x24 ? 0x25 : b);
      }
      if (rand() < 0.95) put(0x24);
    } else if (pick < 0.85) {
      const n = Math.floor(rand() * 40);
      for (let i = 0; i < n; i++) {
        const b = Math.floor(rand() * 256);
        put(b === 0x21 || b === 0x5e ? 0x20 : b);
      }
    } else if (pick < 0.95) {
      for (const c of Buffer.from(`!${Math.floor(rand() * 100_000)}$`)) put(c);
    } else {
      // Malformed: the breaking byte is read again outside a frame.
      for (const c of Buffer.from(`!${Math.floor(rand() * 1000)}${rand() < 0.5 ? '^z$' : 'x'}`)) put(c);
    }
  }
  return out;
}

/** Splits `bytes` into chunks of random sizes (1 byte .. 64 KiB). */
export function randomChunks(bytes: Buffer, seed: number): Buffer[] {
  const rand = randomSource(seed);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const n = Math.min(bytes.length - at, 1 + Math.floor(rand() ** 3 * 65536));
    chunks.push(bytes.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

export function expected(input: Uint8Array | string): Buffer {
  return new ProtocolOracle().feed(typeof input === 'string' ? Buffer.from(input, 'latin1') : input);
}

/** Like assert.deepEqual for big buffers, but names the first differing offset instead of dumping megabytes. */
export function assertSameBytes(actual: Buffer, wanted: Buffer, label: string): void {
  if (actual.equals(wanted)) return;
  let i = 0;
  while (i < actual.length && i < wanted.length && actual[i] === wanted[i]) i++;
  const show = (b: Buffer) => JSON.stringify(b.subarray(Math.max(0, i - 8), i + 16).toString('latin1'));
  assert.fail(`${label}: ${actual.length} bytes, expected ${wanted.length}; first difference at ${i}: got ${show(actual)}, want ${show(wanted)}`);
}

const NOTES_PAYLOAD = NOTES_CONVERSATION.map((s) => s.send).join('') + '!97$!91$';

// ---- the suite ----

export function defineConformanceSuite(id: StageId, options: ConformanceOptions = {}): void {
  const info = findStage(id);
  assert.ok(info, `unknown stage ${id}`);
  /** Serial stages (01, 03) serve one client at a time: a waiting client gets nothing meanwhile. */
  const serial = info.concurrency === 'serial';
  const flavour = options.flavour ?? 'normal';
  const start = () => startStage(id, { flavour, extraArgs: options.extraArgs ?? [] });

  describe(`${id}${flavour === 'sanitize' ? ' (sanitize)' : ''}: conformance and bad peers`, { timeout: 120_000 }, () => {
    let stage: StageProcess;
    const port = () => stage.port;
    /** Serial stages take more time per client: deadlines scale with how many may be queued. */
    const quick = async (label: string) => {
      const reply = await converse(port(), ['^abc$!7$^', 'x$'], { gapMs: 2 });
      assert.equal(reply.toString('latin1'), 'bcdprime\ny', `${label}: the stage answers correctly`);
    };

    before(async () => {
      stage = await start();
    });

    after(async () => {
      const report = sanitizerReport(stage);
      const exit = await stage.stop();
      assert.equal(report, undefined, `sanitizer report:\n${report}`);
      assert.deepEqual(exit, { code: 0, signal: null }, 'the stage stops cleanly after the suite');
    });

    test("the notes' exchange, with the notes' pauses", { timeout: 30_000 }, async () => {
      const connections = serial ? 1 : 3;
      const replies = new Map<number, Buffer[]>();
      const result = await runNotesClient({
        port: port(),
        connections,
        onEvent: (e) => {
          if (e.kind === 'receive' && e.bytes) replies.set(e.conn, [...(replies.get(e.conn) ?? []), e.bytes]);
        },
      });
      assert.deepEqual(result.failures, []);
      for (let c = 0; c < connections; c++) {
        assert.equal(Buffer.concat(replies.get(c) ?? []).toString('latin1'), NOTES_EXPECTED_REPLY, `conn${c}`);
      }
      // The pauses are 1 s + 1 s + 0.2 s; all clients at once means about that long in all.
      assert.ok(result.elapsedSeconds >= 2.1 && result.elapsedSeconds < 6, `elapsed ${result.elapsedSeconds} s`);
    });

    test('the same payload split at every byte boundary', { timeout: 60_000 }, async () => {
      const payload = Buffer.from(NOTES_PAYLOAD, 'latin1');
      const want = expected(payload);
      const replies = await Promise.all(
        Array.from({ length: payload.length - 1 }, (_, i) =>
          converse(port(), [payload.subarray(0, i + 1), payload.subarray(i + 1)], { gapMs: 3, timeoutMs: 50_000 }),
        ),
      );
      replies.forEach((reply, i) => assertSameBytes(reply, want, `split after byte ${i + 1}`));
    });

    test('random payloads up to 1 MiB, in random chunks, match the oracle', { timeout: 60_000 }, async () => {
      for (const [size, seed] of [[1, 1], [63, 2], [4096, 3], [65_537, 4], [300_000, 5], [1 << 20, 6]] as const) {
        const payload = randomPayload(size, seed);
        const oracle = new ProtocolOracle();
        const want = oracle.feed(payload);
        assert.ok(oracle.workRequests.every((n) => n < 1_000_000n), 'payloads carry only cheap work');
        const reply = await converse(port(), randomChunks(payload, seed * 7), { timeoutMs: 30_000 });
        assertSameBytes(reply, want, `payload of ${size} bytes (seed ${seed})`);
      }
    });

    test('work requests: prime, composite, limits and malformed ones', { timeout: 30_000 }, async () => {
      const input = '!2$!1$!0$!97$!91$!1000000007$!1000000008$!2147483647$!9223372036854775807$' +
        '!9223372036854775808$!12345678901234567890$!$!12^ab$!7x!3$';
      const reply = await converse(port(), [input], { timeoutMs: 20_000 });
      assert.equal(reply.toString('latin1'), expected(input).toString('latin1'));
      assert.equal(
        reply.toString('latin1'),
        'prime\ncomposite\ncomposite\nprime\ncomposite\nprime\ncomposite\nprime\ncomposite\nbcprime\n',
      );
    });

    test('many clients at once, each answered byte for byte', { timeout: 60_000 }, async () => {
      const clients = 40;
      const payloads = Array.from({ length: clients }, (_, i) => randomPayload(8192, 100 + i));
      const replies = await Promise.all(
        payloads.map((p, i) => converse(port(), randomChunks(p, 200 + i), { timeoutMs: 50_000 })),
      );
      replies.forEach((reply, i) => assertSameBytes(reply, expected(payloads[i]), `client ${i}`));
    });

    test('bad peer: reset in the middle of a frame', { timeout: 20_000 }, async () => {
      const conn = await TestConnection.open(port());
      await conn.waitForBytes(1, 10_000);
      await conn.write('^abcdef');
      await conn.waitForBytes(7, 10_000);
      conn.reset();
      await quick('after a reset');
    });

    test('bad peer: a 1 MiB frame, then close without reading', { timeout: 30_000 }, async () => {
      const conn = await TestConnection.open(port());
      await conn.waitForBytes(1, 10_000);
      conn.socket.pause(); // read nothing from here on
      conn.socket.write(Buffer.concat([Buffer.from('^'), Buffer.alloc(1 << 20, 0x61)]));
      await waitUntil(() => conn.socket.writableLength === 0 || conn.ended, 10_000, 'the frame to leave the client');
      conn.close();
      await quick('after a peer that never read');
    });

    test('bad peer: half-close still gets every reply', { timeout: 20_000 }, async () => {
      const input = '^abc$!7$^xyz';
      const conn = await TestConnection.open(port());
      await conn.waitForBytes(1, 10_000);
      await conn.write(input);
      conn.end();
      await conn.waitForEnd(10_000);
      assert.equal(conn.received.subarray(1).toString('latin1'), expected(input).toString('latin1'));
      await quick('after a half-close');
    });

    test('bad peer: garbage', { timeout: 20_000 }, async () => {
      const rand = randomSource(99);
      const garbage = Buffer.from(Array.from({ length: 256 * 1024 }, () => {
        const b = Math.floor(rand() * 256);
        return b === 0x21 ? 0x22 : b; // no '!': a random run of digits could be an hour of work
      }));
      const reply = await converse(port(), randomChunks(garbage, 98), { timeoutMs: 15_000 });
      assertSameBytes(reply, expected(garbage), 'garbage');
      await quick('after garbage');
    });

    test('bad peer: idle', { timeout: 20_000 }, async () => {
      const idle = await TestConnection.open(port());
      if (serial) {
        // An idle client holds a serial stage (that is its lesson); once it leaves, all is well.
        await idle.waitForBytes(1, 10_000);
        idle.close();
      } else {
        await quick('while a client idles');
        idle.close();
      }
      await quick('after an idle client');
    });

    test('SIGTERM stops it with exit code 0 within a second, clients connected', { timeout: 20_000 }, async () => {
      const own = await start();
      const conns = await Promise.all(Array.from({ length: 3 }, () => TestConnection.open(own.port)));
      await conns[0].waitForBytes(1, 5_000);
      await conns[0].write('^half a fra');
      await conns[0].waitForBytes(11, 5_000);
      const report = sanitizerReport(own);
      const ms = await timed(() => own.stop(3_000));
      conns.forEach((c) => c.close());
      assert.equal(report ?? sanitizerReport(own), undefined);
      assert.deepEqual(own.exit, { code: 0, signal: null });
      assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms to exit`);
    });

    test("SERVER_MODELS_TRACE: the trace tells the connection's story, on the client's clock", { timeout: 20_000 }, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), `${id}-trace-`));
      try {
        const file = path.join(dir, 'run.trace');
        const from = process.hrtime.bigint();
        const own = await startStage(id, { flavour, extraArgs: options.extraArgs ?? [], env: { SERVER_MODELS_TRACE: file } });
        const conn = await TestConnection.open(own.port);
        const localPort = conn.socket.localPort;
        await conn.waitForBytes(1, 5_000);
        await conn.write('^abc$!97$');
        conn.end();
        await conn.waitForEnd(5_000);
        await waitUntil(() => own.lines.some((l) => /disconnected|done/.test(l)), 5_000, 'the stage to notice the close');
        assert.deepEqual(await own.stop(), { code: 0, signal: null });
        const to = process.hrtime.bigint();

        const trace = decodeTrace(readFileSync(file));
        assert.equal(trace.truncatedBytes, 0);
        assert.equal(trace.names.process, id);
        assert.equal(trace.names.lanes.get(1), 'main');
        const accepted = trace.records.find((r) => r.kind === Kind.CONN_ACCEPTED && r.value === localPort);
        assert.ok(accepted, `CONN_ACCEPTED with the client's port ${localPort}`);
        const ofConn = trace.records.filter((r) => r.fd === accepted.fd);
        assert.ok(ofConn.some((r) => r.kind === Kind.CONN_CLOSED), 'CONN_CLOSED on the same fd');
        assert.ok(ofConn.some((r) => r.kind === Kind.WORK_STARTED && r.value === 97), 'WORK_STARTED 97');
        assert.ok(ofConn.some((r) => r.kind === Kind.WORK_DONE && r.value === 1), 'WORK_DONE: prime');
        for (const r of trace.records) {
          assert.ok(r.timeNs >= Number(from) && r.timeNs <= Number(to), 'on the clock process.hrtime reads');
          if (r.fileId === 0) continue;
          const source = trace.names.files.get(r.fileId);
          assert.ok(source && existsSync(path.join(SERVERS_DIR, source)), `file ${r.fileId} is a source under servers/: ${source}`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('still alive and correct after all of that', { timeout: 20_000 }, async () => {
      assert.equal(stage.hasExited, false);
      await quick('at the end');
      assert.equal(sanitizerReport(stage), undefined);
    });
  });
}

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { runPoint } from '../../src/core/bench/runPoint';
import { runNotesClient } from '../../src/core/client/notesClient';
import { PANEL_STRINGS_EN } from '../../src/core/panel/strings';
import { CloseReason, decodeTrace, Kind } from '../../src/core/trace/format';
import { valueStringKey } from '../../src/core/trace/states';
import { defineConformanceSuite } from './conformance';
import { converse, notesRatio, startStage, TestConnection, waitUntil, useStage } from './harness';

const BUSY = 'busy: 2 threads running, try again later';

defineConformanceSuite('02-thread-per-client');

describe('02-thread-per-client: the lesson', { timeout: 60_000 }, () => {
  const stage = useStage('02-thread-per-client');

  test('5 clients at once take at most 1.6x as long as one', { timeout: 30_000 }, async () => {
    const { ratio } = await notesRatio(stage().port, '02-thread-per-client');
    assert.ok(ratio <= 1.6, `ratio ${ratio}`);
  });

  test('a thread per client, and the log counts them', { timeout: 20_000 }, async () => {
    const conns = await Promise.all(Array.from({ length: 3 }, () => TestConnection.open(stage().port)));
    await Promise.all(conns.map((c) => c.waitForBytes(1, 5_000)));
    const created = () => stage().lines.filter((l) => /^thread created for peer \S+ \(\d+ alive\)$/.test(l));
    await waitUntil(() => created().length >= 3, 5_000, '"thread created" lines');
    const alive = created().map((l) => Number(/\((\d+) alive\)/.exec(l)![1]));
    assert.ok(Math.max(...alive) >= 3, `alive counts ${alive.join(',')}`);
    conns.forEach((c) => c.close());
    await waitUntil(() => stage().lines.some((l) => /^thread for peer \S+ done \(0 alive\)$/.test(l)), 5_000, 'the last thread to finish');
  });
});

describe('02-thread-per-client: --max-threads', { timeout: 30_000 }, () => {
  const stage = useStage('02-thread-per-client', { extraArgs: ['--max-threads', '2'] });

  test('past the limit a client is refused politely, and served again once a thread is free', async () => {
    const [a, b] = await Promise.all([TestConnection.open(stage().port), TestConnection.open(stage().port)]);
    await Promise.all([a.waitForBytes(1, 5_000), b.waitForBytes(1, 5_000)]);
    const refused = await TestConnection.open(stage().port);
    await refused.waitForEnd(5_000);
    assert.equal(refused.received.toString('latin1'), `${BUSY}\n`, "one line in place of the '*', then the close");
    await waitUntil(() => stage().lines.some((l) => /^refused peer \S+: 2 threads alive \(--max-threads 2\)$/.test(l)), 5_000, 'the refusal line');
    a.close();
    await waitUntil(() => stage().lines.some((l) => /done \(1 alive\)$/.test(l)), 5_000, 'a free thread');
    assert.equal((await converse(stage().port, ['^abc$'])).toString(), 'bcd');
    b.close();
  });

  test("the notes' client and the load generator report the refusal in the server's words", async () => {
    // The earlier test's threads must be gone: each held client needs a thread of its own.
    const alive = () => Number(/\((\d+) alive\)$/.exec(stage().lines.filter((l) => /^thread .*\(\d+ alive\)$/.test(l)).at(-1) ?? '(0 alive)')![1]);
    await waitUntil(() => alive() === 0, 5_000, "the earlier clients' threads to finish");
    const held = await Promise.all([TestConnection.open(stage().port), TestConnection.open(stage().port)]);
    try {
      await Promise.all(held.map((c) => c.waitForBytes(1, 5_000)));
      assert.deepEqual(held.map((c) => c.received.toString('latin1')), ['*', '*']);
      const notes = await runNotesClient({ port: stage().port, connections: 1 });
      assert.deepEqual(notes.failures.map((f) => f.kind), ['refused']);
      assert.equal(notes.failures[0].message, `conn0: refused by the server: ${BUSY}`);

      const row = await runPoint({ host: '127.0.0.1', port: stage().port, connections: 3, durationS: 0.2, mode: 'closed', ackWaitMs: 2_000, drainTimeoutMs: 1_000 });
      assert.equal(row.errors.refused, 3, JSON.stringify(row.errors));
      assert.equal(row.errors.wrong_bytes + row.errors.closed, 0);
      assert.match(row.first_error ?? '', new RegExp(`^conn\\d: refused by the server: ${BUSY}$`));
    } finally {
      held.forEach((c) => c.close());
    }
  });
});

describe('02-thread-per-client: a refusal in the trace', { timeout: 30_000 }, () => {
  test('CONN_CLOSED "refused" for the client turned away, which the panel words as refused', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'refusal-'));
    const file = path.join(dir, 'run.trace');
    const stage = await startStage('02-thread-per-client', { extraArgs: ['--max-threads', '1'], env: { SERVER_MODELS_TRACE: file } });
    try {
      const held = await TestConnection.open(stage.port);
      await held.waitForBytes(1, 5_000);
      const refused = await TestConnection.open(stage.port);
      const refusedPort = refused.socket.localPort;
      await refused.waitForEnd(5_000);
      assert.equal(refused.received.toString('latin1'), 'busy: 1 thread running, try again later\n');
      held.close();
      assert.deepEqual(await stage.stop(), { code: 0, signal: null });
      const { records, truncatedBytes } = decodeTrace(readFileSync(file));
      assert.equal(truncatedBytes, 0);
      const accepted = records.find((r) => r.kind === Kind.CONN_ACCEPTED && r.value === refusedPort);
      assert.ok(accepted, 'the refused client was accepted first');
      const closed = records.find((r) => r.kind === Kind.CONN_CLOSED && r.fd === accepted.fd && r.timeNs >= accepted.timeNs);
      assert.equal(closed?.value, CloseReason.refused);
      assert.equal(PANEL_STRINGS_EN[valueStringKey(closed.kind, closed.value)!], 'refused at a limit');
    } finally {
      await stage.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

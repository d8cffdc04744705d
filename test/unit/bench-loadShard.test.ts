import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import type { BenchProgress } from '../../src/core/bench/benchOptions';
import { LoadShard, type ShardPlan } from '../../src/core/bench/loadShard';
import { runPoint } from '../../src/core/bench/runPoint';
import { buildWorkload } from '../../src/core/bench/workload';
import { useFakeServers } from './client-fake-server.support';

const server = useFakeServers();
const base = { host: '127.0.0.1', ackWaitMs: 1000, drainTimeoutMs: 1000 } as const;

test('closed loop: every reply byte verified, nothing lost', async () => {
  const { port } = await server();
  const row = await runPoint({ ...base, port, connections: 10, durationS: 0.3, mode: 'closed' });
  assert.equal(Object.values(row.errors).reduce((a, b) => a + b), 0, row.first_error ?? '');
  assert.ok(row.sent > 50, `sent ${row.sent}`);
  assert.equal(row.received, row.sent);
  assert.equal(row.expected_bytes, row.sent * 14);
  assert.equal(row.verified_bytes, row.expected_bytes);
  assert.ok(row.throughput_msgs_per_s > 0 && row.latency_us.p50 > 0 && row.connect_us.max > 0);
  assert.equal(row.rate, null);
  assert.equal(row.stage, `127.0.0.1:${port}`);
});

test('closed loop over more connections than one write batch: each sends again, nothing lost or doubled', async () => {
  const { port } = await server();
  const row = await runPoint({ ...base, port, connections: 150, durationS: 0.4, mode: 'closed' });
  assert.equal(Object.values(row.errors).reduce((a, b) => a + b), 0, row.first_error ?? '');
  assert.ok(row.sent >= 150 * 3, `sent ${row.sent}: several rounds over the connections`);
  assert.equal(row.received, row.sent);
  assert.equal(row.verified_bytes, row.sent * 14);
});

test('open loop: exactly duration x rate messages, spread over the connections', async () => {
  const { port } = await server();
  const row = await runPoint({ ...base, port, connections: 7, durationS: 0.5, mode: 'open', rate: 2000 });
  assert.equal(row.sent, 1000);
  assert.equal(row.received, 1000);
  assert.equal(row.rate, 2000);
  assert.ok(Math.abs(row.throughput_msgs_per_s - 2000) < 300, `throughput ${row.throughput_msgs_per_s}`);
});

test('shards share one open-loop schedule: two shards send what one would', async () => {
  const { port } = await server();
  const workload = buildWorkload(16);
  const plan = (first: number, connections: number): ShardPlan => ({
    host: '127.0.0.1', port, firstConnection: first, connections, totalConnections: 5, mode: 'open', rate: 3000, workload, connectTimeoutMs: 2000, connectConcurrency: 16,
  });
  const shards = [new LoadShard(plan(0, 2)), new LoadShard(plan(2, 3))];
  await Promise.all(shards.map((s) => s.connectAll()));
  await Promise.all(shards.map((s) => s.waitForAcks(1000)));
  const start = performance.now() + 5;
  for (const s of shards) s.startWindow(start, start + 400);
  await Promise.all(shards.map((s) => s.sendingStopped()));
  await Promise.all(shards.map((s) => s.drain(1000)));
  for (const s of shards) s.close();
  assert.deepEqual(shards.map((s) => s.totals.sent), [480, 720]);
  assert.equal(shards[0].totals.received + shards[1].totals.received, 1200);
});

test('open loop measures from the intended send time: a stall shows in the tail; closed loop hides it', async () => {
  const open = await runPoint({ ...base, port: (await server({ holdMs: 300 })).port, connections: 1, durationS: 0.6, mode: 'open', rate: 500 });
  const closed = await runPoint({ ...base, port: (await server({ holdMs: 300 })).port, connections: 1, durationS: 0.6, mode: 'closed' });
  assert.ok(open.latency_us.p90 >= 100_000, `open p90 ${open.latency_us.p90} µs`);
  assert.ok(closed.latency_us.max >= 200_000, `closed max ${closed.latency_us.max} µs (the one stalled message)`);
  assert.ok(closed.latency_us.p90 < 50_000, `closed p90 ${closed.latency_us.p90} µs`);
});

test('work requests are mixed in and verified', async () => {
  const { port } = await server();
  const row = await runPoint({ ...base, port, connections: 2, durationS: 0.3, mode: 'closed', workEvery: 3, workNumber: 1_000_003n });
  assert.equal(Object.values(row.errors).reduce((a, b) => a + b), 0, row.first_error ?? '');
  assert.equal(row.verified_bytes, row.expected_bytes);
  assert.equal(row.work_every, 3);
  assert.ok(row.expected_bytes > row.sent * 6 && row.expected_bytes < row.sent * 14, 'some replies are "prime\\n"');
});

test('wrong bytes are counted per connection and named', async () => {
  const { port } = await server({ corruptAt: 20 });
  const row = await runPoint({ ...base, port, connections: 3, durationS: 0.3, mode: 'closed' });
  assert.equal(row.errors.wrong_bytes, 3);
  assert.match(row.first_error ?? '', /^conn\d: reply byte 6 of a message differs/);
  assert.ok(row.verified_bytes < row.expected_bytes);
});

test('a server that closes early: counted as closed, and the point ends without waiting out its duration', async () => {
  const { port } = await server({ closeAfter: 30 });
  const started = performance.now();
  const row = await runPoint({ ...base, port, connections: 4, durationS: 10, mode: 'closed' });
  assert.ok(performance.now() - started < 5000, 'ended early');
  assert.equal(row.errors.closed, 4);
  assert.match(row.first_error ?? '', /the server closed the connection/);
});

test('nothing listening: refused, at once', async () => {
  const s = await server();
  await s.close();
  const started = performance.now();
  const row = await runPoint({ ...base, port: s.port, connections: 5, durationS: 10, mode: 'open' });
  assert.ok(performance.now() - started < 3000);
  assert.equal(row.errors.refused, 5);
  assert.equal(row.sent, 0);
});

test('replies that never come: timeouts at the drain deadline', async () => {
  const { port } = await server({ holdMs: 60_000 });
  const row = await runPoint({ ...base, port, connections: 2, durationS: 0.2, mode: 'open', rate: 100, drainTimeoutMs: 200 });
  assert.equal(row.received, 0);
  assert.equal(row.errors.timeout, row.sent);
});

test('cancelling through the signal rejects with AbortError promptly and leaves nothing open', async () => {
  const s = await server();
  const controller = new AbortController();
  const progress: BenchProgress[] = [];
  setTimeout(() => controller.abort(), 1300);
  const started = performance.now();
  await assert.rejects(
    runPoint({ ...base, port: s.port, connections: 20, durationS: 30, mode: 'closed', signal: controller.signal, onProgress: (p) => progress.push(p) }),
    (err: Error) => err.name === 'AbortError',
  );
  assert.ok(performance.now() - started < 3000);
  assert.ok(progress.length >= 1 && progress[0].phase === 'measuring' && progress[0].received > 0, JSON.stringify(progress[0]));
});

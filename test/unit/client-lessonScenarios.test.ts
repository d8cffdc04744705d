/**
 * The lesson scenarios as data (every stage has one, short, with flags its stage knows and the
 * right answers for its work requests) and their runner against the fake protocol server: notes
 * in the log but not in the trace, an idle group that is counted but not traced, a declared work
 * answer trusted instead of recomputed, a client that sends before its `*`, and failures named.
 * That each scenario shows its lesson on the real stage is test/servers/lessonScenarios.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { ClientEvent } from '../../src/core/client/clientEvent';
import { ClientTraceWriter } from '../../src/core/client/clientTrace';
import { LESSON_SHORT_PRIME, LESSON_SLOW_PRIME, lessonScenario, plannedDurationMs, runLessonScenario, workRequests, type LessonScenario } from '../../src/core/client/lessonScenarios';
import { STAGES } from '../../src/core/stages';
import { decodeTrace, Kind } from '../../src/core/trace/format';
import { useFakeServers } from './client-fake-server.support';

const server = useFakeServers();

/** Deterministic Miller-Rabin for n < 3.3·10^24 (these bases): the slow prime checked without the trial division it is chosen for. */
function isPrimeMillerRabin(n: bigint): boolean {
  if (n < 2n) return false;
  const bases = [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n];
  for (const p of bases) if (n % p === 0n) return n === p;
  let d = n - 1n;
  let r = 0;
  while (d % 2n === 0n) {
    d /= 2n;
    r++;
  }
  const power = (b: bigint, e: bigint): bigint => {
    let result = 1n;
    b %= n;
    for (; e > 0n; e >>= 1n, b = (b * b) % n) if (e & 1n) result = (result * b) % n;
    return result;
  };
  return bases.every((a) => {
    let x = power(a, d);
    if (x === 1n || x === n - 1n) return true;
    for (let i = 1; i < r; i++) {
      x = (x * x) % n;
      if (x === n - 1n) return true;
    }
    return false;
  });
}

describe('the lesson scenario of every stage', () => {
  for (const stage of STAGES) {
    test(`${stage.id}: one line of summary, a short run, flags its stage knows, right work answers`, () => {
      const s = lessonScenario(stage.id);
      assert.equal(s.stage, stage.id);
      assert.match(s.summary, /^[\x20-\x7e]{20,200}$/, 'one printable English line');
      const planned = plannedDurationMs(s);
      assert.ok(planned >= 2_000 && planned <= 6_000, `about 3-6 s planned (${planned} ms)`);
      assert.ok(s.connections.length >= 2, 'more than one client: every lesson is about sharing');
      const main = readFileSync(join(__dirname, '..', '..', 'servers', stage.mainSource), 'utf8');
      for (const flag of s.stageArgs.filter((a) => a.startsWith('--'))) assert.ok(main.includes(`"${flag}"`), `${flag} is a flag of ${stage.id}`);
      for (const number of workRequests(s)) {
        assert.ok(number in s.workAnswers, `the answer to ${number} is declared`);
        assert.equal(s.workAnswers[number], isPrimeMillerRabin(BigInt(number)), `and right for ${number}`);
      }
    });
  }

  test('the shapes the lessons need', () => {
    const starts = (s: LessonScenario) => s.connections.map((c) => c.startAtMs);
    const plannedEnd = (s: LessonScenario, i: number) => s.connections[i].startAtMs + s.connections[i].conversation.reduce((n, step) => n + step.waitMs, 0);
    for (const id of ['01-sequential', '03-blocking-io'] as const) {
      const s = lessonScenario(id);
      assert.ok(starts(s)[1] < plannedEnd(s, 0), `${id}: the second client comes while the first is served`);
    }
    const threads = lessonScenario('02-thread-per-client');
    const lastArrival = Math.max(...starts(threads));
    assert.ok(threads.connections.every((_, i) => plannedEnd(threads, i) > lastArrival), '02: all are there at once before the first leaves');
    assert.ok(new Set(starts(threads)).size === threads.connections.length, '02: arrivals staggered');
    assert.ok(new Set(threads.connections.map((_, i) => plannedEnd(threads, i))).size === threads.connections.length, '02: departures staggered');
    const epoll = lessonScenario('06-epoll');
    assert.ok(epoll.idle && epoll.idle.count >= 50 && epoll.idle.count <= 200, '06: 50-200 idle registered sockets');
    assert.ok(epoll.connections.length <= 2, '06: one or two that talk');
    for (const id of ['07-libuv', '08-ae', '09-green-threads'] as const) {
      assert.equal(workRequests(lessonScenario(id)).filter((n) => n === LESSON_SLOW_PRIME).length, 1, `${id}: one slow request`);
    }
    assert.deepEqual(new Set(workRequests(lessonScenario('09-green-threads'))), new Set([LESSON_SLOW_PRIME, LESSON_SHORT_PRIME]), '09: the rest are short');
    for (const id of ['07-libuv', '08-ae'] as const) assert.equal(workRequests(lessonScenario(id)).length, 1, `${id}: nothing but the slow request`);
    for (const id of ['01-sequential', '02-thread-per-client', '03-blocking-io', '04-nonblocking-polling', '05-select', '06-epoll'] as const) {
      assert.equal(workRequests(lessonScenario(id)).length, 0, `${id}: no work request`);
    }
    const green = lessonScenario('09-green-threads');
    const carriers = Number(green.stageArgs[green.stageArgs.indexOf('--carriers') + 1]);
    assert.ok(carriers >= 2 && green.connections.length >= 3 * carriers, '09: several green threads per carrier');
    const wave = green.connections.filter((c) => c.wave !== undefined);
    assert.ok(wave.length > carriers && wave.every((c) => c.wave === wave[0].wave), '09: more green threads asking at once than carriers');
  });
});

/** A scenario for the fake server: quick, with what the runner must handle. */
function quick(fields: Partial<LessonScenario> = {}): LessonScenario {
  return {
    stage: '01-sequential',
    summary: 'a quick scenario for the fake server',
    stageArgs: [],
    connections: [
      { startAtMs: 0, note: 'conn0 starts', conversation: [{ send: '^ab$', waitMs: 20, note: 'conn0 sends a frame' }, { send: '', waitMs: 20 }] },
      { startAtMs: 30, conversation: [{ send: '!97$', waitMs: 0 }] },
    ],
    workAnswers: { '97': true },
    deadlines: { connectMs: 2_000, ackMs: 2_000, replyMs: 2_000 },
    ...fields,
  };
}

describe('runLessonScenario', () => {
  test('notes reach the log, not the trace; an idle group is counted, not traced', async () => {
    const { port, connections } = await server().then((s) => ({ port: s.port, connections: () => s.connections }));
    const events: ClientEvent[] = [];
    const chunks: Uint8Array[] = [];
    const writer = new ClientTraceWriter((bytes) => chunks.push(bytes));
    const result = await runLessonScenario(quick({ idle: { count: 5, startAtMs: 0, holdMs: 150 } }), {
      port,
      onEvent: (e) => {
        events.push(e);
        writer.event(e);
      },
    });
    assert.deepEqual(result.failures, []);
    assert.ok(result.ok);
    assert.match(result.elapsedLine, /^Elapsed: \d+\.\d+/);
    assert.equal(connections(), 7, 'two traced connections and five idle ones');
    const notes = events.filter((e) => e.kind === 'note').map((e) => ({ conn: e.conn, line: e.line!.replace(/^INFO:[^:]+:[^:]+:[^:]+:/, '') }));
    assert.deepEqual(
      notes.map((n) => n.line).sort(),
      ['closed 5 idle connections', 'conn0 sends a frame', 'conn0 starts', 'opened 5 idle connections (not traced: they only sit there, registered)'],
    );
    assert.deepEqual(notes.find((n) => n.line === 'conn0 starts')?.conn, 0);
    assert.deepEqual(notes.find((n) => n.line.startsWith('opened'))?.conn, -1, 'scenario notes belong to no connection');
    const sendLines = events.filter((e) => e.kind === 'send').map((e) => e.line!.split(':').slice(4).join(':'));
    assert.deepEqual(sendLines, ["conn0 sending b'^ab$'", "conn1 sending b'!97$'"], 'an empty step is a pause, not a send');
    const trace = decodeTrace(Buffer.concat(chunks));
    assert.deepEqual([...trace.names.lanes.keys()].sort(), [0, 1], 'only the traced connections have lanes');
    assert.equal(trace.records.filter((r) => r.kind === Kind.CLIENT_CONNECT).length, 2);
    const noteIndex = events.findIndex((e) => e.kind === 'note' && e.line!.endsWith('conn0 sends a frame'));
    assert.equal(events[noteIndex + 1]?.kind, 'send', "a step's note comes just before its send");
  });

  test('a declared work answer is trusted, not worked out again: a wrong one is a reply that differs', async () => {
    const { port } = await server();
    const result = await runLessonScenario(quick({ workAnswers: { '97': false } }), { port });
    assert.equal(result.ok, false);
    assert.deepEqual(result.failures.map((f) => [f.conn, f.kind]), [[1, 'differs']]);
  });

  test("a client that sends before its '*' still insists on the '*'", async () => {
    const { port } = await server({ noAck: true });
    const events: ClientEvent[] = [];
    const result = await runLessonScenario(
      quick({
        connections: [{ startAtMs: 0, sendBeforeAck: true, conversation: [{ send: '^ab$', waitMs: 10 }] }],
        deadlines: { connectMs: 2_000, ackMs: 2_000, replyMs: 2_000 },
      }),
      { port, onEvent: (e) => events.push(e) },
    );
    assert.deepEqual(result.failures.map((f) => f.kind), ['bad-ack'], "the echo came without a '*' before it");
    assert.ok(events.some((e) => e.kind === 'send'), 'it sent without waiting');
  });

  test('a wave sends its i-th pieces together: the early member waits for the late one, and nobody sends piece i+1 before all sent piece i', async () => {
    const { port } = await server();
    const events: ClientEvent[] = [];
    const piece = (text: string) => ({ send: `^${text}$`, waitMs: 10 });
    const result = await runLessonScenario(
      quick({
        connections: [
          { startAtMs: 0, wave: 'w', conversation: [piece('a0'), piece('a1'), piece('a2')] },
          { startAtMs: 150, wave: 'w', conversation: [piece('b0'), { send: '', waitMs: 40 }, piece('b1'), piece('b2')] },
        ],
      }),
      { port, onEvent: (e) => events.push(e) },
    );
    assert.deepEqual(result.failures, []);
    const sends = events.filter((e) => e.kind === 'send').map((e) => e.line!.match(/b'\^(\w+)\$'/)![1]);
    assert.equal(sends.length, 6);
    // Pairs in order, each pair either way round.
    for (let i = 0; i < 3; i++) assert.deepEqual(sends.slice(2 * i, 2 * i + 2).sort(), [`a${i}`, `b${i}`], `the pieces ${i} together (${sends.join(' ')})`);
    const lateConnect = events.findIndex((e) => e.kind === 'connecting' && e.conn === 1);
    const firstSend = events.findIndex((e) => e.kind === 'send');
    assert.ok(lateConnect >= 0 && lateConnect < firstSend, 'conn0 waited for conn1 to connect before its first piece');
  });

  test('a stop reaches members waiting for their wave', async () => {
    const { port } = await server();
    const abort = new AbortController();
    const started = performance.now();
    const run = runLessonScenario(
      quick({
        connections: [
          { startAtMs: 0, wave: 'w', conversation: [{ send: '^ab$', waitMs: 0 }] },
          { startAtMs: 3_000, wave: 'w', conversation: [{ send: '^cd$', waitMs: 0 }] },
        ],
      }),
      { port, signal: abort.signal },
    );
    setTimeout(() => abort.abort(), 100);
    const result = await run;
    assert.ok(performance.now() - started < 2_000, 'conn0 did not wait for conn1 after the stop');
    assert.deepEqual(result.failures.map((f) => f.kind), ['aborted', 'aborted']);
  });

  test('idle connections that are not served are a failure of their own', async () => {
    const { port } = await server({ noAck: true });
    const result = await runLessonScenario(
      quick({ connections: [], idle: { count: 3, startAtMs: 0, holdMs: 100 } }),
      { port },
    );
    assert.equal(result.ok, false);
    assert.equal(result.failures.length, 1);
    assert.match(result.failures[0].message, /^idle connections: 3 of 3 did not stay connected and served/);
  });

  test('a stop ends every connection and the idle group at once', async () => {
    const { port } = await server();
    const abort = new AbortController();
    const started = performance.now();
    const run = runLessonScenario(
      quick({
        connections: [{ startAtMs: 0, conversation: [{ send: '^ab$', waitMs: 5_000 }] }, { startAtMs: 3_000, conversation: [] }],
        idle: { count: 2, startAtMs: 0, holdMs: 5_000 },
      }),
      { port, signal: abort.signal },
    );
    setTimeout(() => abort.abort(), 100);
    const result = await run;
    assert.ok(performance.now() - started < 2_000, 'stopped well before its pauses ended');
    // The idle group has nothing to fail: it was connected and served when the stop came.
    assert.deepEqual(result.failures.map((f) => f.kind), ['aborted', 'aborted']);
  });
});

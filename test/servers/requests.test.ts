/**
 * Request journeys (src/core/trace/requests.ts) on real recordings: a stage traced while a lesson
 * scenario (or a variant of one) runs against it, as Run Stage records it, then every request
 * followed. Each stage's lesson must show in where the requests waited: 01's last client spends its
 * first request in the backlog, 04's messages sit in the receive buffer for part of a poll
 * interval, 07's slow request waits for nothing while the loop keeps the others' waits short. Every
 * latency is checked against one measured from the client's events alone, with the protocol
 * oracle saying which receive completes each reply; and `server-models trace requests --json`,
 * bundled and run as a child process, prints the same.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClientTraceWriter } from '../../src/core/client/clientTrace';
import { lessonScenario, runLessonScenario, type LessonScenario } from '../../src/core/client/lessonScenarios';
import { ProtocolOracle } from '../../src/core/protocol';
import { StageProcess } from '../../src/core/stageProcess';
import { Kind } from '../../src/core/trace/format';
import type { TraceModel } from '../../src/core/trace/model';
import { readRecording } from '../../src/core/trace/recording';
import { requestJourneys, SEGMENTS, type RequestJourney, type RequestJourneys } from '../../src/core/trace/requests';
import { TraceSink, type SinkSummary } from '../../src/core/trace/sink';
import { LaneKind } from '../../src/core/trace/states';
import { bundleCli, runCli } from '../cli.support';
import { buildStage } from './harness';

const ROOT = path.resolve(__dirname, '../..');
const MS = 1e6;
let dir = '';

interface Recorded {
  readonly scenario: LessonScenario;
  readonly path: string;
  readonly model: TraceModel;
  readonly journeys: RequestJourneys;
}

/** Runs `scenario` against its stage with the trace on, and reads the recording back. */
async function record(scenario: LessonScenario, name: string): Promise<Recorded> {
  const binary = await buildStage(scenario.stage);
  const sink = await TraceSink.listen({ recordingPath: path.join(dir, `${name}.smrec`) });
  let stage: StageProcess | undefined;
  let outcome: Awaited<ReturnType<typeof runLessonScenario>> | undefined;
  let summary: SinkSummary;
  try {
    stage = await StageProcess.start({ binary, port: 0, extraArgs: scenario.stageArgs, env: { SERVER_MODELS_TRACE: sink.socketPath }, startTimeoutMs: 10_000 });
    const stream = sink.openStream();
    const writer = new ClientTraceWriter((bytes) => stream.write(bytes));
    outcome = await runLessonScenario(scenario, { port: stage.port, onEvent: (e) => writer.event(e) });
    stream.end();
  } finally {
    await stage?.stop();
    // Closed whatever happened: an open sink would keep the test process alive.
    summary = await sink.close();
  }
  assert.ok(outcome?.ok, `${name}: the scenario ran: ${outcome?.failures.map((f) => f.message).join('; ')}`);
  assert.deepEqual(summary.errors, [], `${name}: trace streams`);
  const { model, problems } = readRecording(new Uint8Array(await readFile(summary.recordingPath)));
  assert.deepEqual(problems, [], `${name}: the recording reads back`);
  return { scenario, path: summary.recordingPath, model, journeys: requestJourneys(model) };
}

/** `count` frames `everyMs` apart, each told apart by its text. */
function frames(count: number, everyMs: number, text: string): { send: string; waitMs: number }[] {
  return Array.from({ length: count }, (_, i) => ({ send: `^${text}${i}$`, waitMs: everyMs }));
}

/**
 * Each request's latency as the client alone measured it: from its send (a first message: from
 * its connect, less its own pause after the `*`) to the receive that brought the last byte the
 * oracle says the message's reply has. Messages that call for no reply are left out.
 */
function measuredLatencies(recorded: Recorded): Map<string, number> {
  const { model, scenario } = recorded;
  const out = new Map<string, number>();
  scenario.connections.forEach((connection, conn) => {
    const lane = model.lanes.find((l) => l.kind === LaneKind.client && l.name === `conn${conn}`);
    assert.ok(lane, `conn${conn} is in the recording`);
    const events = Array.from(lane.events.data.subarray(0, lane.events.length));
    const ofKind = (kind: number) => events.filter((e) => model.events.kind.get(e) === kind);
    const timesOf = (kind: number) => ofKind(kind).map((e) => model.events.time.get(e));
    const sends = timesOf(Kind.CLIENT_SEND);
    const receives = ofKind(Kind.CLIENT_RECEIVE);
    const [connect] = timesOf(Kind.CLIENT_CONNECT);
    const [ack] = timesOf(Kind.CLIENT_ACK);
    const oracle = new ProtocolOracle((n) => scenario.workAnswers[n.toString()] ?? false);
    let owed = 0;
    connection.conversation
      .filter((step) => step.send.length > 0)
      .forEach((step, index) => {
        const reply = oracle.feed(Buffer.from(step.send, 'latin1')).length;
        owed += reply;
        if (reply === 0) return;
        let got = 0;
        const last = receives.find((e) => (got += model.events.value.get(e)) >= owed);
        assert.ok(last !== undefined, `conn${conn} #${index}: the client got its whole reply`);
        const sent = sends[index];
        const waitedForConnection = index === 0 ? Math.min(ack, sent) - connect : 0;
        out.set(`conn${conn} #${index}`, waitedForConnection + model.events.time.get(last) - sent);
      });
  });
  return out;
}

/** Every request adds up, to the ns and within 1 % of what the client measured, and none is missing. */
function checkLatencies(recorded: Recorded): void {
  const measured = measuredLatencies(recorded);
  const { requests, unanswered } = recorded.journeys;
  assert.deepEqual(unanswered, [], 'every message was read and answered');
  assert.equal(requests.length, measured.size, 'a journey for every message that has a reply');
  for (const r of requests) {
    const name = `${r.connection} #${r.index}`;
    assert.equal(SEGMENTS.reduce((sum, s) => sum + r.segments[s], 0), r.latencyNs, `${name}: segments add up to the latency`);
    const expected = measured.get(name);
    assert.ok(expected !== undefined, `${name} has a reply`);
    assert.ok(Math.abs(r.latencyNs - expected) <= expected * 0.01, `${name}: latency ${ms(r.latencyNs)}, the client measured ${ms(expected)}`);
  }
}

function ms(ns: number): string {
  return `${(ns / MS).toFixed(3)} ms`;
}

function of(recorded: Recorded, connection: string): RequestJourney[] {
  return recorded.journeys.requests.filter((r) => r.connection === connection);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** 07's lesson scenario is recorded once, for its own test and the command line's. */
let libuv: Promise<Recorded> | undefined;
const recordLibuv = () => (libuv ??= record(lessonScenario('07-libuv'), '07-libuv'));

describe('request journeys on real recordings', () => {
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sm-requests-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("01: five clients at once, the last one's first request spends its time in the backlog", { timeout: 60_000 }, async (t) => {
    const base = lessonScenario('01-sequential');
    const scenario: LessonScenario = { ...base, connections: [0, 1, 2, 3, 4].map((i) => ({ startAtMs: i * 20, conversation: frames(2, 100, `c${i}-`) })) };
    const recorded = await record(scenario, '01-five');
    checkLatencies(recorded);
    assert.ok(recorded.journeys.connections.every((c) => c.reads === 'bytes' && c.replies === 'bytes'), '01 traces recv and send byte counts');
    const [first] = of(recorded, 'conn0');
    const [last] = of(recorded, 'conn4');
    const ratio = last.segments.backlog / first.latencyNs;
    t.diagnostic(`conn4 queued ${ms(last.segments.backlog)}, ${ratio.toFixed(1)}x conn0's first request (${ms(first.latencyNs)})`);
    assert.ok(ratio >= 3, `conn4 queued ${ms(last.segments.backlog)}, ${ratio.toFixed(1)}x conn0's first request (${ms(first.latencyNs)})`);
    assert.equal(recorded.journeys.summary.segments[0].segment, 'backlog', 'the backlog is where the run waited most');
  });

  it('04: at the default 200 ms poll interval, a message waits in the receive buffer for part of an interval', { timeout: 60_000 }, async (t) => {
    const base = lessonScenario('04-nonblocking-polling');
    // Periods that are no multiple of the interval, so the sends fall all over it.
    const periods = [230, 270, 310, 370];
    const scenario: LessonScenario = { ...base, connections: periods.map((every, i) => ({ startAtMs: i * 40, conversation: frames(8, every, `p${i}-`) })) };
    const recorded = await record(scenario, '04-poll');
    checkLatencies(recorded);
    const waits = recorded.journeys.requests.map((r) => r.segments.receive_buffer);
    const typical = median(waits);
    t.diagnostic(`median receive-buffer wait ${ms(typical)} of ${waits.length} requests (from ${ms(Math.min(...waits))} to ${ms(Math.max(...waits))})`);
    assert.ok(typical >= 50 * MS && typical <= 200 * MS, `median receive-buffer wait ${ms(typical)} of ${waits.length}`);
  });

  it("07: while a pool thread computes the slow request, the others' waits for the loop stay short", { timeout: 120_000 }, async (t) => {
    const recorded = await recordLibuv();
    checkLatencies(recorded);
    const others = ['conn0', 'conn1', 'conn2'].flatMap((c) => of(recorded, c));
    const longest = Math.max(...others.map((r) => r.segments.wait_loop));
    t.diagnostic(`longest loop wait of the other clients' ${others.length} requests: ${ms(longest)}; the slow request's own: ${ms(of(recorded, 'conn3')[0]?.segments.wait_loop ?? 0)}`);
    assert.ok(longest < 10 * MS, `longest loop wait of the other clients' ${others.length} requests: ${ms(longest)}`);
    const [slow] = of(recorded, 'conn3');
    assert.ok(slow.segments.work >= 0.9 * slow.latencyNs, `the slow request is mostly work (${ms(slow.segments.work)} of ${ms(slow.latencyNs)})`);
    assert.ok(slow.segments.wait_pool > 0, 'it was handed to the pool, and waited for a pool thread');
    assert.ok(slow.segments.wait_loop > 0, 'and its answer waited for the loop');
  });

  it('server-models trace requests: the table, --json as the model says, and one line for a damaged recording', { timeout: 120_000 }, async () => {
    const recorded = await recordLibuv();
    const cli = path.join(ROOT, 'out', 'test', 'cli-requests', 'cli.js');
    await bundleCli(cli);

    const json = await runCli(cli, ['trace', 'requests', recorded.path, '--json'], { timeoutMs: 30_000 });
    assert.equal(json.code, 0, json.stderr);
    const printed = JSON.parse(json.stdout) as { requests: { connection: string; index: number; latency_us: number; segments: Record<string, number> }[] };
    assert.deepEqual(
      printed.requests.map((r) => [r.connection, r.index, r.latency_us]),
      recorded.journeys.requests.map((r) => [r.connection, r.index, Math.round(r.latencyNs) / 1000]),
    );
    for (const r of printed.requests) {
      const sum = Object.values(r.segments).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - r.latency_us) <= r.latency_us * 0.01, `${r.connection} #${r.index}: ${sum} µs in segments of ${r.latency_us}`);
    }

    const table = await runCli(cli, ['trace', 'requests', recorded.path], { timeoutMs: 30_000 });
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.split('\n');
    assert.match(lines[0], /^connection\s+index\s+latency_us\s+.*work/);
    assert.equal(lines.filter((l) => /^conn\d\s+\d+\s+\d+/.test(l)).length, recorded.journeys.requests.length, 'a row per request');

    const bytes = await readFile(recorded.path);
    const cut = path.join(dir, 'cut.smrec');
    await writeFile(cut, bytes.subarray(0, bytes.length - 5));
    const damaged = await runCli(cli, ['trace', 'requests', cut, '--json'], { timeoutMs: 30_000 });
    assert.equal(damaged.code, 1);
    assert.equal(damaged.stdout, '');
    assert.equal(damaged.stderr.trim().split('\n').length, 1, `one line: ${damaged.stderr}`);
    assert.match(damaged.stderr, /cut\.smrec/);
  });
});


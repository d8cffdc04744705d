import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXPERIMENTS, METRIC_UNITS, experimentStages, findExperiment, formatFigure, formatValue, SLOW_PRIME } from '../../src/core/experiments';
import { MOMENTS } from '../../src/core/notes/moments';
import { NOTE_LANGUAGES } from '../../src/core/notes/language';
import { isPrime } from '../../src/core/protocol';
import { isStageId } from '../../src/core/stages';

const PLACEHOLDER = /\{([A-Za-z0-9]+)\}/g;

test('experiment ids are unique and each declaration is self-consistent', () => {
  assert.equal(new Set(EXPERIMENTS.map((e) => e.id)).size, EXPERIMENTS.length);
  for (const experiment of EXPERIMENTS) {
    const runs = new Map(experiment.runs.map((r) => [r.label, r]));
    assert.equal(runs.size, experiment.runs.length, `${experiment.id}: run labels are unique`);
    for (const run of experiment.runs) {
      assert.ok(isStageId(run.stage), `${experiment.id}: ${run.stage}`);
      assert.ok(run.clients.length > 0 && run.deadlineMs > 0);
      assert.equal(new Set(run.clients.map((g) => g.label)).size, run.clients.length, `${experiment.id}/${run.label}: group labels`);
      const longest = Math.max(...run.clients.map((g) => (g.startAtMs ?? 0) + scriptMs(g.script)));
      assert.ok(longest < run.deadlineMs, `${experiment.id}/${run.label}: the clients' own schedule (${longest} ms) fits the deadline`);
      // Two client sockets and two server sockets per connection must fit one process's 20,000 fds.
      assert.ok(run.clients.reduce((n, g) => n + g.count, 0) <= 10_000, `${experiment.id}/${run.label}: fits the fd limit`);
    }
    const measureIds = new Set(experiment.measures.map((m) => m.id));
    assert.equal(measureIds.size, experiment.measures.length, `${experiment.id}: measure ids are unique`);
    for (const measure of experiment.measures) {
      const run = runs.get(measure.run);
      assert.ok(run, `${experiment.id}: measure ${measure.id} names run ${measure.run}`);
      if (measure.group !== undefined) assert.ok(run.clients.some((g) => g.label === measure.group), `${experiment.id}: group ${measure.group}`);
      assert.ok(measure.metric in METRIC_UNITS);
    }
    for (const language of NOTE_LANGUAGES) {
      const used = new Set([...experiment.figure[language].matchAll(PLACEHOLDER)].map((m) => m[1]));
      assert.deepEqual([...used].sort(), [...measureIds].sort(), `${experiment.id} (${language}): the figure uses every measure, and only those`);
      assert.ok(experiment.title[language].length > 0);
    }
  }
});

test('the issue\'s experiments are all declared', () => {
  const wanted: [string, string[], (args: string[]) => boolean][] = [
    ['sequential-vs-threads', ['01-sequential', '02-thread-per-client'], () => true],
    ['idle-clients-hold-threads', ['02-thread-per-client'], () => true],
    ['blocking-second-client-starves', ['03-blocking-io'], () => true],
    ['poll-interval-tradeoff', ['04-nonblocking-polling'], (args) => ['10', '200', '1000'].every((v) => args.includes(v))],
    ['select-past-fd-setsize', ['05-select'], () => true],
    ['epoll-ten-thousand', ['06-epoll'], () => true],
    ['libuv-loop-vs-pool', ['07-libuv'], (args) => args.includes('--work-on-loop')],
    ['ae-slow-command', ['08-ae'], () => true],
    ['green-threads-on-carriers', ['09-green-threads'], (args) => args.includes('--carriers')],
  ];
  for (const [id, stages, argsOk] of wanted) {
    const experiment = findExperiment(id);
    assert.ok(experiment, id);
    assert.deepEqual(experimentStages(experiment), stages, id);
    assert.ok(argsOk(experiment.runs.flatMap((r) => r.args ?? [])), `${id}: flags`);
  }
  const crowd = findExperiment('select-past-fd-setsize')!.runs[0].clients.reduce((n, g) => n + g.count, 0);
  assert.ok(crowd > 1024, 'past FD_SETSIZE');
  assert.equal(findExperiment('epoll-ten-thousand')!.runs[0].clients[0].count, 10_000);
});

test('the slow request asks about a prime, so trial division runs to the end', () => {
  assert.ok(isPrime(BigInt(SLOW_PRIME)));
});

test('figures are phrased with units in each language; a missing value shows as "?"', () => {
  const experiment = findExperiment('sequential-vs-threads')!;
  assert.equal(formatFigure(experiment, 'en', { sequential: 11.1097, threads: 2.2238 }),
    'On this machine: 5 clients took 11.1 s one at a time, 2.22 s with a thread each.');
  assert.equal(formatFigure(experiment, 'ko', { sequential: 11.1097 }),
    '이 컴퓨터에서: 클라이언트 5개가 하나씩 처리하면 11.1초, 스레드를 하나씩 주면 ? 걸렸습니다.');
  assert.equal(formatValue(10_000, 'count', 'en'), '10,000');
  assert.equal(formatValue(1234.5, 'ms', 'ko'), '1,235ms');
  assert.equal(formatValue(6.53, 'us', 'en'), '6.5 µs');
  assert.equal(formatValue(35.04, 'MiB', 'en'), '35.0 MiB');
  assert.equal(formatValue('3 socket, 4 epoll', 'text', 'en'), '3 socket, 4 epoll');
});

test('moment ids are unique and name stages that exist', () => {
  assert.equal(new Set(MOMENTS.map((m) => m.id)).size, MOMENTS.length);
  for (const moment of MOMENTS) {
    assert.ok(moment.stages.length > 0 && moment.stages.every(isStageId), moment.id);
    for (const language of NOTE_LANGUAGES) assert.ok(moment.title[language].length > 0);
  }
  for (const id of ['first-eagain', 'two-clients-served', 'fd-set-rebuilt', 'loop-blocked', 'carrier-pinned']) {
    assert.ok(MOMENTS.some((m) => m.id === id), id);
  }
  const blocked = MOMENTS.find((m) => m.id === 'loop-blocked')!;
  assert.deepEqual(blocked.trigger, { kind: 'busy-longer-than', thread: 'loop', ms: 100 });
});

function scriptMs(script: (typeof EXPERIMENTS)[number]['runs'][number]['clients'][number]['script']): number {
  switch (script.kind) {
    case 'notes': return 2_200 + (script.holdMs ?? 0);
    case 'idle': return script.holdMs;
    case 'echo': return script.everyMs * script.count + (script.holdMs ?? 0);
    case 'ping-pong': return script.durationMs;
    case 'work': return 2_000 + (script.holdMs ?? 0);
  }
}

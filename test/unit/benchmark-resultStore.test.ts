/**
 * The result store: files written and read back with what a fair comparison needs, never
 * overwritten, bad or foreign files reported by name and skipped; and the comparison of a run
 * with the previous run of its stage.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compareMetric, compareRuns, sameWorkload } from '../../src/core/benchmark/compare';
import { captureEnvironment } from '../../src/core/benchmark/environment';
import { BENCH_FOLDER, latestPerStage, previousRun, ResultStore } from '../../src/core/benchmark/resultStore';
import { RESULT_FORMAT, RESULT_VERSION, type StoredRun } from '../../src/core/benchmark/storedRun';
import { benchRow, benchRun } from './benchmark-fixtures.support';

const epoll = (date: string, throughput: number, p99: number) =>
  benchRun('06-epoll', date, [benchRow('06-epoll', 1, { throughput: throughput / 10, p99: p99 / 2 }), benchRow('06-epoll', 100, { throughput, p99 })]);

describe('result store', () => {
  let root: string;
  let store: ResultStore;
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sm-bench-store-'));
    store = ResultStore.forWorkspace(root);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes under .server-models/bench and reads back the same run with its provenance', async () => {
    const written = await store.write(epoll('2025-03-26T17:34:15.783Z', 41_000, 3_100));
    assert.equal(path.dirname(written.file), path.join(root, BENCH_FOLDER));
    assert.equal(path.basename(written.file), '20250326T173415783Z-06-epoll.json');
    assert.equal(written.id, '20250326T173415783Z-06-epoll');
    const onDisk = JSON.parse(await readFile(written.file, 'utf8')) as Record<string, unknown>;
    assert.equal(onDisk.format, RESULT_FORMAT);
    assert.equal(onDisk.version, RESULT_VERSION);
    assert.equal(onDisk.id, undefined, 'the file does not name itself');
    const back = await store.read(written.id);
    assert.ok(back.run, back.problem?.message);
    assert.deepEqual(back.run, written);
    assert.equal(back.run.environment.cpuModel, 'Test CPU @ 3.0GHz');
    assert.equal(back.run.build.flags, '-O2 -D_FORTIFY_SOURCE=2');
    assert.equal(back.run.rows[1].throughput_msgs_per_s, 41_000);
  });

  it('never overwrites: two runs in the same millisecond get two files', async () => {
    const a = await store.write(epoll('2025-03-26T18:00:00.000Z', 40_000, 3_000));
    const b = await store.write(epoll('2025-03-26T18:00:00.000Z', 42_000, 2_900));
    assert.notEqual(a.file, b.file);
    assert.equal(path.basename(b.file), '20250326T180000000Z-06-epoll-2.json');
    assert.equal((await store.read(a.id)).run?.rows[1].throughput_msgs_per_s, 40_000);
    assert.equal((await store.read(b.id)).run?.rows[1].throughput_msgs_per_s, 42_000);
  });

  it('names files safely for a host:port target', async () => {
    const run = await store.write(benchRun('127.0.0.1:8080', '2025-03-20T10:00:00.000Z', [benchRow('127.0.0.1:8080', 10, { throughput: 5_000, p99: 900 })]));
    assert.equal(path.basename(run.file), '20250320T100000000Z-127.0.0.1_8080.json');
    assert.equal(run.stage, '127.0.0.1:8080');
  });

  it('reports bad and foreign files by name and skips them, listing the rest newest first', async () => {
    const folder = store.folder;
    await writeFile(path.join(folder, 'broken.json'), '{"format": "server-models.bench", "version": 1, "rows": [');
    await writeFile(path.join(folder, 'package.json'), JSON.stringify({ name: 'someone-else' }));
    await writeFile(path.join(folder, 'future.json'), JSON.stringify({ format: RESULT_FORMAT, version: RESULT_VERSION + 1 }));
    const good = JSON.parse(await readFile((await store.list()).runs[0].file, 'utf8')) as { rows: Record<string, unknown>[] } & Record<string, unknown>;
    const badRow = { ...good, rows: [{ ...good.rows[0], connections: 'many' }] };
    await writeFile(path.join(folder, 'bad-row.json'), JSON.stringify(badRow));
    const { environment: _dropped, ...noEnvironment } = good;
    await writeFile(path.join(folder, 'no-environment.json'), JSON.stringify({ ...noEnvironment, rows: [] }));
    await mkdir(path.join(folder, 'folder.json'));
    await writeFile(path.join(folder, 'notes.txt'), 'not a result, not reported');

    const listing = await store.list();
    assert.deepEqual(listing.runs.map((r) => r.id), [
      '20250326T180000000Z-06-epoll-2',
      '20250326T180000000Z-06-epoll',
      '20250326T173415783Z-06-epoll',
      '20250320T100000000Z-127.0.0.1_8080',
    ]);
    const messages = Object.fromEntries(listing.problems.map((p) => [path.basename(p.file), p.message]));
    assert.deepEqual(Object.keys(messages).sort(), ['bad-row.json', 'broken.json', 'folder.json', 'future.json', 'no-environment.json', 'package.json']);
    assert.match(messages['broken.json'], /^broken\.json is not valid JSON .*; skipped\.$/);
    assert.match(messages['package.json'], /^package\.json is not a Server Models benchmark result/);
    assert.match(messages['future.json'], /newer Server Models \(format version 2/);
    assert.match(messages['bad-row.json'], /row 0: "connections"/);
    assert.match(messages['no-environment.json'], /"environment\.cpuCount"/);
    assert.match(messages['folder.json'], /is not a file/);
  });

  it('reads a missing file, a bad id and a missing folder without throwing', async () => {
    const missing = await store.read('20990101T000000000Z-06-epoll');
    assert.match(missing.problem?.message ?? '', /^20990101T000000000Z-06-epoll\.json could not be read/);
    const escape = await store.read('../../etc/passwd');
    assert.match(escape.problem?.message ?? '', /is not the id of a benchmark result/);
    const empty = await new ResultStore(path.join(root, 'nowhere')).list();
    assert.deepEqual(empty, { runs: [], problems: [] });
  });

  it('finds the previous run of the same stage and workload, and the latest run per stage', async () => {
    const { runs } = await store.list();
    const newest = runs[0];
    const previous = previousRun(runs, newest);
    assert.equal(previous?.id, '20250326T180000000Z-06-epoll');
    assert.equal(previousRun(runs, runs[2]), undefined, 'the oldest 06 run has none');
    const closed = await store.write(epoll('2025-03-27T09:00:00.000Z', 50_000, 2_000));
    const closedRun: StoredRun = { ...closed, settings: { ...closed.settings, mode: 'closed', rate: null } };
    assert.equal(previousRun([...runs, closedRun], closedRun), undefined, 'another workload is not the previous run');
    const latest = latestPerStage(runs);
    assert.deepEqual(latest.map((r) => r.id), ['20250326T180000000Z-06-epoll-2', '20250320T100000000Z-127.0.0.1_8080']);
    assert.deepEqual(latestPerStage([...runs, closedRun], newest).map((r) => r.id), latest.map((r) => r.id));
  });

  it('captures the machine it runs on', () => {
    const env = captureEnvironment();
    assert.ok(env.cpuCount >= 1 && env.availableCpus >= 1);
    assert.ok(env.cpuModel.length > 0 && env.kernel.length > 0);
    assert.equal(env.platform, process.platform);
    assert.equal(env.node, process.version);
  });

  it('keeps every file it was given: nothing is deleted or rewritten by listing', async () => {
    const before = (await readdir(store.folder)).sort();
    await store.list();
    assert.deepEqual((await readdir(store.folder)).sort(), before);
  });
});

describe('run comparison', () => {
  const previous = { ...epoll('2025-03-26T17:00:00.000Z', 40_000, 3_000), id: 'a' };
  const current = {
    ...benchRun('06-epoll', '2025-03-26T18:00:00.000Z', [
      benchRow('06-epoll', 100, { throughput: 44_000, p50: 1_500, p99: 3_050, p999: 9_000, errors: { timeout: 3 } }),
      benchRow('06-epoll', 1_000, { throughput: 30_000, p99: 8_000 }),
    ]),
    id: 'b',
  };

  it('says better or worse, by how much, per point and metric', () => {
    const c = compareRuns(current, previous);
    assert.equal(c.previousId, 'a');
    assert.equal(c.currentId, 'b');
    assert.deepEqual(c.points.map((p) => p.connections), [100]);
    assert.deepEqual(c.onlyCurrent, [1_000]);
    assert.deepEqual(c.onlyPrevious, [1]);
    const byMetric = Object.fromEntries(c.points[0].changes.map((m) => [m.metric, m]));
    assert.equal(byMetric.throughput.verdict, 'better');
    assert.equal(byMetric.throughput.changePct, 10);
    assert.equal(byMetric.p99.verdict, 'same', '+1.7% is noise');
    assert.equal(byMetric.p50.verdict, 'worse');
    assert.equal(byMetric.p50.changePct, 100);
    assert.equal(byMetric.p999.verdict, 'worse');
    assert.equal(byMetric.p999.changePct, 50);
    assert.equal(byMetric.errors.verdict, 'worse');
    assert.equal(byMetric.errors.changePct, null, 'from zero: no percentage');
    assert.deepEqual(c.differences, []);
  });

  it('lists what differs in machine, build and workload', () => {
    const other = {
      ...current,
      environment: { ...current.environment, kernel: '6.8.0' },
      build: { ...current.build, flags: '-O0' },
      settings: { ...current.settings, rate: 20_000 },
    };
    const c = compareRuns(other, previous);
    assert.deepEqual(
      c.differences.map((d) => [d.field, d.previous, d.current]),
      [['environment.kernel', '6.1.0-test', '6.8.0'], ['build.flags', '-O2 -D_FORTIFY_SOURCE=2', '-O0'], ['settings.rate', '10000', '20000']],
    );
    assert.equal(sameWorkload(other, previous), false);
    assert.equal(sameWorkload(current, previous), true);
  });

  it('judges direction by metric: more throughput is better, more latency is worse', () => {
    assert.equal(compareMetric('throughput', 100, 50).verdict, 'worse');
    assert.equal(compareMetric('p99', 100, 50).verdict, 'better');
    assert.equal(compareMetric('errors', 10, 0).verdict, 'better');
    assert.equal(compareMetric('errors', 100, 101).verdict, 'worse', 'any change in errors counts');
    assert.deepEqual(compareMetric('p50', 0, 0), { metric: 'p50', previous: 0, current: 0, changePct: 0, verdict: 'same' });
    assert.equal(compareMetric('throughput', 100, 104, 5).verdict, 'same');
    assert.equal(compareMetric('throughput', 100, 106, 5).verdict, 'better');
  });
});

/** The panel's views assembled from a store listing. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareAllView, stageView, viewForState } from '../../src/core/benchmark/panelViews';
import type { StoreListing } from '../../src/core/benchmark/resultStore';
import type { BenchRun, StoredRun } from '../../src/core/benchmark/storedRun';
import { benchRow, benchRun } from './benchmark-fixtures.support';

function stored(stage: string, date: string, throughput: number, closed = false): StoredRun {
  const run: BenchRun = benchRun(stage, date, [benchRow(stage, 100, { throughput, p99: 1_000 })]);
  const id = `${date.replace(/[-:.]/g, '')}-${stage}`;
  return {
    ...run,
    ...(closed ? { settings: { ...run.settings, mode: 'closed' as const, rate: null } } : {}),
    format: 'server-models.bench',
    version: 1,
    id,
    file: `/w/${id}.json`,
  };
}

// Newest first, as the store lists them.
const runs = [
  stored('06-epoll', '2025-03-27T10:00:00.000Z', 45_000),
  stored('127.0.0.1:9000', '2025-03-27T09:00:00.000Z', 20_000),
  stored('05-select', '2025-03-27T08:00:00.000Z', 30_000, true),
  stored('05-select', '2025-03-26T08:00:00.000Z', 29_000),
  stored('06-epoll', '2025-03-26T10:00:00.000Z', 41_000),
  stored('01-sequential', '2025-03-25T10:00:00.000Z', 9_000),
];
const problems = [{ file: '/w/x.json', message: 'x.json is not valid JSON; skipped.' }];
const listing: StoreListing = { runs, problems };

describe('results panel views', () => {
  it('shows the newest run with its previous run, the comparison and other stages on its workload', () => {
    const { results, comparison } = stageView(listing);
    assert.equal(results.view, 'stage');
    assert.deepEqual(results.runs.map((r) => r.id), [runs[0].id, runs[5].id, runs[3].id, runs[1].id]);
    assert.equal(results.previous?.id, runs[4].id);
    assert.equal(comparison?.points[0].changes[0].verdict, 'better');
    assert.deepEqual(results.problems, problems);
  });

  it('shows a run without a previous one, and nothing at all for an empty store', () => {
    const { results, comparison } = stageView(listing, runs[5]);
    assert.equal(results.previous, undefined);
    assert.equal(comparison, undefined);
    assert.deepEqual(stageView({ runs: [], problems: [] }).results, { view: 'stage', runs: [], problems: [] });
  });

  it('compares the latest run of every stage on one workload, in catalog order', () => {
    assert.deepEqual(compareAllView(listing).results.runs.map((r) => r.id), [runs[5].id, runs[3].id, runs[0].id, runs[1].id]);
    assert.deepEqual(compareAllView(listing, runs[2]).results.runs.map((r) => r.id), [runs[2].id], 'the closed-loop workload');
  });

  it('rebuilds the view a saved state names', () => {
    assert.equal(viewForState(listing, { view: 'stage', runId: runs[3].id }).results.runs[0].id, runs[3].id);
    assert.equal(viewForState(listing, { view: 'stage', runId: 'gone' }).results.runs[0].id, runs[0].id);
    assert.equal(viewForState(listing, { view: 'compareAll' }).results.view, 'compareAll');
  });
});

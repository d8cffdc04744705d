/**
 * What the results panel shows, assembled from the store's listing: the `stage` view (a run, its
 * previous run and the comparison, other stages on the same workload overlaid) and the
 * `compareAll` view (the latest run of every stage on one workload, in catalog order). Pure, so
 * the host's glue stays thin and a restored panel rebuilds the same view from its saved state.
 */
import { STAGES } from '../stages';
import { compareRuns, type RunComparison } from './compare';
import type { BenchResults, BenchViewState } from './panelProtocol';
import { latestPerStage, previousRun, type StoreListing } from './resultStore';
import type { BenchRun, StoredRun } from './storedRun';

export interface PanelView {
  readonly results: BenchResults;
  readonly comparison?: RunComparison;
}

/** Catalog order; anything else (host:port) after the stages, by name. */
function catalogOrder(a: StoredRun, b: StoredRun): number {
  const rank = (r: StoredRun) => {
    const i = STAGES.findIndex((s) => s.id === r.stage);
    return i < 0 ? STAGES.length : i;
  };
  return rank(a) - rank(b) || a.stage.localeCompare(b.stage);
}

/** `run` (default: the newest), its previous run, and the latest run of each other stage on its workload. */
export function stageView(listing: StoreListing, run?: StoredRun): PanelView {
  const focus = run ?? listing.runs[0];
  if (!focus) return { results: { view: 'stage', runs: [], problems: listing.problems } };
  const previous = previousRun(listing.runs, focus);
  const overlays = latestPerStage(listing.runs, focus).filter((r) => r.stage !== focus.stage).sort(catalogOrder);
  return {
    results: { view: 'stage', runs: [focus, ...overlays], ...(previous ? { previous } : {}), problems: listing.problems },
    ...(previous ? { comparison: compareRuns(focus, previous) } : {}),
  };
}

/** The latest run of every stage on the workload of `like` (default: the newest run). */
export function compareAllView(listing: StoreListing, like?: BenchRun): PanelView {
  const workload = like ?? listing.runs[0];
  const runs = workload ? latestPerStage(listing.runs, workload).sort(catalogOrder) : [];
  return { results: { view: 'compareAll', runs, problems: listing.problems } };
}

/** The view a panel's saved state names; an unknown run id falls back to the newest run. */
export function viewForState(listing: StoreListing, state: BenchViewState): PanelView {
  if (state.view === 'compareAll') return compareAllView(listing);
  return stageView(listing, listing.runs.find((r) => r.id === state.runId));
}

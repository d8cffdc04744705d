/**
 * The order of lanes on screen: the server's threads first (as they appeared), then its green
 * threads, then the client's connections, so the server's story reads top-down.
 */
import type { TraceModel } from '../../src/core/trace/model';
import { LaneKind } from '../../src/core/trace/states';

export function laneOrder(model: TraceModel): number[] {
  const rank = (laneIndex: number): number => {
    const lane = model.lanes[laneIndex];
    if (lane.kind === LaneKind.client) return 2;
    if (lane.kind === LaneKind.green) return 1;
    return 0;
  };
  return model.lanes.map((l) => l.index).sort((a, b) => rank(a) - rank(b) || a - b);
}

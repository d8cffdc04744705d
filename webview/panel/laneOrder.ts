/**
 * The order of lanes on screen: the server's threads first (as they appeared), then its green
 * threads, then the client's connections, so the server's story reads top-down.
 *
 * It depends on the lanes' kinds only as far as client / green / any server thread, which a lane
 * has from its first event (a thread may turn out to be a pool thread or a carrier later, and
 * keeps its place). The panel redoes it for every chunk of data, so it is one linear pass.
 */
import type { TraceModel } from '../../src/core/trace/model';
import { LaneKind } from '../../src/core/trace/states';

export function laneOrder(model: TraceModel): number[] {
  const threads: number[] = [];
  const greens: number[] = [];
  const clients: number[] = [];
  for (const lane of model.lanes) {
    const kind = lane.kind;
    if (kind === LaneKind.client) clients.push(lane.index);
    else if (kind === LaneKind.green) greens.push(lane.index);
    else threads.push(lane.index);
  }
  return threads.concat(greens, clients);
}

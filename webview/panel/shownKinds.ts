/**
 * Which states and marks a recording's lanes show, for the legend. Kept up to date as chunks
 * arrive by looking only at what is new on each lane: a recording of a million events is not
 * walked again for every chunk.
 */
import type { TraceModel } from '../../src/core/trace/model';
import { shownState, type LaneKindId, type LaneStateId } from '../../src/core/trace/states';

interface LaneProgress {
  /** Spans looked at, by depth. */
  spans: number[];
  instants: number;
  replays: number;
  kind: LaneKindId;
}

export class ShownKinds {
  /** State ids as drawn (shownState: a pool thread's life is idle). */
  readonly states = new Set<LaneStateId>();
  /** Event kinds of the marks drawn. */
  readonly marks = new Set<number>();
  private progress: LaneProgress[] = [];

  /** Looks at what is new in the model; true if a state or mark was seen for the first time. */
  update(model: TraceModel): boolean {
    const before = this.states.size + this.marks.size;
    for (const lane of model.lanes) {
      let progress = this.progress[lane.index];
      // A lane that turned out to be a pool thread or a carrier shows its life differently, and a
      // lane that replayed its events has new spans: look at it again from the start. (What it
      // showed before stays listed: a thread's running life, always shown by some other lane.)
      if (!progress || progress.kind !== lane.kind || progress.replays !== lane.replays) {
        progress = this.progress[lane.index] = { spans: [], instants: 0, replays: lane.replays, kind: lane.kind };
      }
      lane.levels.forEach((level, depth) => {
        const states = level.state.data;
        for (let i = progress.spans[depth] ?? 0; i < level.length; i++) this.states.add(shownState(lane.kind, depth, states[i] as LaneStateId));
        progress.spans[depth] = level.length;
      });
      const kinds = model.events.kind.data;
      const instants = lane.instants.data;
      for (let i = progress.instants; i < lane.instants.length; i++) this.marks.add(kinds[instants[i]]);
      progress.instants = lane.instants.length;
    }
    return this.states.size + this.marks.size !== before;
  }

  clear(): void {
    this.states.clear();
    this.marks.clear();
    this.progress = [];
  }
}

/**
 * The step cursor: either on an event (a position in the model's stepping order, after stepping
 * or clicking) or at a time between events (playing, scrubbing). "The state at the cursor" is
 * the state after every event up to it.
 */
import type { Lane } from '../../src/core/trace/lane';
import type { TraceModel } from '../../src/core/trace/model';

export class StepCursor {
  /** Position of the last event at or before the cursor (-1: before every event). */
  position = -1;
  ns = NaN;
  /** True when the cursor sits on the event at `position` itself. */
  onEvent = false;

  reset(): void {
    this.position = -1;
    this.ns = NaN;
    this.onEvent = false;
  }

  /** Puts the cursor on an event, clamped to the recording; false when there is none. */
  toPosition(model: TraceModel, position: number): boolean {
    if (model.eventCount === 0) return false;
    this.position = Math.max(0, Math.min(model.eventCount - 1, position));
    this.ns = model.timeAt(this.position);
    this.onEvent = true;
    return true;
  }

  toTime(model: TraceModel, time: number): void {
    this.ns = time;
    this.position = model.positionAtTime(time);
    this.onEvent = false;
  }

  /** Arrival index of the event at the cursor, or -1. */
  event(model: TraceModel): number {
    return this.position >= 0 ? model.eventAt(this.position) : -1;
  }

  /** The position one step on (+1) or back (-1), over all events or one lane's; -1 if none. */
  neighbour(model: TraceModel, direction: 1 | -1, lane?: Lane): number {
    if (!lane) {
      const target = direction > 0 ? this.position + 1 : this.onEvent ? this.position - 1 : this.position;
      return target >= 0 && target < model.eventCount ? target : -1;
    }
    const event = this.event(model);
    const here = lane.positionAt(this.ns, event);
    const onThisLane = this.onEvent && here >= 0 && lane.events.get(here) === event;
    const target = direction > 0 ? here + 1 : onThisLane ? here - 1 : here;
    if (target < 0 || target >= lane.events.length) return -1;
    return model.positionOf(lane.events.get(target));
  }
}

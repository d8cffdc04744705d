/**
 * The moments of the notes (src/core/notes/moments.ts) in the panel: found here, by the same
 * MomentDetector the host runs, on the model the panel builds from the recording's bytes, so a
 * live run and a reopened recording show the same moments and nothing comes twice. Also the
 * window "go to the moment" zooms to: the burst of events around it.
 */
import { MomentDetector, type DetectedMoment } from '../../src/core/notes/momentDetector';
import { momentStringKey, type MomentId } from '../../src/core/notes/moments';
import { isStageId } from '../../src/core/stages';
import type { TraceModel } from '../../src/core/trace/model';
import { GAP_THRESHOLD_NS, TRUE_TIME, type AxisMap } from '../../src/core/trace/timeAxis';
import type { Strings } from './text';

export interface PanelMoment {
  readonly id: MomentId;
  /** When it became true, ns on the model's axis (where its flag stands). */
  readonly timeNs: number;
  /** Arrival index of the event that shows it (the cursor goes there). */
  readonly event: number;
  readonly lane: number;
  readonly title: string;
}

/** Events further apart than this end the burst around a moment: what the collapsed axis calls a pause. */
const BURST_GAP_NS = GAP_THRESHOLD_NS;
/** At most this many events on each side of the moment make its context. */
const CONTEXT_EVENTS = 40;
/** Narrowest context window (axis units, ns inside a burst): a lone event still shows its neighbours' spans. */
const MIN_WINDOW = 20_000;
/** Room left and right of the context, as a fraction of it on screen (in axis units). */
const MARGIN = 0.1;

export class PanelMoments {
  /** Every moment found so far, by time. */
  readonly list: PanelMoment[] = [];
  private detector: MomentDetector | undefined;

  constructor(private readonly strings: Strings) {}

  /** A new recording: `stageId` is the host's word for its stage (a playground may use any). */
  reset(model: TraceModel, stageId: string | undefined): void {
    this.list.length = 0;
    this.detector = new MomentDetector(model, stageId !== undefined && isStageId(stageId) ? { stage: stageId } : {});
  }

  /** Looks at what the model took since the last call; returns the moments found in it. */
  update(): PanelMoment[] {
    return this.add(this.detector?.update() ?? []);
  }

  /** The recording is complete: moments whose stage was never named are looked for too. */
  finish(): PanelMoment[] {
    return this.add(this.detector?.finish() ?? []);
  }

  private add(found: readonly DetectedMoment[]): PanelMoment[] {
    const added = found.map((m) => ({ id: m.id, timeNs: m.time, event: m.event, lane: m.lane, title: this.strings.get(momentStringKey(m.id)) }));
    if (added.length === 0) return added;
    this.list.push(...added);
    this.list.sort((a, b) => a.timeNs - b.timeNs);
    return added;
  }
}

/**
 * The window (true ns) that shows a moment with its context: the burst of events around it, on every lane,
 * out to the first pause on each side (at most CONTEXT_EVENTS events each way), so that what the
 * lanes did just before and just after is on screen. A moment whose flag stands apart from the
 * event that shows it (a wait longer than a limit) gets both, and the pauses between them.
 */
export function momentWindow(model: TraceModel, moment: PanelMoment, axis: AxisMap = TRUE_TIME): [number, number] {
  const times = model.events.time;
  const eventTime = times.get(moment.event);
  let from = Math.min(eventTime, moment.timeNs);
  let to = Math.max(eventTime, moment.timeNs);
  const last = model.eventCount - 1;
  // Left from the moment's event, right from the last event at or before its flag.
  let p = model.positionOf(moment.event);
  for (let n = 0; n < CONTEXT_EVENTS && p > 0; n++, p--) {
    const before = model.timeAt(p - 1);
    if (model.timeAt(p) - before > BURST_GAP_NS) break;
    from = Math.min(from, before);
  }
  // A flag that stands after its event (a wait past a limit) often stands in a pause: what comes
  // of it is the next burst, so one pause after the flag is crossed.
  let pauses = moment.timeNs > eventTime ? 1 : 0;
  p = Math.max(0, model.positionAtTime(moment.timeNs));
  for (let n = 0; n < CONTEXT_EVENTS && p < last; n++, p++) {
    const after = model.timeAt(p + 1);
    const crossesPause = after - Math.max(model.timeAt(p), moment.timeNs) > BURST_GAP_NS;
    if (crossesPause && pauses-- <= 0) break;
    to = Math.max(to, after);
    // Past the crossed pause, the first event of the next burst is what came of the moment.
    if (crossesPause) break;
  }
  // The margin is a share of the screen: on the collapsed axis a pause at the edge is a few
  // pixels however long it was.
  const [left, right] = [axis.unitsAt(from), axis.unitsAt(to)];
  // A recording of lone events is all pauses: its whole axis may be shorter than MIN_WINDOW.
  const extent = axis.unitsAt(model.maxTime) - axis.unitsAt(model.minTime);
  const span = Math.max(Math.min(MIN_WINDOW, extent / 8), right - left);
  const middle = (left + right) / 2;
  return [axis.nsAt(middle - span * (0.5 + MARGIN)), axis.nsAt(middle + span * (0.5 + MARGIN))];
}

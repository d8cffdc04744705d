/**
 * The panel's collapsed time axis: a piecewise-linear map between true time (ns on the model's
 * axis) and axis units. Every stretch longer than GAP_THRESHOLD_NS in which no lane has an event
 * becomes a gap; everything else keeps one unit per ns, so inside a burst the axis is true time
 * and only the pauses shrink. Plain TypeScript (no DOM, no Node): the webview draws with it and
 * the tests rebuild the same axis from the same model.
 *
 * A gap's width grows with the log of what it skipped (a 1 s pause is wider than a 60 µs one,
 * both narrow), and the scale is chosen from the recording, not fixed in ns: at the fit each gap
 * takes at most GAP_SHARE_EACH of the width and all together at most GAP_SHARE_TOTAL, so the
 * bursts share the rest however long or many the pauses were. It depends only on the event
 * times, so an axis fed chunk by chunk equals one built at once.
 */
import type { TraceModel } from './model';

/**
 * A stretch without events longer than this collapses: 50 µs, longer than a hand-over between
 * a C stage's threads or the kernel and the client (µs to tens of µs), shorter than the notes'
 * client's pauses, a poll sleep or a work span.
 */
export const GAP_THRESHOLD_NS = 50_000;
/** At most this share of the fit's width per gap (~20 px of an 800 px panel's plot). */
export const GAP_SHARE_EACH = 0.035;
/** At most this share of the fit's width for all gaps together. */
export const GAP_SHARE_TOTAL = 0.3;
/** A gap is never narrower than this many units, even when the bursts are all instants. */
const MIN_GAP_UNITS = 1;

/** The mapping the viewport works through; the true-time axis is the identity. */
export interface AxisMap {
  /** Axis units of a true time. */
  unitsAt(ns: number): number;
  /** True time at axis units. */
  nsAt(units: number): number;
}

export const TRUE_TIME: AxisMap = { unitsAt: (ns) => ns, nsAt: (units) => units };

/** Growable Float64Array (the axis keeps one entry per gap; a recording may have many). */
class Floats {
  data = new Float64Array(64);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
}

export class TimeAxis implements AxisMap {
  /** Gap i runs between the event at gapFrom[i] and the next event, at gapTo[i] (true ns). */
  private readonly gapFrom = new Floats();
  private readonly gapTo = new Floats();
  /** cum[i]: the true ns of all gaps before gap i (cum[0] = 0, one more entry than gaps). */
  private readonly cum = new Floats();
  /** Each gap's width in units of gapUnits, and their sum before gap i (like cum). */
  private readonly weight = new Floats();
  private readonly weightCum = new Floats();
  /** Events of the model already scanned, and the latest time among them. */
  private scanned = 0;
  private lastTime = NaN;
  private minTime = NaN;
  private maxTime = NaN;
  /** Width of a gap of weight 1 (one just over the threshold) in axis units. */
  gapUnits = MIN_GAP_UNITS;
  /** Each gap's left edge in axis units (depends on gapUnits: redone with it). */
  private readonly starts = new Floats();
  /** Last gap indices found, tried first (drawing asks in time order). */
  private hint = 0;
  private unitsHint = 0;

  constructor() {
    this.cum.push(0);
    this.weightCum.push(0);
  }

  static of(model: TraceModel): TimeAxis {
    const axis = new TimeAxis();
    axis.update(model);
    return axis;
  }

  get gapCount(): number {
    return this.gapFrom.length;
  }

  /** Scans the events added since the last call; true if the mapping changed. */
  update(model: TraceModel): boolean {
    const total = model.eventCount;
    if (total === this.scanned) return false;
    const times = model.events.time.data;
    let earliest = Infinity;
    for (let e = this.scanned; e < total; e++) if (times[e] < earliest) earliest = times[e];
    const order = model.order.data;
    let from: number;
    if (this.scanned === 0 || earliest >= this.lastTime) {
      // The usual case: everything new comes after what was scanned, at positions past it.
      from = this.scanned;
    } else {
      // A late batch: forget the gaps from the last event before it on and scan again from there.
      let lo = 0;
      let hi = total;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (times[order[mid]] < earliest) lo = mid + 1;
        else hi = mid;
      }
      from = lo;
      this.lastTime = from > 0 ? times[order[from - 1]] : NaN;
      let keep = this.gapTo.length;
      while (keep > 0 && !(this.gapTo.data[keep - 1] <= this.lastTime)) keep--;
      this.gapFrom.length = this.gapTo.length = this.weight.length = keep;
      this.cum.length = this.weightCum.length = keep + 1;
    }
    let previous = this.lastTime;
    for (let p = from; p < total; p++) {
      const t = times[order[p]];
      if (t - previous > GAP_THRESHOLD_NS) {
        this.gapFrom.push(previous);
        this.gapTo.push(t);
        this.cum.push(this.cum.data[this.cum.length - 1] + (t - previous));
        const weight = 1 + Math.log10((t - previous) / GAP_THRESHOLD_NS);
        this.weight.push(weight);
        this.weightCum.push(this.weightCum.data[this.weightCum.length - 1] + weight);
      }
      previous = t;
    }
    this.lastTime = previous;
    this.scanned = total;
    this.minTime = model.minTime;
    this.maxTime = model.maxTime;
    this.hint = 0;
    this.unitsHint = 0;
    this.gapUnits = this.chooseGapUnits();
    this.starts.length = 0;
    for (let i = 0; i < this.gapCount; i++) this.starts.push(this.gapFrom.data[i] - this.cum.data[i] + this.weightCum.data[i] * this.gapUnits);
    return true;
  }

  /**
   * The unit gap width g: all gaps are g·W (W the sum of weights), the widest g·w, the bursts
   * B; so the total share gW / (B + gW) ≤ GAP_SHARE_TOTAL and gw / (B + gW) ≤ GAP_SHARE_EACH.
   */
  private chooseGapUnits(): number {
    const n = this.gapCount;
    if (n === 0) return MIN_GAP_UNITS;
    const busy = this.maxTime - this.minTime - this.cum.data[n];
    const total = this.weightCum.data[n];
    let widest = 0;
    for (let i = 0; i < n; i++) widest = Math.max(widest, this.weight.data[i]);
    let units = (GAP_SHARE_TOTAL * busy) / ((1 - GAP_SHARE_TOTAL) * total);
    const each = widest - GAP_SHARE_EACH * total;
    if (each > 0) units = Math.min(units, (GAP_SHARE_EACH * busy) / each);
    // Never wider than the shortest stretch that collapses (weight 1): a gap must not stretch time.
    return Math.min(GAP_THRESHOLD_NS, Math.max(MIN_GAP_UNITS, units));
  }

  /** Gap i's left edge in axis units. */
  gapStartUnits(i: number): number {
    return this.starts.data[i];
  }

  /** Gap i's width in axis units. */
  gapWidthUnits(i: number): number {
    return this.weight.data[i] * this.gapUnits;
  }

  /** True ns at gap i's edges. */
  gapFromNs(i: number): number {
    return this.gapFrom.data[i];
  }

  gapToNs(i: number): number {
    return this.gapTo.data[i];
  }

  /** How many gaps end at or before `ns`. */
  private gapsEndedBy(ns: number): number {
    const to = this.gapTo.data;
    const n = this.gapCount;
    const h = this.hint;
    if (h <= n && (h === 0 || to[h - 1] <= ns) && (h === n || to[h] > ns)) return h;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (to[mid] <= ns) lo = mid + 1;
      else hi = mid;
    }
    this.hint = lo;
    return lo;
  }

  unitsAt(ns: number): number {
    const n = this.gapCount;
    if (n === 0) return ns;
    const i = this.gapsEndedBy(ns);
    if (i < n && ns > this.gapFrom.data[i]) {
      const from = this.gapFrom.data[i];
      return this.gapStartUnits(i) + ((ns - from) / (this.gapTo.data[i] - from)) * this.gapWidthUnits(i);
    }
    return ns - this.cum.data[i] + this.weightCum.data[i] * this.gapUnits;
  }

  /** The gap whose left edge is the last at or before `units` (-1: none). */
  gapAtOrBeforeUnits(units: number): number {
    const starts = this.starts.data;
    const n = this.gapCount;
    const h = this.unitsHint;
    if (h <= n && (h === 0 || starts[h - 1] <= units) && (h === n || starts[h] > units)) return h - 1;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] <= units) lo = mid + 1;
      else hi = mid;
    }
    this.unitsHint = lo;
    return lo - 1;
  }

  nsAt(units: number): number {
    if (this.gapCount === 0) return units;
    const i = this.gapAtOrBeforeUnits(units);
    if (i < 0) return units;
    const start = this.gapStartUnits(i);
    const width = this.gapWidthUnits(i);
    if (units < start + width) {
      const from = this.gapFrom.data[i];
      return from + ((units - start) / width) * (this.gapTo.data[i] - from);
    }
    return units + this.cum.data[i + 1] - this.weightCum.data[i + 1] * this.gapUnits;
  }

  /**
   * The linear stretches (true ns, one unit per ns) and gaps that meet [u0, u1], in order; each
   * piece is [first unit, last unit] clipped to the window, and a gap's index. Drawing the
   * ruler goes through this: ticks inside the stretches, a label on each gap.
   */
  pieces(u0: number, u1: number, visit: (kind: 'linear' | 'gap', from: number, to: number, gap: number) => void): void {
    const n = this.gapCount;
    let i = Math.max(0, this.gapAtOrBeforeUnits(u0));
    let at = u0;
    if (n === 0 || this.gapStartUnits(i) > u0) {
      // Before the first gap.
      const end = n === 0 ? u1 : Math.min(u1, this.gapStartUnits(0));
      if (end > at) visit('linear', at, end, -1);
      at = end;
      i = 0;
    }
    for (; i < n && at < u1; i++) {
      const start = this.gapStartUnits(i);
      const gapEnd = start + this.gapWidthUnits(i);
      if (gapEnd > at) {
        visit('gap', Math.max(at, start), Math.min(u1, gapEnd), i);
        at = Math.min(u1, gapEnd);
      }
      const next = i + 1 < n ? this.gapStartUnits(i + 1) : Infinity;
      const end = Math.min(u1, next);
      if (end > at) visit('linear', at, end, -1);
      at = Math.max(at, end);
    }
  }
}

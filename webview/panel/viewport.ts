/**
 * The visible window of the timeline: which stretch of the time axis maps to which pixel column,
 * which lanes are scrolled into view, and the zoom and pan arithmetic. The window is kept in axis
 * units (src/core/trace/timeAxis.ts: the collapsed axis, or true time), so zooming and panning
 * are linear on screen; every time in or out is true ns. Pure numbers, no DOM.
 */
import { TRUE_TIME, type AxisMap } from '../../src/core/trace/timeAxis';

/** Shortest window one can zoom into: 100 units (ns inside a burst) across the whole width. */
const MIN_SPAN = 100;
/** The margin fit leaves on both sides, as a share of the recording's extent. */
const FIT_MARGIN = 0.02;

export class Viewport {
  /** Left and right edge of the timeline area, in axis units. */
  start = 0;
  end = 1e9;
  /** Width of the timeline area in CSS pixels (the lane labels are not part of it). */
  widthPx = 1;
  /** Index of the first lane row scrolled into view (fractional while panning). */
  firstLane = 0;
  axis: AxisMap = TRUE_TIME;
  /** What the window is kept within (axis units): the recording and fit's margin (NaN: free). */
  private low = NaN;
  private high = NaN;
  /**
   * The true-time window asked for by setWindow (a restored view, a moment), until zooming or
   * panning replaces it: kept so that it survives the extent growing and the axis changing.
   */
  private wanted: readonly [number, number] | undefined;

  get span(): number {
    return this.end - this.start;
  }

  /** True ns at the window's edges. */
  get startNs(): number {
    return this.axis.nsAt(this.start);
  }

  get endNs(): number {
    return this.axis.nsAt(this.end);
  }

  /** Plot x (CSS px) of a true time. */
  xOf(ns: number): number {
    return ((this.axis.unitsAt(ns) - this.start) / this.span) * this.widthPx;
  }

  /** True time at plot x. */
  nsAt(x: number): number {
    return this.axis.nsAt(this.unitsAt(x));
  }

  unitsAt(x: number): number {
    return this.start + (x / this.widthPx) * this.span;
  }

  xOfUnits(units: number): number {
    return ((units - this.start) / this.span) * this.widthPx;
  }

  /** Axis units one pixel column covers (true ns inside a burst). */
  get unitsPerPx(): number {
    return this.span / this.widthPx;
  }

  /** The recording runs from `fromNs` to `toNs`: the window stays within it and fit's margin. */
  setExtent(fromNs: number, toNs: number): void {
    const from = this.axis.unitsAt(fromNs);
    const span = Math.max(MIN_SPAN, this.axis.unitsAt(toNs) - from);
    this.low = from - span * FIT_MARGIN;
    this.high = from + span * (1 + FIT_MARGIN);
  }

  /** Shows axis units [start, end], clamped to the extent. */
  setWindowUnits(start: number, end: number): void {
    this.wanted = undefined;
    this.place(start, end);
  }

  private place(start: number, end: number): void {
    if (!(end - start >= MIN_SPAN)) {
      const mid = Number.isFinite(start + end) ? (start + end) / 2 : 0;
      start = mid - MIN_SPAN / 2;
      end = mid + MIN_SPAN / 2;
    }
    if (this.high - this.low >= MIN_SPAN) {
      // Never before the recording's start or past its end: zooming out stops at the fit.
      if (end - start >= this.high - this.low) {
        start = this.low;
        end = this.high;
      } else if (start < this.low) {
        end += this.low - start;
        start = this.low;
      } else if (end > this.high) {
        start -= end - this.high;
        end = this.high;
      }
    }
    this.start = start;
    this.end = end;
  }

  /** Shows true times [fromNs, toNs] (clamped to the extent). */
  setWindow(fromNs: number, toNs: number): void {
    this.wanted = [fromNs, toNs];
    this.place(this.axis.unitsAt(fromNs), this.axis.unitsAt(toNs));
  }

  /** The true-time window to keep across a change of axis or extent (see `wanted`). */
  trueWindow(): readonly [number, number] {
    return this.wanted ?? [this.startNs, this.endNs];
  }

  /** Shows a window trueWindow() gave, the way it was set (asked for, or zoomed to). */
  restore(window: readonly [number, number]): void {
    const wanted = this.wanted;
    this.place(this.axis.unitsAt(window[0]), this.axis.unitsAt(window[1]));
    this.wanted = wanted;
  }

  /** Zooms by `factor` (< 1 zooms in) keeping the time under pixel `x` where it is. */
  zoomAt(x: number, factor: number): void {
    const anchor = this.unitsAt(x);
    const span = Math.max(MIN_SPAN, this.span * factor);
    const left = (x / this.widthPx) * span;
    this.setWindowUnits(anchor - left, anchor - left + span);
  }

  /** Moves the window by `dx` pixels (positive moves the content right, i.e. back in time). */
  panBy(dx: number): void {
    const shift = dx * this.unitsPerPx;
    this.setWindowUnits(this.start - shift, this.end - shift);
  }

  /** Makes [fromNs, toNs] the extent and shows all of it, with fit's margin. */
  fit(fromNs: number, toNs: number): void {
    this.setExtent(fromNs, toNs);
    this.setWindowUnits(this.low, this.high);
  }

  /** Scrolls the window so that `ns` is visible, keeping the zoom. */
  follow(ns: number): void {
    const u = this.axis.unitsAt(ns);
    if (u >= this.start && u <= this.end) return;
    const span = this.span;
    this.setWindowUnits(u - span * 0.5, u + span * 0.5);
  }
}

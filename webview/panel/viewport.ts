/**
 * The visible window of the timeline: which nanoseconds map to which pixel column, which lanes
 * are scrolled into view, and the zoom and pan arithmetic. Pure numbers, no DOM.
 */

/** Shortest window one can zoom into: 100 ns across the whole width. */
const MIN_SPAN_NS = 100;

export class Viewport {
  /** Left edge of the timeline area, in ns on the recording's axis. */
  startNs = 0;
  /** Right edge, in ns. */
  endNs = 1e9;
  /** Width of the timeline area in CSS pixels (the lane labels are not part of it). */
  widthPx = 1;
  /** Index of the first lane row scrolled into view (fractional while panning). */
  firstLane = 0;

  get spanNs(): number {
    return this.endNs - this.startNs;
  }

  xOf(ns: number): number {
    return ((ns - this.startNs) / this.spanNs) * this.widthPx;
  }

  nsAt(x: number): number {
    return this.startNs + (x / this.widthPx) * this.spanNs;
  }

  /** Nanoseconds that one pixel column covers. */
  get nsPerPx(): number {
    return this.spanNs / this.widthPx;
  }

  setWindow(startNs: number, endNs: number): void {
    if (!(endNs - startNs >= MIN_SPAN_NS)) {
      const mid = Number.isFinite(startNs + endNs) ? (startNs + endNs) / 2 : 0;
      startNs = mid - MIN_SPAN_NS / 2;
      endNs = mid + MIN_SPAN_NS / 2;
    }
    this.startNs = startNs;
    this.endNs = endNs;
  }

  /** Zooms by `factor` (< 1 zooms in) keeping the time under pixel `x` where it is. */
  zoomAt(x: number, factor: number): void {
    const anchor = this.nsAt(x);
    const span = Math.max(MIN_SPAN_NS, this.spanNs * factor);
    const left = (x / this.widthPx) * span;
    this.setWindow(anchor - left, anchor - left + span);
  }

  /** Moves the window by `dx` pixels (positive moves the content right, i.e. back in time). */
  panBy(dx: number): void {
    const shift = dx * this.nsPerPx;
    this.setWindow(this.startNs - shift, this.endNs - shift);
  }

  /** Shows [fromNs, toNs] with a small margin on both sides. */
  fit(fromNs: number, toNs: number): void {
    const span = Math.max(MIN_SPAN_NS, toNs - fromNs);
    const margin = span * 0.02;
    this.setWindow(fromNs - margin, toNs + margin);
  }

  /** Scrolls the window so that `ns` is visible, keeping the zoom. */
  follow(ns: number): void {
    if (ns >= this.startNs && ns <= this.endNs) return;
    const span = this.spanNs;
    this.setWindow(ns - span * 0.5, ns + span * 0.5);
  }
}

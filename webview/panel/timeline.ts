/**
 * Draws the lanes on one time axis into a canvas. Cost per frame is bounded by what fits on the
 * screen, not by the recording: for each visible lane and depth it binary-searches the first
 * visible span, and when spans get thinner than a pixel it paints that pixel column once and
 * jumps (by binary search again) to the span under the next column's left edge. A million events
 * draw as fast as a thousand. Depths are painted outermost first, so a wait or a work slice is
 * always drawn over the life of its thread, whatever their colours.
 */
import { lowerBound } from '../../src/core/trace/columns';
import type { TraceModel } from '../../src/core/trace/model';
import type { Lane } from '../../src/core/trace/lane';
import { LANE_STATE_NAMES, markThemeColor, shownState, STATE_FILL, type LaneStateId } from '../../src/core/trace/states';
import type { Palette } from './colors';
import { formatTick, niceStep } from './text';
import type { Viewport } from './viewport';

export const AXIS_HEIGHT = 22;
export const ROW_HEIGHT = 20;
const MAX_LABEL_WIDTH = 190;
/** Least room between two time ticks (CSS px): a label such as "500 ms" and a gap. */
const MIN_TICK_SPACING = 70;

/** States drawn as a thin line through the middle of the row rather than a bar, by state id. */
const DRAWN_AS_LINE: readonly boolean[] = LANE_STATE_NAMES.map((name) => STATE_FILL[name] === 'line');
/** Height of that line (CSS px). */
const LINE_HEIGHT = 2;

/** What lies under a point of the canvas. */
export interface Hit {
  readonly row: number;
  readonly lane: number;
  /** Arrival index of the event to show: an instant's, or the begin event of the span hit. */
  readonly event: number;
}

export interface TimelineView {
  readonly model: TraceModel;
  /** Lane indices in display order. */
  readonly rows: readonly number[];
  readonly viewport: Viewport;
  readonly palette: Palette;
  /** Cursor time (NaN: none). */
  readonly cursorNs: number;
  /** Arrival index of the event at the cursor, or -1. */
  readonly cursorEvent: number;
  /** Row index of the selected lane, or -1. */
  readonly selectedRow: number;
  /** Open spans are drawn up to here (the latest event). */
  readonly nowNs: number;
  /** Per-lane label suffix, e.g. "thread", "client". */
  readonly laneLabel: (lane: Lane) => string;
  /** Moments the notes talk about, flagged across every lane. */
  readonly moments: readonly { readonly timeNs: number; readonly title: string }[];
}

export class Timeline {
  private readonly ctx: CanvasRenderingContext2D;
  private widthCss = 1;
  private heightCss = 1;
  private dpr = 1;
  /** Rectangles to fill, grouped by state: x, y, w, h, ... (reused between frames). */
  private readonly rects: number[][] = LANE_STATE_NAMES.map(() => []);
  private readonly instantColors = new Map<number, string>();
  /** Instant marks to fill, by colour: x, y, ... (reused between frames). */
  private readonly marks = new Map<string, number[]>();
  labelWidth = MAX_LABEL_WIDTH;

  constructor(readonly canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('no 2D canvas');
    this.ctx = ctx;
  }

  /** Matches the canvas to its CSS size and the device pixel ratio; true if it changed. */
  resize(widthCss: number, heightCss: number, dpr: number): boolean {
    widthCss = Math.max(1, Math.floor(widthCss));
    heightCss = Math.max(1, Math.floor(heightCss));
    if (widthCss === this.widthCss && heightCss === this.heightCss && dpr === this.dpr) return false;
    this.widthCss = widthCss;
    this.heightCss = heightCss;
    this.dpr = dpr;
    this.canvas.width = Math.round(widthCss * dpr);
    this.canvas.height = Math.round(heightCss * dpr);
    this.labelWidth = Math.min(MAX_LABEL_WIDTH, Math.floor(widthCss * 0.3));
    return true;
  }

  /** Width of the time area, for the viewport. */
  get plotWidth(): number {
    return Math.max(1, this.widthCss - this.labelWidth);
  }

  /** How many lane rows fit. */
  get visibleRows(): number {
    return Math.max(1, Math.floor((this.heightCss - AXIS_HEIGHT) / ROW_HEIGHT));
  }

  draw(view: TimelineView): void {
    const { ctx } = this;
    const { palette } = view;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = palette.background;
    ctx.fillRect(0, 0, this.widthCss, this.heightCss);
    ctx.font = palette.font;
    this.drawAxis(view);

    const first = Math.max(0, Math.floor(view.viewport.firstLane));
    const last = Math.min(view.rows.length, first + this.visibleRows + 1);
    let depths = 0;
    for (let row = first; row < last; row++) {
      const y = AXIS_HEIGHT + (row - first) * ROW_HEIGHT;
      if (row === view.selectedRow) {
        ctx.fillStyle = palette.selection;
        ctx.fillRect(0, y, this.widthCss, ROW_HEIGHT);
      } else if (row % 2 === 1) {
        ctx.fillStyle = palette.hover;
        ctx.fillRect(this.labelWidth, y, this.widthCss - this.labelWidth, ROW_HEIGHT);
      }
      depths = Math.max(depths, view.model.lanes[view.rows[row]].levels.length);
    }
    // One depth at a time: rectangles are filled grouped by state, and a deeper slice must cover
    // its parent even when the parent's state comes later in that order (a pool thread's idle
    // life around its work).
    for (let depth = 0; depth < depths; depth++) {
      for (let row = first; row < last; row++) {
        this.queueSpans(view, view.model.lanes[view.rows[row]], depth, AXIS_HEIGHT + (row - first) * ROW_HEIGHT);
      }
      this.flushRects(palette);
    }
    for (let row = first; row < last; row++) {
      this.queueInstants(view, view.model.lanes[view.rows[row]], AXIS_HEIGHT + (row - first) * ROW_HEIGHT);
    }
    this.flushMarks();
    this.drawLabels(view, first, last);
    this.drawMoments(view);
    this.drawCursor(view);
  }

  /** A dashed line across the lanes and a small flag in the axis at each moment. */
  private drawMoments(view: TimelineView): void {
    const ctx = this.ctx;
    ctx.strokeStyle = view.palette.moment;
    ctx.fillStyle = view.palette.moment;
    ctx.setLineDash([3, 3]);
    for (const moment of view.moments) {
      const x = view.viewport.xOf(moment.timeNs);
      if (x < 0 || x > this.plotWidth) continue;
      const px = this.labelWidth + Math.round(x) + 0.5;
      ctx.beginPath();
      ctx.moveTo(px, AXIS_HEIGHT);
      ctx.lineTo(px, this.heightCss);
      ctx.stroke();
      ctx.fillRect(px, 2, 7, 6);
    }
    ctx.setLineDash([]);
  }

  private drawAxis(view: TimelineView): void {
    const ctx = this.ctx;
    const { viewport, palette } = view;
    const step = niceStep(viewport.nsPerPx * MIN_TICK_SPACING);
    const firstTick = Math.ceil(viewport.startNs / step) * step;
    ctx.strokeStyle = palette.grid;
    ctx.fillStyle = palette.muted;
    ctx.textBaseline = 'middle';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let t = firstTick; t <= viewport.endNs; t += step) {
      const x = Math.round(this.labelWidth + viewport.xOf(t)) + 0.5;
      ctx.moveTo(x, AXIS_HEIGHT - 5);
      ctx.lineTo(x, this.heightCss);
      const label = formatTick(t);
      // The last label is left out rather than cut by the canvas's edge.
      if (x + 3 + ctx.measureText(label).width <= this.widthCss) ctx.fillText(label, x + 3, AXIS_HEIGHT / 2);
    }
    ctx.stroke();
  }

  /** Queues the visible spans of one lane at one depth into the per-state rectangle lists. */
  private queueSpans(view: TimelineView, lane: Lane, depth: number, y: number): void {
    if (depth >= lane.levels.length) return;
    const level = lane.levels[depth];
    const n = level.length;
    if (n === 0) return;
    const { viewport } = view;
    const t0 = viewport.startNs;
    const t1 = viewport.endNs;
    const nsPerPx = viewport.nsPerPx;
    const left = this.labelWidth;
    const inset = 2 + Math.min(depth, 3) * 2;
    const top = y + inset;
    const height = ROW_HEIGHT - 2 * inset;
    const starts = level.start.data;
    const ends = level.end.data;
    const states = level.state.data;
    const lineTop = y + (ROW_HEIGHT - LINE_HEIGHT) / 2;
    const push = (state: number, from: number, to: number) => {
      if (DRAWN_AS_LINE[state]) this.rects[state].push(left + from, lineTop, to - from, LINE_HEIGHT);
      else this.rects[state].push(left + from, top, to - from, height);
    };
    // Neighbouring pieces of one state merge into one rectangle (fewer to fill).
    let runState = -1;
    let runFrom = 0;
    let runTo = 0;
    const put = (state: number, from: number, to: number) => {
      if (state === runState && from <= runTo + 0.5) {
        if (to > runTo) runTo = to;
        return;
      }
      if (runState >= 0) push(runState, runFrom, runTo);
      runState = state;
      runFrom = from;
      runTo = to;
    };
    // Left of this x (plot px) the lane is painted already: a column belongs to one span.
    let paintedTo = -Infinity;
    let i = level.firstEndingAfter(t0);
    while (i < n) {
      const start = starts[i];
      if (start > t1) break;
      const end = Number.isNaN(ends[i]) ? view.nowNs : ends[i];
      const state = shownState(lane.kind, depth, states[i] as LaneStateId);
      const x0 = Math.max((start - t0) / nsPerPx, paintedTo);
      const x1 = (end - t0) / nsPerPx;
      if (x1 - x0 >= 1) {
        put(state, Math.max(x0, -1), Math.min(x1, this.widthCss));
        i++;
      } else {
        // Less than a pixel left to show: this column shows the span under its left edge (or
        // the first that starts in it), and drawing goes on with the span under the next
        // column's left edge. That span may have started in this column: a long wait right
        // after a short call is drawn from the next column on, not skipped.
        const column = Math.floor(x0);
        if (column >= 0) put(state, column, column + 1);
        paintedTo = column + 1;
        const next = level.firstEndingAfter(t0 + paintedTo * nsPerPx);
        // The same span once more only if it reaches past this column (an open one ends now).
        i = next > i || (next === i && x1 > paintedTo) ? next : i + 1;
      }
    }
    if (runState >= 0) push(runState, runFrom, runTo);
  }

  private flushRects(palette: Palette): void {
    const ctx = this.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(this.labelWidth, AXIS_HEIGHT, this.widthCss - this.labelWidth, this.heightCss - AXIS_HEIGHT);
    ctx.clip();
    for (let state = 0; state < this.rects.length; state++) {
      const list = this.rects[state];
      if (list.length === 0) continue;
      ctx.fillStyle = palette.state[state];
      ctx.beginPath();
      for (let k = 0; k < list.length; k += 4) ctx.rect(list[k], list[k + 1], list[k + 2], list[k + 3]);
      ctx.fill();
      list.length = 0;
    }
    ctx.restore();
  }

  /** Queues one lane's visible instants, one mark per two pixels, into per-colour lists. */
  private queueInstants(view: TimelineView, lane: Lane, y: number): void {
    const n = lane.instants.length;
    if (n === 0) return;
    const { viewport, model, palette } = view;
    const times = lane.instantTimes.data;
    const kinds = model.events.kind.data;
    const instants = lane.instants.data;
    const t0 = viewport.startNs;
    const nsPerPx = viewport.nsPerPx;
    let i = lowerBound(times, n, t0);
    while (i < n) {
      const x = Math.floor((times[i] - t0) / nsPerPx);
      if (x > this.plotWidth) break;
      const color = this.instantColor(palette, kinds[instants[i]]);
      let list = this.marks.get(color);
      if (!list) this.marks.set(color, (list = []));
      list.push(this.labelWidth + x, y);
      const next = lowerBound(times, n, t0 + (x + 2) * nsPerPx);
      i = next > i ? next : i + 1;
    }
  }

  private flushMarks(): void {
    const ctx = this.ctx;
    for (const [color, list] of this.marks) {
      if (list.length === 0) continue;
      ctx.fillStyle = color;
      ctx.beginPath();
      for (let k = 0; k < list.length; k += 2) ctx.rect(list[k], list[k + 1], 2, 6);
      ctx.fill();
      list.length = 0;
    }
  }

  private instantColor(palette: Palette, kind: number): string {
    let color = this.instantColors.get(kind);
    if (!color) {
      color = palette.color(markThemeColor(kind));
      this.instantColors.set(kind, color);
    }
    return color;
  }

  /** Forget cached colours (the theme changed). */
  themeChanged(): void {
    this.instantColors.clear();
  }

  private drawLabels(view: TimelineView, first: number, last: number): void {
    const ctx = this.ctx;
    const { palette } = view;
    ctx.fillStyle = palette.background;
    ctx.fillRect(0, AXIS_HEIGHT, this.labelWidth, this.heightCss - AXIS_HEIGHT);
    ctx.textBaseline = 'middle';
    for (let row = first; row < last; row++) {
      const lane = view.model.lanes[view.rows[row]];
      const y = AXIS_HEIGHT + (row - first) * ROW_HEIGHT;
      if (row === view.selectedRow) {
        ctx.fillStyle = palette.selection;
        ctx.fillRect(0, y, this.labelWidth, ROW_HEIGHT);
      }
      ctx.fillStyle = palette.lanes[lane.index % palette.lanes.length];
      ctx.fillRect(4, y + 5, 4, ROW_HEIGHT - 10);
      ctx.fillStyle = palette.foreground;
      ctx.fillText(this.label(lane.name, view.laneLabel(lane), this.labelWidth - 16), 12, y + ROW_HEIGHT / 2);
    }
    ctx.fillStyle = palette.grid;
    ctx.fillRect(this.labelWidth - 1, AXIS_HEIGHT, 1, this.heightCss - AXIS_HEIGHT);
  }

  /**
   * "name · kind", with the kind left out when the name says it already ("libuv pool thread") or
   * when the two do not fit: a narrow panel shows "carrier 0", not "carrier 0 · ca…".
   */
  private label(name: string, kind: string, width: number): string {
    if (name.toLowerCase().includes(kind.toLowerCase())) return this.fit(name, width);
    const full = `${name} · ${kind}`;
    const fitted = this.fit(full, width);
    return fitted === full ? full : this.fit(name, width);
  }

  /** Labels cut to fit, by text, width and font: measuring every label every frame is not free. */
  private readonly fitted = new Map<string, string>();

  private fit(text: string, width: number): string {
    const key = `${width}|${this.ctx.font}|${text}`;
    let cut = this.fitted.get(key);
    if (cut === undefined) {
      if (this.fitted.size > 10_000) this.fitted.clear();
      cut = this.measureFit(text, width);
      this.fitted.set(key, cut);
    }
    return cut;
  }

  private measureFit(text: string, width: number): string {
    const ctx = this.ctx;
    if (ctx.measureText(text).width <= width) return text;
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (ctx.measureText(`${text.slice(0, mid)}…`).width <= width) lo = mid;
      else hi = mid - 1;
    }
    return `${text.slice(0, lo)}…`;
  }

  private drawCursor(view: TimelineView): void {
    if (Number.isNaN(view.cursorNs)) return;
    const x = view.viewport.xOf(view.cursorNs);
    if (x < 0 || x > this.plotWidth) return;
    const ctx = this.ctx;
    ctx.fillStyle = view.palette.focus;
    ctx.fillRect(this.labelWidth + Math.round(x) - 1, 0, 2, this.heightCss);
  }

  /** The lane row and event under a point (CSS pixels), if any. */
  hitTest(view: TimelineView, x: number, y: number): Hit | undefined {
    if (y < AXIS_HEIGHT) return undefined;
    const row = Math.floor(view.viewport.firstLane) + Math.floor((y - AXIS_HEIGHT) / ROW_HEIGHT);
    if (row < 0 || row >= view.rows.length) return undefined;
    const laneIndex = view.rows[row];
    if (x < this.labelWidth) return { row, lane: laneIndex, event: -1 };
    const lane = view.model.lanes[laneIndex];
    const px = x - this.labelWidth;
    const time = view.viewport.nsAt(px);
    const slack = 3 * view.viewport.nsPerPx;
    const times = view.model.events.time.data;
    // An instant within three pixels wins over the span beneath it.
    const near = lowerBound(lane.instantTimes.data, lane.instantTimes.length, time - slack);
    if (near < lane.instants.length && Math.abs(times[lane.instants.get(near)] - time) <= slack) {
      return { row, lane: laneIndex, event: lane.instants.get(near) };
    }
    for (let depth = lane.levels.length - 1; depth >= 0; depth--) {
      const span = lane.levels[depth].find(time, Infinity);
      if (span >= 0) return { row, lane: laneIndex, event: lane.levels[depth].beginEvent.get(span) };
    }
    return { row, lane: laneIndex, event: -1 };
  }
}

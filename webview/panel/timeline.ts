/**
 * Draws the lanes on one time axis into a canvas. Cost per frame is bounded by what fits on the
 * screen, not by the recording: for each visible lane and depth it binary-searches the first
 * visible span, and when spans get thinner than a pixel it paints that pixel column once and
 * jumps (by binary search again) to the span under the next column's left edge. A million events
 * draw as fast as a thousand. Depths are painted outermost first, so a wait or a work slice is
 * always drawn over the life of its thread, whatever their colours.
 */
import { lowerBound, upperBound } from '../../src/core/trace/columns';
import type { TraceModel } from '../../src/core/trace/model';
import type { Lane } from '../../src/core/trace/lane';
import type { JourneyPiece } from '../../src/core/trace/requests';
import type { SpanLevel } from '../../src/core/trace/spans';
import type { TimeAxis } from '../../src/core/trace/timeAxis';
import { LANE_STATE_NAMES, markThemeColor, shownState, STATE_FILL, type LaneStateId } from '../../src/core/trace/states';
import type { Palette } from './colors';
import { valueAt, type CounterTrack } from './counterTracks';
import { AXIS_HEIGHT, MIN_ROW_HEIGHT, ROW_HEIGHT, TRACK_HEIGHT } from './geometry';
import { formatPreciseTick, formatTick, niceStep, tickNeedsPrecision } from './text';
import type { Viewport } from './viewport';

export { AXIS_HEIGHT, ROW_HEIGHT, TRACK_HEIGHT };
const MAX_LABEL_WIDTH = 190;
/** Least room between two time ticks (CSS px): a label such as "500 ms" and a gap. */
const MIN_TICK_SPACING = 70;

/** States drawn as a thin line through the middle of the row rather than a bar, by state id. */
const DRAWN_AS_LINE: readonly boolean[] = LANE_STATE_NAMES.map((name) => STATE_FILL[name] === 'line');
/** Height of that line (CSS px). */
const LINE_HEIGHT = 2;
/** Height of a followed request's strip of stretches, at the bottom of its client's row (CSS px). */
const JOURNEY_STRIP_PX = 5;
/** Length of a hand-over arrow's head (CSS px). */
const ARROW_HEAD_PX = 6;
/** A gap of the collapsed axis is drawn at least this wide (CSS px), however far one zooms out. */
const MIN_GAP_PX = 2;
/** Narrower gaps are marked in the ruler only, not hatched across the lanes (CSS px). */
const MIN_HATCH_PX = 5;

/**
 * The first of the sorted array[from, n) that is >= value (or n), looking near `from` first:
 * drawing jumps a pixel column at a time, so the answer is usually close (a full binary search
 * per column over ten million events is most of a frame).
 */
function lowerBoundFrom(array: ArrayLike<number>, n: number, from: number, value: number): number {
  let lo = from;
  let hi = from;
  for (let step = 1; hi < n && array[hi] < value; step *= 2) {
    lo = hi + 1;
    hi = from + step;
  }
  if (hi > n) hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (array[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** SpanLevel.firstEndingAfter(time), for a time at or after span `from`'s start: searched from there. */
function endingAfterFrom(level: SpanLevel, from: number, time: number): number {
  const starts = level.start.data;
  const n = level.length;
  // The last span starting at or before `time`: one before the first that starts after it.
  let lo = from;
  let hi = from;
  for (let step = 1; hi < n && starts[hi] <= time; step *= 2) {
    lo = hi + 1;
    hi = from + step;
  }
  if (hi > n) hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid] <= time) lo = mid + 1;
    else hi = mid;
  }
  const i = lo - 1;
  if (i >= 0 && (level.isOpen(i) || level.end.get(i) > time)) return i;
  return i + 1;
}

/** What lies under a point of the canvas. */
export interface Hit {
  readonly row: number;
  readonly lane: number;
  /** Arrival index of the event to show: an instant's, or the begin event of the span hit. */
  readonly event: number;
}

/** A hand-over on a followed request's path: from a row at a time to another row at a time. */
export interface JourneyHop {
  readonly fromRow: number;
  readonly fromNs: number;
  readonly toRow: number;
  readonly toNs: number;
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
  /** The collapsed axis, whose gaps are drawn as hatched bands (undefined: true time). */
  readonly gaps?: TimeAxis;
  /** A gap's ruler label, long and short ("⋯ 1.00 s idle", "⋯ 1.00 s"). */
  readonly gapLabels?: (gap: number) => readonly [string, string];
  /** Counters drawn as tracks under the lanes, with their names. */
  readonly counters?: readonly CounterTrack[];
  readonly counterName?: (track: CounterTrack) => string;
  /** The request the user follows: its client's row, its journey's stretches, its hand-overs. */
  readonly journey?: { readonly row: number; readonly pieces: readonly JourneyPiece[]; readonly hops: readonly JourneyHop[] };
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
  /** Counter tracks in the last frame, and where they begin (CSS px): below it is no lane. */
  private trackCount = 0;
  /** Lanes of the last frame (the row height depends on it). */
  private laneCount = 0;
  private tracksTop = Infinity;
  /** Where the lanes and tracks end (CSS px): the gaps' bands stop there. */
  private contentBottom = 0;
  /** The gaps' bands in the last frame: x from, x to (canvas CSS px), merged where they touch. */
  private readonly gapRuns: number[] = [];
  /** Ruler labels placed this frame: x from, x to, so that ticks do not write over them. */
  private readonly taken: number[] = [];
  private hatch: { color: string; pattern: CanvasPattern | null } | undefined;
  /** The gap labels the last frame wrote on the ruler (tests and screen readers read them). */
  readonly gapLabelsDrawn: string[] = [];
  /** A track's step chart as x, y pairs (reused between frames). */
  private readonly trackPoints: number[] = [];

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

  /**
   * A lane row's height: ROW_HEIGHT when every lane fits, less (down to MIN_ROW_HEIGHT) when that
   * makes them fit, since a lane out of view is a part of the lesson nobody sees. Set each frame.
   */
  get rowHeight(): number {
    if (this.laneCount === 0) return ROW_HEIGHT;
    return Math.max(MIN_ROW_HEIGHT, Math.min(ROW_HEIGHT, Math.floor(this.laneRoom / this.laneCount)));
  }

  /** How many lane rows fit. */
  get visibleRows(): number {
    return Math.max(1, Math.floor(this.laneRoom / this.rowHeight));
  }

  /** Height left for the lanes between the ruler and the counter tracks (CSS px). */
  private get laneRoom(): number {
    return this.heightCss - AXIS_HEIGHT - this.trackCount * TRACK_HEIGHT;
  }

  draw(view: TimelineView): void {
    const { ctx } = this;
    const { palette } = view;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = palette.background;
    ctx.fillRect(0, 0, this.widthCss, this.heightCss);
    ctx.font = palette.font;
    this.trackCount = view.counters?.length ?? 0;
    this.laneCount = view.rows.length;
    const rowHeight = this.rowHeight;
    this.drawAxis(view);

    const first = Math.max(0, Math.floor(view.viewport.firstLane));
    const last = Math.min(view.rows.length, first + this.visibleRows + 1);
    let depths = 0;
    for (let row = first; row < last; row++) {
      const y = AXIS_HEIGHT + (row - first) * rowHeight;
      if (row === view.selectedRow) {
        ctx.fillStyle = palette.selection;
        ctx.fillRect(0, y, this.widthCss, rowHeight);
      } else if (row % 2 === 1) {
        ctx.fillStyle = palette.hover;
        ctx.fillRect(this.labelWidth, y, this.widthCss - this.labelWidth, rowHeight);
      }
      depths = Math.max(depths, view.model.lanes[view.rows[row]].levels.length);
    }
    // One depth at a time: rectangles are filled grouped by state, and a deeper slice must cover
    // its parent even when the parent's state comes later in that order (a pool thread's idle
    // life around its work).
    for (let depth = 0; depth < depths; depth++) {
      for (let row = first; row < last; row++) {
        this.queueSpans(view, view.model.lanes[view.rows[row]], depth, AXIS_HEIGHT + (row - first) * rowHeight);
      }
      this.flushRects(palette);
    }
    for (let row = first; row < last; row++) {
      this.queueInstants(view, view.model.lanes[view.rows[row]], AXIS_HEIGHT + (row - first) * rowHeight);
    }
    this.flushMarks();
    this.drawLabels(view, first, last);
    const lanesBottom = AXIS_HEIGHT + Math.max(0, Math.min(view.rows.length - first, this.visibleRows)) * rowHeight;
    this.tracksTop = this.trackCount > 0 ? lanesBottom : Infinity;
    this.contentBottom = Math.min(this.heightCss, lanesBottom + this.trackCount * TRACK_HEIGHT);
    this.drawTracks(view);
    this.drawGapBands(view);
    this.drawMoments(view);
    this.drawJourney(view, first);
    this.drawCursor(view);
  }

  /**
   * The followed request: a light band across the lanes for its whole time, so the server's
   * lanes can be read against it, and on its client's row a strip of its stretches in their
   * colours (PIECE_THEME_COLOR), framed in the focus colour.
   */
  private drawJourney(view: TimelineView, first: number): void {
    const journey = view.journey;
    if (!journey || journey.pieces.length === 0) return;
    const ctx = this.ctx;
    const { viewport, palette } = view;
    const left = this.labelWidth;
    const clip = (x: number) => Math.max(0, Math.min(this.plotWidth, x));
    const from = clip(viewport.xOf(journey.pieces[0].startNs));
    const to = clip(viewport.xOf(journey.pieces[journey.pieces.length - 1].endNs));
    if (to <= 0 || from >= this.plotWidth) return;
    const width = Math.max(2, to - from);
    ctx.globalAlpha = 0.18;
    ctx.fillStyle = palette.focus;
    ctx.fillRect(left + from, AXIS_HEIGHT, width, this.contentBottom - AXIS_HEIGHT);
    ctx.globalAlpha = 1;
    const row = journey.row - first;
    if (row < 0 || row >= this.visibleRows) return;
    const rowHeight = this.rowHeight;
    const top = AXIS_HEIGHT + row * rowHeight + rowHeight - JOURNEY_STRIP_PX - 1;
    for (const piece of journey.pieces) {
      const a = clip(viewport.xOf(piece.startNs));
      const b = clip(viewport.xOf(piece.endNs));
      if (b <= a) continue;
      ctx.fillStyle = palette.piece[piece.segment];
      ctx.fillRect(left + a, top, Math.max(1, b - a), JOURNEY_STRIP_PX);
    }
    ctx.strokeStyle = palette.focus;
    ctx.lineWidth = 1;
    ctx.strokeRect(left + from + 0.5, AXIS_HEIGHT + row * rowHeight + 0.5, width - 1, rowHeight - 1);
    this.drawHops(view, first);
  }

  /** The followed request's hand-overs: an arrow from each lane it left to the one it reached. */
  private drawHops(view: TimelineView, first: number): void {
    const hops = view.journey?.hops ?? [];
    const ctx = this.ctx;
    const rowHeight = this.rowHeight;
    const point = (row: number, ns: number) => ({ x: this.labelWidth + view.viewport.xOf(ns), y: AXIS_HEIGHT + (row - first) * rowHeight + rowHeight / 2 });
    ctx.strokeStyle = view.palette.focus;
    ctx.fillStyle = view.palette.focus;
    ctx.lineWidth = 1.5;
    for (const hop of hops) {
      const a = point(hop.fromRow, hop.fromNs);
      const b = point(hop.toRow, hop.toNs);
      const inView = (p: { x: number; y: number }) => p.x >= this.labelWidth && p.x <= this.widthCss && p.y >= AXIS_HEIGHT && p.y <= this.contentBottom;
      if (!inView(a) && !inView(b)) continue;
      ctx.beginPath();
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
      ctx.stroke();
      // The head, along the line, at its end.
      const angle = Math.atan2(b.y - a.y, b.x - a.x);
      ctx.beginPath();
      ctx.moveTo(b.x, b.y);
      ctx.lineTo(b.x - ARROW_HEAD_PX * Math.cos(angle - 0.45), b.y - ARROW_HEAD_PX * Math.sin(angle - 0.45));
      ctx.lineTo(b.x - ARROW_HEAD_PX * Math.cos(angle + 0.45), b.y - ARROW_HEAD_PX * Math.sin(angle + 0.45));
      ctx.closePath();
      ctx.fill();
    }
    ctx.lineWidth = 1;
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

  /**
   * The ruler: on the collapsed axis a label on each gap saying how long it was, then ticks in
   * true time inside every stretch between gaps (one unit per ns there, so one tick step fits
   * all). Where ticks a step apart would read the same ("3.000 s"), the first says the time
   * precisely and the rest how far after it they are ("+20 µs").
   */
  private drawAxis(view: TimelineView): void {
    const ctx = this.ctx;
    const { viewport, palette } = view;
    const step = niceStep(viewport.unitsPerPx * MIN_TICK_SPACING);
    const left = this.labelWidth;
    this.taken.length = 0;
    this.gapRuns.length = 0;
    this.gapLabelsDrawn.length = 0;
    ctx.strokeStyle = palette.grid;
    ctx.fillStyle = palette.muted;
    ctx.textBaseline = 'middle';
    ctx.lineWidth = 1;
    ctx.beginPath();
    const ticks = (fromUnits: number, toUnits: number) => {
      // Inside a stretch, true time = units + offset.
      const offset = viewport.axis.nsAt(fromUnits) - fromUnits;
      const from = fromUnits + offset;
      const to = toUnits + offset;
      const precise = tickNeedsPrecision(Math.max(Math.abs(from), Math.abs(to)), step);
      let base = NaN;
      for (let k = Math.ceil(from / step); k * step <= to; k++) {
        const t = k * step;
        const x = Math.round(left + viewport.xOfUnits(t - offset)) + 0.5;
        ctx.moveTo(x, AXIS_HEIGHT - 5);
        ctx.lineTo(x, this.heightCss);
        const label = !precise ? formatTick(t) : Number.isNaN(base) ? formatPreciseTick(t, step) : `+${formatTick(t - base)}`;
        const width = ctx.measureText(label).width;
        // The last label is left out rather than cut by the canvas's edge.
        if (x + 3 + width <= this.widthCss && this.free(x, x + 3 + width)) {
          ctx.fillText(label, x + 3, AXIS_HEIGHT / 2);
          this.taken.push(x, x + 3 + width + 6);
          if (precise && Number.isNaN(base)) base = t;
        }
      }
    };
    const gaps = view.gaps;
    if (!gaps || gaps.gapCount === 0) {
      ticks(viewport.start, viewport.end);
    } else {
      this.placeGaps(view, gaps);
      gaps.pieces(viewport.start, viewport.end, (kind, from, to) => {
        if (kind === 'linear' && viewport.xOfUnits(to) - viewport.xOfUnits(from) >= 1) ticks(from, to);
      });
    }
    ctx.stroke();
  }

  /** True when [x0, x1] of the ruler holds no label yet. */
  private free(x0: number, x1: number): boolean {
    const taken = this.taken;
    for (let k = 0; k < taken.length; k += 2) if (x0 < taken[k + 1] && x1 > taken[k]) return false;
    return true;
  }

  /**
   * Finds the visible gaps' bands (merged where they touch) and writes their ruler labels, the
   * longest gaps first: where labels would overlap, the pause that skipped most keeps its own.
   */
  private placeGaps(view: TimelineView, gaps: TimeAxis): void {
    const ctx = this.ctx;
    const { viewport } = view;
    const left = this.labelWidth;
    const runs = this.gapRuns;
    // One candidate per merged band: its longest gap.
    const labels: { centre: number; gap: number; ns: number }[] = [];
    const first = Math.max(0, gaps.gapAtOrBeforeUnits(viewport.start));
    for (let gap = first; gap < gaps.gapCount; gap++) {
      const start = gaps.gapStartUnits(gap);
      if (start > viewport.end) break;
      let x0 = left + viewport.xOfUnits(start);
      let x1 = left + viewport.xOfUnits(start + gaps.gapWidthUnits(gap));
      if (x1 - x0 < MIN_GAP_PX) {
        const centre = (x0 + x1) / 2;
        x0 = centre - MIN_GAP_PX / 2;
        x1 = centre + MIN_GAP_PX / 2;
      }
      x0 = Math.max(left, x0);
      x1 = Math.min(this.widthCss, x1);
      if (x1 <= x0) continue;
      const ns = gaps.gapToNs(gap) - gaps.gapFromNs(gap);
      const label = { centre: (x0 + x1) / 2, gap, ns };
      if (runs.length > 0 && x0 <= runs[runs.length - 1] + 1) {
        runs[runs.length - 1] = Math.max(runs[runs.length - 1], x1);
        const last = labels[labels.length - 1];
        if (ns > last.ns) labels[labels.length - 1] = label;
      } else {
        runs.push(x0, x1);
        labels.push(label);
      }
    }
    if (!view.gapLabels) return;
    labels.sort((a, b) => b.ns - a.ns);
    ctx.fillStyle = view.palette.foreground;
    for (const { centre, gap } of labels) {
      if (!this.free(centre - 2, centre + 2)) continue;
      for (const label of view.gapLabels(gap)) {
        const width = ctx.measureText(label).width;
        const x = Math.max(left + 2, Math.min(this.widthCss - width - 2, centre - width / 2));
        if (!this.free(x - 4, x + width + 4)) continue;
        ctx.fillText(label, x, AXIS_HEIGHT / 2);
        this.taken.push(x - 4, x + width + 4);
        this.gapLabelsDrawn.push(label);
        break;
      }
    }
    ctx.fillStyle = view.palette.muted;
  }

  /** The gaps as hatched bands across the lanes and tracks: time skipped, drawn through. */
  private drawGapBands(view: TimelineView): void {
    const runs = this.gapRuns;
    if (runs.length === 0) return;
    const ctx = this.ctx;
    const { palette } = view;
    if (this.hatch?.color !== palette.muted) this.hatch = { color: palette.muted, pattern: this.hatchPattern(palette.muted) };
    if (!this.hatch.pattern) return;
    // Lines only, over whatever is drawn: a span through the gap keeps its colour between them.
    ctx.save();
    ctx.fillStyle = this.hatch.pattern;
    ctx.globalAlpha = 0.7;
    const height = this.contentBottom - AXIS_HEIGHT + 4;
    for (let k = 0; k < runs.length; k += 2) {
      // A gap too narrow to hatch is a notch in the ruler: it is there, and the lanes stay clear.
      if (runs[k + 1] - runs[k] >= MIN_HATCH_PX) ctx.fillRect(runs[k], AXIS_HEIGHT - 4, runs[k + 1] - runs[k], height);
      else ctx.fillRect(runs[k], AXIS_HEIGHT - 6, runs[k + 1] - runs[k], 6);
    }
    ctx.restore();
  }

  private hatchPattern(color: string): CanvasPattern | null {
    const tile = document.createElement('canvas');
    tile.width = tile.height = 6;
    const t = tile.getContext('2d');
    if (!t) return null;
    t.strokeStyle = color;
    t.lineWidth = 1;
    t.beginPath();
    t.moveTo(-1, 7);
    t.lineTo(7, -1);
    t.stroke();
    return this.ctx.createPattern(tile, 'repeat');
  }

  /** The counters' tracks under the lanes: name and value at the cursor, and a step chart. */
  private drawTracks(view: TimelineView): void {
    const tracks = view.counters;
    if (!tracks || tracks.length === 0) return;
    const ctx = this.ctx;
    const { palette } = view;
    const top = this.tracksTop;
    ctx.fillStyle = palette.background;
    ctx.fillRect(0, top, this.widthCss, this.heightCss - top);
    ctx.fillStyle = palette.grid;
    ctx.fillRect(0, top, this.widthCss, 1);
    tracks.forEach((track, k) => {
      const y = top + k * TRACK_HEIGHT;
      if (y >= this.heightCss) return;
      this.drawStepChart(view, track, y);
      const at = Number.isNaN(view.cursorNs) ? view.nowNs : view.cursorNs;
      const value = valueAt(track.series, at);
      const shown = value === undefined ? '—' : String(value);
      ctx.fillStyle = palette.foreground;
      ctx.textBaseline = 'middle';
      const valueWidth = ctx.measureText(shown).width;
      ctx.fillText(shown, this.labelWidth - 8 - valueWidth, y + TRACK_HEIGHT / 2);
      ctx.fillStyle = palette.muted;
      const name = view.counterName ? view.counterName(track) : track.label;
      ctx.fillText(this.fit(name, this.labelWidth - 28 - valueWidth), 12, y + TRACK_HEIGHT / 2);
    });
    ctx.fillStyle = palette.grid;
    ctx.fillRect(this.labelWidth - 1, top, 1, this.heightCss - top);
  }

  /**
   * One counter as a step chart scaled to its largest value. Cost is bounded by the columns:
   * where many points fall in one pixel column, it draws their range there and jumps past them.
   */
  private drawStepChart(view: TimelineView, track: CounterTrack, y: number): void {
    const { viewport, palette } = view;
    const { times, values, length: n } = track.series;
    const bottom = y + TRACK_HEIGHT - 4;
    const height = TRACK_HEIGHT - 8;
    const max = Math.max(1, track.series.max);
    const yOf = (v: number) => bottom - (v / max) * height;
    const left = this.labelWidth;
    const width = this.plotWidth;
    const pts = this.trackPoints;
    pts.length = 0;
    let k = upperBound(times, n, viewport.startNs);
    let value = k > 0 ? values[k - 1] : NaN;
    if (!Number.isNaN(value)) pts.push(0, yOf(value));
    while (k < n) {
      const px = Math.max(0, viewport.xOf(times[k]));
      if (px > width) break;
      const column = Math.floor(px);
      let m = upperBound(times, n, viewport.nsAt(column + 1));
      if (m <= k) m = k + 1;
      let lo = values[m - 1];
      let hi = lo;
      for (let q = k, end = Math.min(m, k + 64); q < end; q++) {
        if (values[q] < lo) lo = values[q];
        if (values[q] > hi) hi = values[q];
      }
      if (!Number.isNaN(value)) pts.push(px, yOf(value));
      pts.push(px, yOf(lo), px, yOf(hi), px, yOf(values[m - 1]));
      value = values[m - 1];
      k = m;
    }
    if (pts.length === 0) return;
    const endX = Math.min(width, Math.max(0, viewport.xOf(view.nowNs)));
    pts.push(Math.max(endX, pts[pts.length - 2]), yOf(value));
    const ctx = this.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, y, width, TRACK_HEIGHT);
    ctx.clip();
    ctx.beginPath();
    ctx.moveTo(left + pts[0], bottom);
    for (let i = 0; i < pts.length; i += 2) ctx.lineTo(left + pts[i], pts[i + 1]);
    ctx.lineTo(left + pts[pts.length - 2], bottom);
    ctx.closePath();
    ctx.globalAlpha = 0.3;
    ctx.fillStyle = palette.focus;
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.beginPath();
    for (let i = 0; i < pts.length; i += 2) {
      if (i === 0) ctx.moveTo(left + pts[i], pts[i + 1]);
      else ctx.lineTo(left + pts[i], pts[i + 1]);
    }
    ctx.strokeStyle = palette.focus;
    ctx.lineWidth = 1.5;
    ctx.stroke();
    ctx.restore();
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
    const left = this.labelWidth;
    const rowHeight = this.rowHeight;
    // A nested slice is inset in its parent; on a shrunk row by less, so its bar stays a bar.
    const inset = 2 + Math.min(depth, 3) * (rowHeight >= ROW_HEIGHT ? 2 : 1);
    const top = y + inset;
    const height = rowHeight - 2 * inset;
    const starts = level.start.data;
    const ends = level.end.data;
    const states = level.state.data;
    const lineTop = y + (rowHeight - LINE_HEIGHT) / 2;
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
      const x0 = Math.max(viewport.xOf(start), paintedTo);
      const x1 = viewport.xOf(end);
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
        const next = endingAfterFrom(level, i, viewport.nsAt(paintedTo));
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
    let i = lowerBound(times, n, viewport.startNs);
    while (i < n) {
      const x = Math.floor(viewport.xOf(times[i]));
      if (x > this.plotWidth) break;
      const color = this.instantColor(palette, kinds[instants[i]]);
      let list = this.marks.get(color);
      if (!list) this.marks.set(color, (list = []));
      list.push(this.labelWidth + x, y);
      const next = lowerBoundFrom(times, n, i + 1, viewport.nsAt(x + 2));
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
    const rowHeight = this.rowHeight;
    for (let row = first; row < last; row++) {
      const lane = view.model.lanes[view.rows[row]];
      const y = AXIS_HEIGHT + (row - first) * rowHeight;
      if (row === view.selectedRow) {
        ctx.fillStyle = palette.selection;
        ctx.fillRect(0, y, this.labelWidth, rowHeight);
      }
      // The lane's chip is a dot: a bar would read as a state's slice (colors.ts, LANE_THEME_COLORS).
      ctx.fillStyle = palette.lanes[lane.index % palette.lanes.length];
      ctx.beginPath();
      ctx.arc(7, y + rowHeight / 2, 3.5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.fillStyle = palette.foreground;
      ctx.fillText(this.label(lane.name, view.laneLabel(lane), this.labelWidth - 16), 12, y + rowHeight / 2);
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
    if (y < AXIS_HEIGHT || y >= this.tracksTop) return undefined;
    const row = Math.floor(view.viewport.firstLane) + Math.floor((y - AXIS_HEIGHT) / this.rowHeight);
    if (row < 0 || row >= view.rows.length) return undefined;
    const laneIndex = view.rows[row];
    if (x < this.labelWidth) return { row, lane: laneIndex, event: -1 };
    const lane = view.model.lanes[laneIndex];
    const px = x - this.labelWidth;
    const time = view.viewport.nsAt(px);
    const times = view.model.events.time.data;
    // An instant within three pixels wins over the span beneath it.
    const near = lowerBound(lane.instantTimes.data, lane.instantTimes.length, view.viewport.nsAt(px - 3));
    if (near < lane.instants.length && Math.abs(view.viewport.xOf(times[lane.instants.get(near)]) - px) <= 3) {
      return { row, lane: laneIndex, event: lane.instants.get(near) };
    }
    for (let depth = lane.levels.length - 1; depth >= 0; depth--) {
      const span = lane.levels[depth].find(time, Infinity);
      if (span >= 0) return { row, lane: laneIndex, event: lane.levels[depth].beginEvent.get(span) };
    }
    return { row, lane: laneIndex, event: -1 };
  }
}

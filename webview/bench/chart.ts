/**
 * One uPlot chart of a ChartSpec: connections on a log x axis, theme colours, hover values in
 * uPlot's live legend, and the same values from the keyboard (arrow keys move the cursor between
 * points and a live region reads them out). uPlot only sets element.style through the DOM, which
 * the webview's CSP allows; its stylesheet comes bundled (dist/webview/bench.css).
 */
import uPlot from 'uplot';
import type { Palette } from '../panel/colors';
import type { ChartSpec, LineStyle, Text, ValueKind } from './model';

/**
 * Series colours, as theme colour ids: the charts palette first (the run in focus is
 * charts.blue), then two terminal colours; a previous run uses the muted description colour
 * instead. (Not the recording panel's lane colours: those avoid its state colours, which a
 * chart of runs has no reason to.)
 */
export const SERIES_COLORS: readonly string[] = [
  'charts.blue',
  'charts.orange',
  'charts.green',
  'charts.purple',
  'charts.red',
  'charts.yellow',
  'terminal.ansiCyan',
  'terminal.ansiMagenta',
];

const DASHES: Readonly<Record<LineStyle, number[] | undefined>> = { solid: undefined, dotted: [2, 4], dashed: [8, 5] };
const HEIGHT = 260;
const MIN_WIDTH = 280;

/** The powers of ten from `min` to `max`: the only grid lines of a log axis. */
function powersOfTen(min: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.ceil(Math.log10(min) - 1e-9); e <= Math.floor(Math.log10(max) + 1e-9); e++) out.push(10 ** e);
  return out;
}

/** Whole decades around the data (at least one), for a log axis. */
function decades(min: number | null, max: number | null): uPlot.Range.MinMax {
  if (min === null || max === null || !(min > 0) || !(max > 0)) return [1, 1000];
  const lo = 10 ** Math.floor(Math.log10(min));
  const hi = 10 ** Math.ceil(Math.log10(max));
  return lo === hi ? [lo / 10, hi * 10] : [lo, hi];
}

export function seriesColor(palette: Palette, color: number): string {
  return color < 0 ? palette.muted : palette.color(SERIES_COLORS[color % SERIES_COLORS.length]);
}

export class BenchChart {
  private plot: uPlot | undefined;
  private index = -1;
  private readonly resizer: ResizeObserver;

  constructor(
    private readonly spec: ChartSpec,
    private readonly container: HTMLElement,
    private readonly readout: HTMLElement,
    private readonly palette: Palette,
    private readonly t: Text,
  ) {
    container.tabIndex = 0;
    container.addEventListener('keydown', (e) => this.onKey(e));
    this.resizer = new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: HEIGHT }));
    this.resizer.observe(container);
    this.draw();
  }

  /** Redraws with the palette as it is now (after a theme change). */
  draw(): void {
    this.plot?.destroy();
    this.plot = new uPlot(this.options(), [[...this.spec.xs], ...this.spec.series.map((s) => [...s.values])] as uPlot.AlignedData, this.container);
    if (this.index >= 0) this.moveTo(this.index);
  }

  destroy(): void {
    this.resizer.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
  }

  private width(): number {
    return Math.max(MIN_WIDTH, Math.floor(this.container.clientWidth));
  }

  /** Axis labels are short; the legend and the table show the values in full. */
  private axisFormat(kind: ValueKind): (v: number) => string {
    return kind === 'latency' ? this.t.latency : kind === 'throughput' ? this.t.compact : this.t.count;
  }

  private valueFormat(kind: ValueKind): (v: number) => string {
    return kind === 'latency' ? this.t.latency : this.t.count;
  }

  private options(): uPlot.Options {
    const { spec, palette, t } = this;
    const xs = spec.xs;
    const axisText = this.axisFormat(spec.id);
    // VS Code's colour for chart grid lines (the foreground, half transparent).
    const lines = palette.color('charts.lines');
    const valueText = this.valueFormat(spec.id);
    const axis = (label: string, values: uPlot.Axis['values']): uPlot.Axis => ({
      label,
      stroke: palette.foreground,
      font: palette.font,
      labelFont: palette.font,
      grid: { stroke: lines, width: 1 },
      ticks: { stroke: lines, width: 1 },
      values,
    });
    const yScale: uPlot.Scale =
      spec.id === 'latency'
        ? { distr: 3, log: 10, range: (_u, min, max) => decades(min, max) }
        : { range: (_u, _min, max) => [0, Math.max(spec.id === 'errors' ? 1 : 10, (max ?? 0) * 1.1)] };
    return {
      width: this.width(),
      height: HEIGHT,
      scales: {
        // Connection counts span decades: a log axis, a little wider than the data.
        x: { time: false, distr: 3, log: 10, range: () => (xs.length ? [xs[0] / 2, xs[xs.length - 1] * 2] : [0.5, 2]) },
        y: yScale,
      },
      axes: [
        { ...axis(t.get('connectionsAxis'), (_u, splits) => splits.map((v) => t.count(v))), splits: () => [...xs] },
        {
          ...axis(spec.yAxis, (_u, splits) => splits.map((v) => axisText(v))),
          ...(spec.id === 'latency' ? { splits: (_u: uPlot, _i: number, min: number, max: number) => powersOfTen(min, max) } : {}),
          size: 64,
        },
      ],
      series: [
        { label: t.get('connections'), value: (_u, v) => (v === null ? '' : t.count(v)) },
        ...spec.series.map((s): uPlot.Series => {
          const stroke = seriesColor(palette, s.color);
          return {
            label: s.label,
            stroke,
            width: 2,
            dash: DASHES[s.style],
            spanGaps: true,
            points: { show: true, size: 7, stroke, fill: stroke },
            value: (_u, v) => (v === null || v === undefined ? '—' : valueText(v)),
          };
        }),
      ],
      cursor: { drag: { x: false, y: false, setScale: false } },
      legend: {
        live: true,
        // The legend's swatch for a series is a border drawn like its line (line styles are CSS
        // border styles), so p50, p99 and p99.9 of one run (one colour) differ there too.
        markers: { dash: (_u: uPlot, i: number) => (i === 0 ? 'solid' : spec.series[i - 1].style) },
      },
      hooks: { setCursor: [(u) => this.onCursor(u.cursor.idx)] },
    };
  }

  private onCursor(idx: number | null | undefined): void {
    if (idx === null || idx === undefined || idx === this.index) return;
    this.index = idx;
    const valueText = this.valueFormat(this.spec.id);
    const values = this.spec.series.map((s) => {
      const v = s.values[idx];
      return `${s.label} ${v === null || v === undefined ? '—' : valueText(v)}`;
    });
    this.readout.textContent = this.t.get('readout', this.t.count(this.spec.xs[idx]), values.join(', '));
  }

  private moveTo(index: number): void {
    const plot = this.plot;
    if (!plot || this.spec.xs.length === 0) return;
    const i = Math.max(0, Math.min(this.spec.xs.length - 1, index));
    plot.setCursor({ left: plot.valToPos(this.spec.xs[i], 'x'), top: plot.over.clientHeight / 2 });
  }

  private onKey(e: KeyboardEvent): void {
    const last = this.spec.xs.length - 1;
    const next =
      e.key === 'ArrowRight' ? this.index + 1 : e.key === 'ArrowLeft' ? Math.max(0, this.index - 1) : e.key === 'Home' ? 0 : e.key === 'End' ? last : undefined;
    if (next === undefined) return;
    e.preventDefault();
    this.moveTo(next);
  }
}

/**
 * Runs a webview's real bundle (the recording panel by default, any of webview/* by its spec) in
 * headless Chromium the way VS Code would: the host's own HTML shell and CSP
 * (src/webviewHtml.ts), a stub of acquireVsCodeApi (the browser's side of the contract), and
 * host messages delivered as `message` events. Resources come from a local HTTP server standing
 * in for the webview resource scheme.
 */
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { AddressInfo } from 'node:net';
import type { HostToPanelMessage, PanelToHostMessage, PanelViewState } from '../../src/core/panel/protocol';
import type { Lane } from '../../src/core/trace/lane';
import type { TraceModel } from '../../src/core/trace/model';
import { TimeAxis, TRUE_TIME } from '../../src/core/trace/timeAxis';
import type { LaneStateId } from '../../src/core/trace/states';
import type { StageInfo } from '../../src/core/stages';
import { PANEL_STRINGS_EN } from '../../src/core/panel/strings';
import { webviewHtml } from '../../src/webviewHtml';

const ROOT = join(__dirname, '..', '..');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Which webview to run: its bundle (webview/<name>/main.ts -> dist/webview/<name>.js, and
 * <name>.css when it imports styles), its stylesheets, and the page object its tests drive.
 */
export interface WebviewSpec<P extends WebviewPage<never, unknown, unknown>> {
  readonly name: string;
  /** Stylesheets the shell links, relative to the extension root. */
  readonly styles: readonly string[];
  /** Wraps a loaded page (its uncaught errors collected in `errors`). */
  readonly page: (page: Page, errors: string[]) => P;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = { js: 'text/javascript', css: 'text/css', ttf: 'font/ttf', html: 'text/html' };

/**
 * Where a URL path of the page is on disk: dist/webview/* from the fresh bundle (codicons from
 * node_modules, as esbuild.mjs copies them), media/* from the repository.
 */
function fileOf(url: string, outdir: string): string | undefined {
  const dist = /^\/dist\/webview\/([\w.-]+)$/.exec(url);
  if (dist) return dist[1].startsWith('codicon.') ? join(ROOT, 'node_modules/@vscode/codicons/dist', dist[1]) : join(outdir, dist[1]);
  if (/^\/media\/[\w./-]+$/.test(url) && !url.includes('..')) return join(ROOT, url);
  return undefined;
}

export class PanelHarness<P extends WebviewPage<never, unknown, unknown> = PanelPage> {
  private blobs = new Map<string, Uint8Array>();
  private nextBlob = 0;

  private constructor(
    readonly browser: Browser,
    private readonly server: Server,
    readonly origin: string,
    private readonly outdir: string,
    private readonly spec: WebviewSpec<P>,
  ) {}

  /** Builds the webview like esbuild.mjs does, into a temporary folder, serves it, starts Chromium. */
  static start(): Promise<PanelHarness<PanelPage>>;
  static start<P extends WebviewPage<never, unknown, unknown>>(spec: WebviewSpec<P>): Promise<PanelHarness<P>>;
  static async start<P extends WebviewPage<never, unknown, unknown>>(spec?: WebviewSpec<P>): Promise<PanelHarness<P>> {
    return PanelHarness.build(spec ?? (RECORDING_PANEL as unknown as WebviewSpec<P>));
  }

  private static async build<P extends WebviewPage<never, unknown, unknown>>(spec: WebviewSpec<P>): Promise<PanelHarness<P>> {
    const outdir = await mkdtemp(join(tmpdir(), `sm-${spec.name}-`));
    await build({
      entryPoints: { [spec.name]: join(ROOT, 'webview', spec.name, 'main.ts') },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      outdir,
      logLevel: 'warning',
    });
    // The request handler needs the harness, which needs the server: filled in below.
    const ref: { harness?: PanelHarness<P> } = {};
    const server = createServer((req, res) => {
      const url = (req.url ?? '/').split('?')[0];
      const blob = ref.harness?.blobs.get(url);
      const file = fileOf(url, outdir);
      if (blob) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(blob);
        return;
      }
      if (url === '/' || !file) {
        res.writeHead(url === '/' ? 200 : 404, { 'content-type': CONTENT_TYPES.html });
        res.end(url === '/' ? ref.harness?.html() : '');
        return;
      }
      readFile(file).then(
        (data) => {
          res.writeHead(200, { 'content-type': CONTENT_TYPES[url.split('.').pop() ?? ''] ?? 'application/octet-stream' });
          res.end(data);
        },
        () => {
          res.writeHead(404);
          res.end();
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
    ref.harness = new PanelHarness(browser, server, origin, outdir, spec);
    return ref.harness;
  }

  /** The page VS Code would load: the host's shell, with our origin as the webview's. */
  private html(): string {
    type Uri = { path: string };
    const webview = {
      cspSource: this.origin,
      asWebviewUri: (uri: Uri) => ({ toString: () => `${this.origin}${uri.path}` }),
    };
    return webviewHtml(
      {
        webview: webview as never,
        extensionUri: { path: '' } as never,
        title: this.spec.name,
        lang: 'en',
        script: `${this.spec.name}.js`,
        styles: this.spec.styles,
      },
      ((base: Uri, ...parts: string[]) => ({ path: [base.path, ...parts].join('/') })) as never,
    );
  }

  /** Makes bytes fetchable by a page opened with `bypassCsp` (large recordings do not fit through evaluate()). */
  serve(bytes: Uint8Array): string {
    const path = `/blob/${this.nextBlob++}`;
    this.blobs.set(path, bytes);
    return path;
  }

  /**
   * Opens the webview in a fresh page and waits for its `ready`. `bypassCsp` lets the page fetch
   * large recordings from the harness (the panel's CSP rightly forbids any connection); tests of
   * the CSP leave it off.
   */
  async open(options: OpenOptions<StateOf<P>> = {}): Promise<P> {
    const page = await this.browser.newPage({
      viewport: { width: options.width ?? 1200, height: options.height ?? 700 },
      bypassCSP: options.bypassCsp ?? false,
    });
    // Page code goes in as text: tsx would wrap functions passed here in a helper the page lacks.
    await page.addInitScript({
      content: `(() => {
        const posted = [];
        const csp = [];
        let state = ${JSON.stringify(options.savedState ?? null)} ?? undefined;
        window.__posted = posted;
        window.__csp = csp;
        window.__state = () => state;
        window.acquireVsCodeApi = () => ({
          postMessage: (m) => posted.push(m),
          getState: () => state,
          setState: (s) => { state = s; },
        });
        window.__deliver = (message) => window.dispatchEvent(new MessageEvent('message', { data: message }));
        document.addEventListener('securitypolicyviolation', (e) => csp.push(e.violatedDirective + ' ' + e.blockedURI));
      })();`,
    });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(this.origin);
    const panel = this.spec.page(page, errors);
    try {
      await panel.waitFor(`(window.__posted ?? []).some((m) => m.type === 'ready')`, 'ready message');
    } catch (err) {
      await page.close();
      throw err;
    }
    return panel;
  }

  /** Opens a page, runs `body` with it, and closes it whatever happens. */
  async with<T>(options: OpenOptions<StateOf<P>>, body: (panel: P) => Promise<T>): Promise<T> {
    const panel = await this.open(options);
    try {
      return await body(panel);
    } finally {
      await panel.close();
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.outdir, { recursive: true, force: true });
  }
}

export interface OpenOptions<State> {
  /** What the webview's getState() returns, as after a reload. */
  readonly savedState?: State;
  readonly width?: number;
  readonly height?: number;
  readonly bypassCsp?: boolean;
}

type StateOf<P> = P extends WebviewPage<never, unknown, infer State> ? State : never;

/**
 * One opened webview: messages in (`In`), what it posted (`Out`), what it saved (`State`), and
 * waiting for conditions in the page.
 */
export class WebviewPage<In, Out, State> {
  constructor(
    readonly page: Page,
    /** Uncaught errors in the page. */
    readonly errors: string[],
  ) {}

  /** Delivers a host message; Uint8Arrays in it arrive as Uint8Arrays, as postMessage sends them. */
  async deliver(message: In): Promise<void> {
    const json = JSON.stringify(message, (_key, value: unknown) => (value instanceof Uint8Array ? { $bytes: [...value] } : value));
    await this.page.evaluate(`window.__deliver(JSON.parse(${JSON.stringify(json)}, (key, value) => value && Array.isArray(value.$bytes) ? new Uint8Array(value.$bytes) : value))`);
  }

  async posted(): Promise<Out[]> {
    return this.page.evaluate<Out[]>('window.__posted.slice()');
  }

  async cspViolations(): Promise<string[]> {
    return this.page.evaluate<string[]>('window.__csp.slice()');
  }

  async savedState(): Promise<State | undefined> {
    return this.page.evaluate<State | undefined>('window.__state()');
  }

  /**
   * Waits (with a deadline) until `expression` is truthy in the page. Polled from here: the
   * panel's CSP forbids the eval that an in-page poller would need.
   */
  async waitFor(expression: string, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.page.evaluate<boolean>(`Boolean(${expression})`))) {
      if (Date.now() > deadline) {
        const state = await this.page.evaluate<string>('JSON.stringify({ ...document.body.dataset, active: document.activeElement?.tagName })');
        throw new Error(`timed out waiting for ${what}; page errors: ${this.errors.join('; ') || 'none'}; page state ${state}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async dataset(): Promise<Record<string, string | undefined>> {
    return this.page.evaluate<Record<string, string | undefined>>('({ ...document.body.dataset })');
  }

  async close(): Promise<void> {
    await this.page.close();
  }
}

/** The recording panel (webview/panel). */
export class PanelPage extends WebviewPage<HostToPanelMessage, PanelToHostMessage, PanelViewState> {
  async init(mode: 'live' | 'recording' = 'recording', recording = '/tmp/test.smrec'): Promise<void> {
    await this.deliver({ type: 'init', strings: PANEL_STRINGS_EN, locale: 'en', mode, recording });
  }

  /** Opens the panel for a stage, as Run Stage (live) or Open Recording does, in English. */
  async initStage(stage: StageInfo, mode: 'live' | 'recording'): Promise<void> {
    await this.deliver({ type: 'init', strings: PANEL_STRINGS_EN, locale: 'en', mode, stage: { id: stage.id, number: stage.number, title: stage.title, model: stage.model } });
  }

  /**
   * Delivers a recording fetched from the harness (bytes never cross evaluate()) and returns how
   * long the panel took from the message to the end of its first frame with the data, in ms.
   * With `chunkBytes`, as the host sends a file: messages of that many bytes, back to back.
   */
  async deliverServed(path: string, chunkBytes = Infinity): Promise<number> {
    return this.page.evaluate<number>(`(async () => {
      const bytes = new Uint8Array(await (await fetch(${JSON.stringify(path)})).arrayBuffer());
      const chunk = ${Number.isFinite(chunkBytes) ? chunkBytes : 'Infinity'};
      const drawsBefore = Number(document.body.dataset.draws ?? 0);
      const start = performance.now();
      if (chunk >= bytes.length) window.__deliver({ type: 'records', bytes });
      // As the host sends a file: the first chunk says how big the whole is.
      else for (let at = 0; at < bytes.length; at += chunk) window.__deliver({ type: 'records', bytes: bytes.slice(at, at + chunk), ...(at === 0 ? { totalBytes: bytes.length } : {}) });
      await new Promise((resolve) => {
        const check = () => (Number(document.body.dataset.draws ?? 0) > drawsBefore ? resolve() : requestAnimationFrame(check));
        requestAnimationFrame(check);
      });
      return performance.now() - start;
    })()`);
  }

  /** Delivers a recording and waits until the panel shows all `events` of it. */
  async load(bytes: Uint8Array, events: number): Promise<void> {
    await this.deliver({ type: 'records', bytes });
    await this.waitFor(`document.body.dataset.events === '${events}'`, `${events} events`);
  }

  /** Waits for the step cursor to sit on position `position`. */
  async cursorAt(position: number, what: string): Promise<void> {
    await this.waitFor(`document.body.dataset.cursorPosition === '${position}'`, what);
  }

}

export const RECORDING_PANEL: WebviewSpec<PanelPage> = {
  name: 'panel',
  styles: ['dist/webview/codicon.css', 'media/panel/panel.css'],
  page: (page, errors) => new PanelPage(page, errors),
};

export interface RowPixels {
  /** Pixels of the plot that are not the background. */
  readonly drawn: number;
  /** Pixels of the colour asked for. */
  readonly matching: number;
  /** Columns of the plot (CSS px) with some of that colour in them. */
  readonly matchingColumns: number;
}

/**
 * The recording panel's timeline, row by row (the first `rows` rows, scrolled to the top): what
 * its plot shows, counting pixels of exactly `rgb`; and the plot's width (CSS px).
 */
export async function rowPixels(panel: PanelPage, rows: number, rgb: readonly number[]): Promise<{ plotWidth: number; rows: RowPixels[] }> {
  return panel.page.evaluate<{ plotWidth: number; rows: RowPixels[] }>(`(() => {
    const canvas = document.querySelector('canvas.timeline');
    const dpr = canvas.width / canvas.clientWidth;
    const ctx = canvas.getContext('2d');
    const labels = Math.min(190, Math.floor(canvas.clientWidth * 0.3));
    const background = ctx.getImageData(2, canvas.height - 2, 1, 1).data;
    const x0 = Math.round(labels * dpr), width = canvas.width - x0;
    const out = [];
    for (let r = 0; r < ${rows}; r++) {
      const y0 = Math.round((22 + r * 20 + 3) * dpr), y1 = Math.round((22 + r * 20 + 17) * dpr);
      const d = ctx.getImageData(x0, y0, width, y1 - y0).data;
      const columns = new Uint8Array(width);
      let drawn = 0, matching = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i] === ${rgb[0]} && d[i + 1] === ${rgb[1]} && d[i + 2] === ${rgb[2]}) {
          matching++;
          columns[(i / 4) % width] = 1;
        }
        if (Math.abs(d[i] - background[0]) + Math.abs(d[i + 1] - background[1]) + Math.abs(d[i + 2] - background[2]) > 30) drawn++;
      }
      out.push({ drawn, matching, matchingColumns: columns.reduce((n, c) => n + c, 0) / dpr });
    }
    return { plotWidth: canvas.clientWidth - labels, rows: out };
  })()`);
}

/**
 * How many whole plot columns the lane's spans of `state` cover in the view `[start, end]`
 * (`plotWidth` CSS px): each of them must show that state's colour.
 */
export function coveredColumns(lane: Lane, state: LaneStateId, view: readonly [number, number] | PlotX, plotWidth: number, nowNs: number): number {
  const x = typeof view === 'function' ? view : (t: number) => ((t - view[0]) / (view[1] - view[0])) * plotWidth;
  let columns = 0;
  for (const level of lane.levels) {
    for (let i = 0; i < level.length; i++) {
      if (level.state.get(i) !== state) continue;
      const end = Number.isNaN(level.end.get(i)) ? nowNs : level.end.get(i);
      // Whole columns strictly inside the span: its edge columns may show a neighbour.
      columns += Math.max(0, Math.min(plotWidth, Math.floor(x(end))) - Math.max(0, Math.ceil(x(level.start.get(i)))) - 1);
    }
  }
  return columns;
}

/** The time window the timeline shows, as the panel reports it. */
export async function viewWindow(panel: PanelPage): Promise<[number, number]> {
  const [start, end] = ((await panel.dataset()).view ?? '').split('..').map(Number);
  return [start, end];
}

/** Plot x (CSS px from the plot's left edge) of a true time, as the panel draws it. */
export type PlotX = (t: number) => number;

/**
 * Where the panel draws true time `t`, on the axis it shows: true time, or the collapsed axis,
 * rebuilt here from the same model (src/core/trace/timeAxis.ts is deterministic in the events).
 */
export async function plotX(panel: PanelPage, model: TraceModel): Promise<{ x: PlotX; plotWidth: number; labels: number }> {
  const data = await panel.dataset();
  const [start, end] = (data.viewUnits ?? '').split('..').map(Number);
  const width = await panel.page.evaluate<number>(`document.querySelector('canvas.timeline').clientWidth`);
  const labels = Math.min(190, Math.floor(width * 0.3));
  const plotWidth = width - labels;
  const axis = data.axis === 'true' ? TRUE_TIME : TimeAxis.of(model);
  return { x: (t) => ((axis.unitsAt(t) - start) / (end - start)) * plotWidth, plotWidth, labels };
}

/** A saved view state that only asks for true time (of a recording no test opens: nothing else is restored). */
export const TRUE_TIME_STATE: PanelViewState = { recording: '/nowhere/true-time.smrec', cursorNs: 0, viewStartNs: 0, viewEndNs: 0, speed: 1, axis: 'true' };

/** The colour of the timeline canvas at a point (CSS px), as [r, g, b]. */
export async function canvasPixel(panel: PanelPage, x: number, y: number): Promise<[number, number, number]> {
  return panel.page.evaluate<[number, number, number]>(`(() => {
    const canvas = document.querySelector('canvas.timeline');
    const dpr = canvas.width / canvas.clientWidth;
    const d = canvas.getContext('2d').getImageData(Math.round(${x} * dpr), Math.round(${y} * dpr), 1, 1).data;
    return [d[0], d[1], d[2]];
  })()`);
}
/**
 * Frames per second while dragging (pan) and wheeling (zoom) continuously for a second each:
 * one input per animation frame, frames counted by the panel's own draw counter; the frame rate
 * of an idle page just before, for comparison; and the mean time one frame took to draw.
 */
export interface FrameRates {
  readonly pan: number;
  readonly zoom: number;
  /** Animation frames per second with nothing to draw: what the machine allows right now. */
  readonly idle: number;
  readonly drawMs: number;
}

export async function measureFps(panel: PanelPage): Promise<FrameRates> {
  return panel.page.evaluate<FrameRates>(`(async () => {
    const canvas = document.querySelector('canvas.timeline');
    const rect = canvas.getBoundingClientRect();
    const x = rect.left + rect.width * 0.6, y = rect.top + 60;
    const draws = () => Number(document.body.dataset.draws);
    const drawnMs = () => Number(document.body.dataset.drawTotalMs);
    const drawsBefore = draws(), msBefore = drawnMs();
    const run = (input) => new Promise((resolve) => {
      const start = performance.now();
      const before = draws();
      let i = 0;
      const tick = () => {
        input(i++);
        if (performance.now() - start < 1000) requestAnimationFrame(tick);
        else requestAnimationFrame(() => resolve((draws() - before) / ((performance.now() - start) / 1000)));
      };
      requestAnimationFrame(tick);
    });
    const idle = await new Promise((resolve) => {
      const start = performance.now();
      let frames = 0;
      const tick = () => (++frames, performance.now() - start < 500 ? requestAnimationFrame(tick) : resolve(frames / ((performance.now() - start) / 1000)));
      requestAnimationFrame(tick);
    });
    const pointer = (type, px) => canvas.dispatchEvent(new PointerEvent(type, { clientX: px, clientY: y, pointerId: 1, button: 0, buttons: 1, bubbles: true }));
    pointer('pointerdown', x);
    const pan = await run((i) => pointer('pointermove', x + ((i % 40) - 20) * 6));
    pointer('pointerup', x);
    const zoom = await run((i) => canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: i % 20 < 10 ? -60 : 60, clientX: x, clientY: y, bubbles: true, cancelable: true })));
    const drawMs = (drawnMs() - msBefore) / Math.max(1, draws() - drawsBefore);
    return { pan, zoom, idle, drawMs };
  })()`);
}

/**
 * The recording panel's timeline sampled along each of the first `rows` lane rows (scrolled to
 * the top), `yInRow` CSS px below the row's top (default: its middle; 2 is the top edge of an
 * outermost slice, above any nested one, e.g. a carrier's green thread around the work it
 * does): the colour of every plot column (CSS px, left to right), as "r,g,b". Where rowPixels
 * counts, this says where: which rows show what at the same time.
 */
export async function rowColumns(panel: PanelPage, rows: number, yInRow?: number): Promise<{ plotWidth: number; rows: string[][] }> {
  return panel.page.evaluate<{ plotWidth: number; rows: string[][] }>(`(() => {
    const canvas = document.querySelector('canvas.timeline');
    const dpr = canvas.width / canvas.clientWidth;
    const ctx = canvas.getContext('2d');
    const labels = Math.min(190, Math.floor(canvas.clientWidth * 0.3));
    const plotWidth = canvas.clientWidth - labels;
    // Rows shrink to fit the lanes: the last frame's row height (app.ts).
    const rowHeight = Number(document.body.dataset.rowHeight);
    const out = [];
    for (let r = 0; r < ${rows}; r++) {
      const y = Math.round((22 + r * rowHeight + ${yInRow ?? 'rowHeight / 2'}) * dpr);
      const d = ctx.getImageData(Math.round(labels * dpr), y, Math.round(plotWidth * dpr), 1).data;
      const row = [];
      for (let x = 0; x < plotWidth; x++) {
        const i = Math.floor(x * dpr + dpr / 2) * 4;
        row.push(d[i] + ',' + d[i + 1] + ',' + d[i + 2]);
      }
      out.push(row);
    }
    return { plotWidth, rows: out };
  })()`);
}

/**
 * The plot's pixels of exactly `rgb` in a horizontal band of the timeline (CSS px from the
 * canvas's top): in how many columns, and at how many different heights.
 */
export async function bandPixels(panel: PanelPage, top: number, height: number, rgb: readonly number[]): Promise<{ columns: number; heights: number }> {
  return panel.page.evaluate<{ columns: number; heights: number }>(`(() => {
    const canvas = document.querySelector('canvas.timeline');
    const dpr = canvas.width / canvas.clientWidth;
    const ctx = canvas.getContext('2d');
    const labels = Math.min(190, Math.floor(canvas.clientWidth * 0.3));
    const x0 = Math.round(labels * dpr), width = canvas.width - x0;
    const y0 = Math.round(${top} * dpr), rows = Math.max(1, Math.round(${height} * dpr));
    const d = ctx.getImageData(x0, y0, width, rows).data;
    const columns = new Uint8Array(width), heights = new Uint8Array(rows);
    for (let i = 0; i < d.length; i += 4) {
      if (d[i] === ${rgb[0]} && d[i + 1] === ${rgb[1]} && d[i + 2] === ${rgb[2]}) {
        columns[(i / 4) % width] = 1;
        heights[Math.floor(i / 4 / width)] = 1;
      }
    }
    return { columns: columns.reduce((n, c) => n + c, 0) / dpr, heights: heights.reduce((n, c) => n + c, 0) };
  })()`);
}

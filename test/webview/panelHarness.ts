/**
 * Runs a webview's real bundle (the recording panel by default) in headless Chromium the way VS
 * Code would: the host's own HTML shell and CSP (src/webviewHtml.ts), a stub of acquireVsCodeApi
 * (the browser's side of the contract), and host messages delivered as `message` events.
 * Resources come from a local HTTP server standing in for the webview resource scheme.
 */
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { AddressInfo } from 'node:net';
import type { HostToPanelMessage, PanelToHostMessage, PanelViewState } from '../../src/core/panel/protocol';
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

/** Which webview to run: its bundle (webview/<name>/main.ts -> dist/webview/<name>.js) and styles. */
export interface WebviewSpec {
  readonly name: string;
  /** Stylesheets the shell links, relative to the extension root. */
  readonly styles: readonly string[];
}

export const RECORDING_PANEL: WebviewSpec = { name: 'panel', styles: ['dist/webview/codicon.css', 'media/panel/panel.css'] };

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

export class PanelHarness {
  private blobs = new Map<string, Uint8Array>();
  private nextBlob = 0;

  private constructor(
    readonly browser: Browser,
    private readonly server: Server,
    readonly origin: string,
    private readonly outdir: string,
    private readonly spec: WebviewSpec,
  ) {}

  /** Builds the webview like esbuild.mjs does, into a temporary folder, serves it, starts Chromium. */
  static async start(spec: WebviewSpec = RECORDING_PANEL): Promise<PanelHarness> {
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
    const ref: { harness?: PanelHarness } = {};
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
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
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
   * Opens the panel in a fresh page. `bypassCsp` lets the page fetch large recordings from the
   * harness (the panel's CSP rightly forbids any connection); tests of the CSP leave it off.
   */
  async open(options: { savedState?: PanelViewState; width?: number; height?: number; bypassCsp?: boolean } = {}): Promise<PanelPage> {
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
    const panel = new PanelPage(page, errors);
    await panel.waitFor(`(window.__posted ?? []).some((m) => m.type === 'ready')`, 'ready message');
    return panel;
  }

  /** Opens a page, runs `body` with it, and closes it whatever happens. */
  async with<T>(options: Parameters<PanelHarness['open']>[0], body: (panel: PanelPage) => Promise<T>): Promise<T> {
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

export class PanelPage {
  constructor(
    readonly page: Page,
    /** Uncaught errors in the page. */
    readonly errors: string[],
  ) {}

  async deliver(message: HostToPanelMessage): Promise<void> {
    const json = JSON.stringify(message.type === 'records' ? { ...message, bytes: [...message.bytes] } : message);
    await this.page.evaluate(`(() => {
      const m = ${json};
      if (m.type === 'records') m.bytes = new Uint8Array(m.bytes);
      window.__deliver(m);
    })()`);
  }

  async init(mode: 'live' | 'recording' = 'recording', recording = '/tmp/test.smrec'): Promise<void> {
    await this.deliver({ type: 'init', strings: PANEL_STRINGS_EN, locale: 'en', mode, recording });
  }

  /**
   * Delivers a recording fetched from the harness (bytes never cross evaluate()) and returns how
   * long the panel took from the message to the end of its first frame with the data, in ms.
   */
  async deliverServed(path: string): Promise<number> {
    return this.page.evaluate<number>(`(async () => {
      const bytes = new Uint8Array(await (await fetch(${JSON.stringify(path)})).arrayBuffer());
      const drawsBefore = Number(document.body.dataset.draws ?? 0);
      const start = performance.now();
      window.__deliver({ type: 'records', bytes });
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

  async posted(): Promise<PanelToHostMessage[]> {
    return this.page.evaluate<PanelToHostMessage[]>('window.__posted.slice()');
  }

  async cspViolations(): Promise<string[]> {
    return this.page.evaluate<string[]>('window.__csp.slice()');
  }

  async savedState(): Promise<PanelViewState | undefined> {
    return this.page.evaluate<PanelViewState | undefined>('window.__state()');
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

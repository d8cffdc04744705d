/**
 * The host side of the benchmark results panel: one panel, created or revealed on demand, fed
 * what to draw (`show`), and telling the extension what the user asks for in it. The webview
 * computes every chart and table from the results (webview/bench); this class moves messages.
 */
import * as vscode from 'vscode';
import type { RunComparison } from '../core/benchmark/compare';
import type {
  BenchResults,
  BenchSelectViewMessage,
  BenchShowMessage,
  BenchRenderedMessage,
  BenchToHostMessage,
  BenchViewState,
  HostToBenchMessage,
} from '../core/benchmark/panelProtocol';
import type { PanelView } from '../core/benchmark/panelViews';
import { benchStrings } from '../core/benchmark/strings';
import { WebviewPanelHost } from './webviewPanelHost';

/**
 * Finds what to show for a view: for a restored panel (the state its webview saved) and when the
 * user switches views. With the store: `async (state) => viewForState(await store.list(), state)`.
 */
export type BenchResultsLoader = (state: BenchViewState) => Promise<PanelView | undefined>;

export class BenchmarkPanel extends WebviewPanelHost<BenchToHostMessage, HostToBenchMessage> {
  /** Register a WebviewPanelSerializer for this type (package.json: onWebviewPanel:<viewType>). */
  static readonly viewType = 'serverModels.benchmark';
  private static current: BenchmarkPanel | undefined;

  private shown: BenchShowMessage | undefined;

  private readonly selectViewEmitter = new vscode.EventEmitter<BenchSelectViewMessage>();
  private readonly compareAllEmitter = new vscode.EventEmitter<void>();
  /** The user switched between "This stage" and "Compare All Stages" (the panel reloads itself through its loader). */
  readonly onDidSelectView = this.selectViewEmitter.event;
  /** The "Run Compare All Stages" button. */
  readonly onDidRequestCompareAll = this.compareAllEmitter.event;

  /** The open panel, revealed; or a new one beside the active editor. */
  static createOrShow(extensionUri: vscode.Uri, load: BenchResultsLoader): BenchmarkPanel {
    const open = BenchmarkPanel.current;
    if (open && !open.isDisposed) {
      open.panel.reveal(undefined, true);
      return open;
    }
    const panel = vscode.window.createWebviewPanel(
      BenchmarkPanel.viewType,
      benchStrings(vscode.env.language).panelTitle,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      WebviewPanelHost.panelOptions(extensionUri, 'bench'),
    );
    return new BenchmarkPanel(panel, extensionUri, load);
  }

  /** The open panel, if any (e.g. to refresh it after a new run). */
  static get open(): BenchmarkPanel | undefined {
    return BenchmarkPanel.current && !BenchmarkPanel.current.isDisposed ? BenchmarkPanel.current : undefined;
  }

  /**
   * For a WebviewPanelSerializer's deserializeWebviewPanel: takes over a panel VS Code restored
   * and shows again what `load` finds for the view its webview saved.
   */
  static async revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, state: unknown, load: BenchResultsLoader): Promise<BenchmarkPanel> {
    panel.webview.options = WebviewPanelHost.panelOptions(extensionUri, 'bench');
    const revived = new BenchmarkPanel(panel, extensionUri, load);
    const saved = state as Partial<BenchViewState> | undefined;
    await revived.reload({ view: saved?.view === 'compareAll' ? 'compareAll' : 'stage', ...(typeof saved?.runId === 'string' ? { runId: saved.runId } : {}) });
    return revived;
  }

  private constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly load: BenchResultsLoader,
  ) {
    super(panel, extensionUri, {
      title: benchStrings(vscode.env.language).panelTitle,
      script: 'bench.js',
      styles: ['dist/webview/bench.css', 'media/bench/bench.css'],
    });
    BenchmarkPanel.current = this;
    this.disposables.push(this.selectViewEmitter, this.compareAllEmitter);
  }

  /** Draws `results` (replacing what was shown); `comparison` is the focus run against `results.previous`. */
  show(results: BenchResults, comparison?: RunComparison): void {
    this.shown = { type: 'show', results, ...(comparison ? { comparison } : {}) };
    this.post(this.shown);
  }

  /** Shows what the loader finds for `state` (an empty view when it finds nothing or fails). */
  async reload(state: BenchViewState): Promise<void> {
    let loaded: Awaited<ReturnType<BenchResultsLoader>>;
    try {
      loaded = await this.load(state);
    } catch (err) {
      console.error(`[server-models bench panel] ${(err as Error).message}`);
    }
    if (!this.isDisposed) this.show(loaded?.results ?? { view: state.view, runs: [] }, loaded?.comparison);
  }

  /** What the panel was last told to show (for tests: the data, before the webview draws it). */
  get shownResults(): BenchResults | undefined {
    return this.shown?.results;
  }

  /** What the webview last reported drawing (for tests: the picture, not just the data sent). */
  lastRendered: BenchRenderedMessage | undefined;

  protected onReady(): void {
    this.post({ type: 'init', strings: benchStrings(vscode.env.language), locale: vscode.env.language });
    if (this.shown) this.post(this.shown);
  }

  protected onMessage(message: BenchToHostMessage): void {
    switch (message.type) {
      case 'selectView':
        this.selectViewEmitter.fire(message);
        void this.reload({ view: message.view, ...(message.runId ? { runId: message.runId } : {}) });
        break;
      case 'runCompareAll':
        this.compareAllEmitter.fire();
        break;
      case 'openResult':
        void this.openResult(message.file);
        break;
      case 'rendered':
        this.lastRendered = message;
        break;
    }
  }

  /** Opens a result file, but only one the panel was given: the webview does not pick paths. */
  private async openResult(file: string): Promise<void> {
    const shown = this.shown?.results;
    const known = [...(shown?.runs ?? []), ...(shown?.previous ? [shown.previous] : [])].some((r) => r.file === file);
    if (!known) return;
    try {
      await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true, viewColumn: vscode.ViewColumn.Active });
    } catch (err) {
      void vscode.window.showErrorMessage((err as Error).message);
    }
  }

  override dispose(): void {
    if (BenchmarkPanel.current === this) BenchmarkPanel.current = undefined;
    super.dispose();
  }
}

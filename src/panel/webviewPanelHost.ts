/**
 * What every panel's host side shares: the webview document from src/webviewHtml.ts, messages
 * posted only while the webview listens (from its `ready` until it is hidden, when VS Code tears
 * it down), and one path to dispose everything. Subclasses say what to send on `ready` and how to
 * handle the rest of their protocol.
 */
import * as vscode from 'vscode';
import { webviewHtml } from '../webviewHtml';

export interface PanelDocument {
  readonly title: string;
  /** Bundle under dist/webview, e.g. 'panel.js'. */
  readonly script: string;
  readonly styles: readonly string[];
}

/**
 * A visible webview that has not said `ready` by then gets its document again. In the served
 * VS Code a new panel's webview now and then never loads (no message at all for over 30 s, seen
 * in about one run in five of test/integration/suite/openRecording.test.ts); a fresh document (a
 * new nonce, so VS Code does reload it) brings it up, and `ready` replays everything.
 */
const READY_TIMEOUT_MS = 8_000;
const MAX_RELOADS = 3;

export abstract class WebviewPanelHost<FromWebview extends { readonly type: string }, ToWebview> implements vscode.Disposable {
  protected readonly disposables: vscode.Disposable[] = [];
  private webviewReady = false;
  private disposed = false;
  /** The last things that happened to this panel's webview, for a test that fails to say why. */
  readonly history: string[] = [];
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;

  /**
   * Options for a panel whose webview loads from dist/webview and `media/<mediaFolder>` only.
   * Hidden panels are torn down and rebuilt from what the host sends again after `ready`.
   */
  static panelOptions(extensionUri: vscode.Uri, mediaFolder: string): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media', mediaFolder)],
    };
  }

  protected constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    document: PanelDocument,
  ) {
    this.disposables.push(
      this.disposeEmitter,
      panel.webview.onDidReceiveMessage((message: FromWebview) => {
        this.remember(`in:${message.type}`);
        if (message.type === 'ready') {
          this.webviewReady = true;
          this.onReady();
        } else {
          this.onMessage(message);
        }
      }),
      panel.onDidChangeViewState((e) => {
        this.remember(`view:${e.webviewPanel.visible ? 'visible' : 'hidden'}${e.webviewPanel.active ? ',active' : ''}`);
        if (!e.webviewPanel.visible) this.webviewReady = false;
        else if (!this.webviewReady) this.watchReady();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
    this.render = () => {
      panel.webview.html = webviewHtml(
        { webview: panel.webview, extensionUri, lang: vscode.env.language, ...document },
        (base, ...parts) => vscode.Uri.joinPath(base, ...parts),
      );
    };
    this.disposables.push({ dispose: () => clearTimeout(this.readyTimer) });
    this.render();
    this.watchReady();
  }

  private readonly render: () => void;
  private readyTimer: NodeJS.Timeout | undefined;
  private reloads = 0;

  /** Reloads the document if the webview, visible, does not say `ready` in time (READY_TIMEOUT_MS). */
  private watchReady(): void {
    clearTimeout(this.readyTimer);
    this.readyTimer = setTimeout(() => {
      if (this.webviewReady || this.disposed || !this.panel.visible || this.reloads >= MAX_RELOADS) return;
      this.reloads++;
      this.remember('reload');
      this.render();
      this.watchReady();
    }, READY_TIMEOUT_MS);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** The webview (new, or rebuilt after being hidden) listens: send it everything it shows. */
  protected abstract onReady(): void;

  /** Every other message from the webview. */
  protected abstract onMessage(message: FromWebview): void;

  protected post(message: ToWebview): void {
    const type = (message as { type?: string }).type ?? '?';
    if (this.webviewReady && !this.disposed) {
      this.remember(`out:${type}`);
      void this.panel.webview.postMessage(message);
    } else {
      this.remember(`dropped:${type}`);
    }
  }

  private remember(what: string): void {
    if (this.history.push(what) > 60) this.history.splice(0, this.history.length - 60);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

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

export abstract class WebviewPanelHost<FromWebview extends { readonly type: string }, ToWebview> implements vscode.Disposable {
  protected readonly disposables: vscode.Disposable[] = [];
  private webviewReady = false;
  private disposed = false;
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
        if (message.type === 'ready') {
          this.webviewReady = true;
          this.onReady();
        } else {
          this.onMessage(message);
        }
      }),
      panel.onDidChangeViewState((e) => {
        if (!e.webviewPanel.visible) this.webviewReady = false;
      }),
      panel.onDidDispose(() => this.dispose()),
    );
    panel.webview.html = webviewHtml(
      { webview: panel.webview, extensionUri, lang: vscode.env.language, ...document },
      (base, ...parts) => vscode.Uri.joinPath(base, ...parts),
    );
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** The webview (new, or rebuilt after being hidden) listens: send it everything it shows. */
  protected abstract onReady(): void;

  /** Every other message from the webview. */
  protected abstract onMessage(message: FromWebview): void;

  protected post(message: ToWebview): void {
    if (this.webviewReady && !this.disposed) void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

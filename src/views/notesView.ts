/**
 * The Concept Notes view: a webview in the sidebar that shows the notes of the selected (or
 * running) stage. The host renders the note to HTML (src/core/notes) and posts it; the webview
 * only displays it and sends back clicks (reveal a source line, run an experiment).
 */
import * as vscode from 'vscode';
import { type StageId, findStage } from '../core/stages';
import { webviewHtml } from '../webviewHtml';
import { stageTitle } from '../stageText';

export const NOTES_VIEW_ID = 'serverModels.notes';

export class NotesViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private stage: StageId = '01-sequential';
  private readonly disposables: vscode.Disposable[] = [];
  private readonly resolved = new vscode.EventEmitter<void>();
  /** Fires once the view has been resolved (shown for the first time). */
  readonly onDidResolve = this.resolved.event;

  constructor(private readonly extensionUri: vscode.Uri) {
    this.disposables.push(this.resolved);
  }

  get currentStage(): StageId {
    return this.stage;
  }

  get isResolved(): boolean {
    return this.view !== undefined;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
    view.webview.html = webviewHtml(
      {
        webview: view.webview,
        extensionUri: this.extensionUri,
        title: vscode.l10n.t('Concept Notes'),
        lang: vscode.env.language,
        script: 'notes.js',
        styles: ['dist/webview/codicon.css', 'media/notes.css'],
      },
      (base, ...parts) => vscode.Uri.joinPath(base, ...parts),
    );
    this.disposables.push(
      view.onDidDispose(() => (this.view = undefined)),
      view.webview.onDidReceiveMessage((message: unknown) => this.onMessage(message)),
    );
    this.resolved.fire();
  }

  /** Shows the notes of a stage, revealing the view. */
  async show(stageId: StageId): Promise<void> {
    this.stage = stageId;
    if (!this.view) {
      await vscode.commands.executeCommand(`${NOTES_VIEW_ID}.focus`);
    } else {
      this.view.show(true);
    }
    await this.post();
  }

  private async post(): Promise<void> {
    const stage = findStage(this.stage);
    if (!this.view || !stage) return;
    await this.view.webview.postMessage({
      type: 'note',
      stageId: stage.id,
      title: stageTitle(stage),
      model: stage.model,
    });
  }

  private onMessage(message: unknown): void {
    if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'ready') {
      void this.post();
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * The Concept Notes view: a webview in the sidebar showing the note of the selected (or running)
 * stage, or a general topic, in English or Korean. The host renders the note (escaped HTML from
 * src/core/notes) and the webview shows it and sends back clicks.
 */
import * as vscode from 'vscode';
import { type StageId } from '../core/stages';
import { webviewHtml } from '../webviewHtml';
import { isNoteId, isStageNote, TOPICS_OF_STAGE, type NoteId } from '../core/notes/catalog';
import { loadNote, renderNoteFromDisk } from '../core/notes/noteFiles';
import { noteLanguageFor, type NoteLanguage } from '../core/notes/language';
import { type Inline } from '../core/notes/document';
import { type HostToNotesMessage, type NotesToHostMessage } from '../core/notes/viewProtocol';
import { readSettings } from '../settings';

export const NOTES_VIEW_ID = 'serverModels.notes';

/** What the view needs from the rest of the extension. */
export interface NotesViewHost {
  /** The servers/ folder whose sources the links reveal (the shipped copy or a playground). */
  serversDir(): string;
  /** The last figure of each experiment, phrased in `language`. */
  figures(language: NoteLanguage): Readonly<Record<string, string>>;
  runExperiment(experimentId: string): void;
}

export class NotesViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private noteId: NoteId = '01-sequential';
  private section: string | undefined;
  /** Set by the toggle; otherwise the setting, then VS Code's display language, decide. */
  private chosenLanguage: NoteLanguage | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private shownNote: { noteId: string; language: NoteLanguage; sections: number } | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly host: NotesViewHost,
  ) {}

  get currentNote(): NoteId {
    return this.noteId;
  }

  /** What the webview last reported on screen (for tests and for moments). */
  get shown(): { noteId: string; language: NoteLanguage; sections: number } | undefined {
    return this.shownNote;
  }

  get isResolved(): boolean {
    return this.view !== undefined;
  }

  get language(): NoteLanguage {
    if (this.chosenLanguage) return this.chosenLanguage;
    const setting = readSettings().notesLanguage;
    return setting === 'auto' ? noteLanguageFor(vscode.env.language) : setting;
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
        lang: this.language,
        script: 'notes.js',
        styles: ['media/notes.css'],
      },
      (base, ...parts) => vscode.Uri.joinPath(base, ...parts),
    );
    this.disposables.push(
      view.onDidDispose(() => (this.view = undefined)),
      view.webview.onDidReceiveMessage((message: NotesToHostMessage) => this.onMessage(message)),
    );
  }

  /** Shows a note (a stage id or a topic id), revealing the view. */
  async show(noteId: NoteId, section?: string): Promise<void> {
    this.noteId = noteId;
    this.section = section;
    if (!this.view) await vscode.commands.executeCommand(`${NOTES_VIEW_ID}.focus`);
    else this.view.show(true);
    await this.post();
  }

  /** Follows the running stage: switches the note if the view is open, without taking focus. */
  follow(noteId: NoteId): void {
    if (!this.view || this.noteId === noteId) return;
    this.noteId = noteId;
    this.section = undefined;
    void this.post();
  }

  /** A recording reached a moment the current note talks about. */
  markMoment(momentId: string): void {
    void this.send({ type: 'moment', momentId });
  }

  showFigure(experimentId: string, text: string, running = false): void {
    void this.send({ type: 'figure', experimentId, text, running });
  }

  private async post(): Promise<void> {
    if (!this.view) return;
    const language = this.language;
    const { html, problems } = renderNoteFromDisk({
      extensionRoot: this.extensionUri.fsPath,
      serversDir: this.host.serversDir(),
      language,
      id: this.noteId,
      figures: this.host.figures(language),
      labels: {
        runExperiment: vscode.l10n.t('Run this experiment'),
        notYetMeasured: vscode.l10n.t('Not measured on this machine yet.'),
        staleSourceLink: vscode.l10n.t('This link no longer matches the source:'),
      },
    });
    for (const p of problems) console.warn(`notes ${this.noteId}: ${JSON.stringify(p)}`);
    const relatedIds: NoteId[] = isStageNote(this.noteId)
      ? [...TOPICS_OF_STAGE[this.noteId]]
      : (Object.entries(TOPICS_OF_STAGE) as [StageId, readonly NoteId[]][]).filter(([, topics]) => topics.includes(this.noteId)).map(([stage]) => stage);
    await this.send({
      type: 'show',
      noteId: this.noteId,
      language,
      html,
      section: this.section,
      related: relatedIds.map((id) => ({ noteId: id, title: plainText(loadNote(this.extensionUri.fsPath, language, id).document.title) })),
      labels: {
        language: vscode.l10n.t('Language of the notes'),
        relatedTopics: isStageNote(this.noteId) ? vscode.l10n.t('Related topics') : vscode.l10n.t('Stages that show it'),
        stageNote: vscode.l10n.t('Stage notes'),
      },
    });
  }

  private send(message: HostToNotesMessage): Thenable<boolean> {
    return this.view?.webview.postMessage(message) ?? Promise.resolve(false);
  }

  private onMessage(message: NotesToHostMessage): void {
    switch (message.type) {
      case 'ready':
        void this.post();
        break;
      case 'shown':
        this.shownNote = { noteId: message.noteId, language: message.language, sections: message.sections };
        break;
      case 'setLanguage':
        this.chosenLanguage = message.language;
        void this.post();
        break;
      case 'openNote':
        if (isNoteId(message.noteId)) void this.show(message.noteId, message.section);
        break;
      case 'openSource':
        void revealSource(this.host.serversDir(), message.file, message.line, message.needle);
        break;
      case 'runExperiment':
        this.host.runExperiment(message.experimentId);
        break;
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function plainText(content: readonly Inline[]): string {
  return content.map((i) => (i.kind === 'text' || i.kind === 'code' ? i.text : plainText(i.children))).join('');
}

/** Opens `file` (relative to serversDir) at `line`, or at the first line containing `needle`. */
export async function revealSource(serversDir: string, file: string, line?: number, needle?: string): Promise<void> {
  const uri = vscode.Uri.joinPath(vscode.Uri.file(serversDir), ...file.split('/'));
  const document = await vscode.workspace.openTextDocument(uri);
  let target = line !== undefined ? line - 1 : -1;
  if (target < 0 && needle) {
    for (let i = 0; i < document.lineCount; i++) {
      if (document.lineAt(i).text.includes(needle)) {
        target = i;
        break;
      }
    }
  }
  const editor = await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.One });
  if (target >= 0) {
    const range = document.lineAt(Math.min(target, document.lineCount - 1)).range;
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
}

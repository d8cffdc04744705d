/**
 * The host side of the recording panel: creates (or revives) the webview panel, feeds it a
 * recording, live or from a file, and reports what the user does in it. Everything the panel
 * draws is computed in the webview from the recording bytes (src/core/trace); this class only
 * moves bytes and messages, so it stays thin.
 */
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type {
  DrawnMessage,
  HostToPanelMessage,
  MomentMessage,
  NoticeMessage,
  PanelStage,
  PanelToHostMessage,
  PanelViewState,
  RevealSourceMessage,
  CursorLinesMessage,
} from '../core/panel/protocol';
import { panelStrings } from '../core/panel/strings';
import { WebviewPanelHost } from './webviewPanelHost';

export interface RecordingPanelOptions {
  readonly title: string;
  readonly mode: 'live' | 'recording';
  readonly stage?: PanelStage;
  /** Path of the recording file; kept in the webview state so a restarted window reopens it. */
  readonly recording?: string;
}

export class RecordingPanel extends WebviewPanelHost<PanelToHostMessage, HostToPanelMessage> {
  /** Register a WebviewPanelSerializer for this type (package.json: onWebviewPanel:<viewType>). */
  static readonly viewType = 'serverModels.recording';

  /** Everything sent since the last reset: replayed to the webview after every `ready`. */
  private chunks: Uint8Array[] = [];
  /** Notices and moments, replayed after the webview reloads. */
  private notices: (NoticeMessage | MomentMessage)[] = [];
  private options: RecordingPanelOptions;
  private ended = false;

  private readonly revealEmitter = new vscode.EventEmitter<RevealSourceMessage>();
  private readonly cursorEmitter = new vscode.EventEmitter<CursorLinesMessage>();
  private readonly stopEmitter = new vscode.EventEmitter<void>();
  /** The user clicked an event or a slice: reveal `file:line`. */
  readonly onDidRequestReveal = this.revealEmitter.event;
  /** The step cursor moved: highlight each thread's current line. */
  readonly onDidMoveCursor = this.cursorEmitter.event;
  /** The panel's Stop button. */
  readonly onDidRequestStop = this.stopEmitter.event;

  /** Creates a panel beside the active editor. */
  static create(extensionUri: vscode.Uri, options: RecordingPanelOptions): RecordingPanel {
    const panel = vscode.window.createWebviewPanel(
      RecordingPanel.viewType,
      options.title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      // Hidden panels are torn down and rebuilt from getState plus a replay of the recording:
      // cheaper than keeping a hidden canvas alive.
      WebviewPanelHost.panelOptions(extensionUri, 'panel'),
    );
    return new RecordingPanel(panel, extensionUri, options);
  }

  /**
   * For a WebviewPanelSerializer's deserializeWebviewPanel: takes over a panel VS Code restored
   * and reloads the recording named in the state the webview saved, if it still exists.
   */
  static async revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, state: unknown): Promise<RecordingPanel> {
    const saved = state as Partial<PanelViewState> | undefined;
    const recording = typeof saved?.recording === 'string' ? saved.recording : undefined;
    panel.webview.options = WebviewPanelHost.panelOptions(extensionUri, 'panel');
    const revived = new RecordingPanel(panel, extensionUri, { title: panel.title, mode: 'recording', recording });
    if (recording) {
      try {
        const bytes = await readFile(recording);
        revived.append(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      } catch (err) {
        revived.notice('error', `${recording}: ${(err as Error).message}`);
      }
    }
    revived.runEnded();
    return revived;
  }

  private constructor(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, options: RecordingPanelOptions) {
    super(panel, extensionUri, { title: options.title, script: 'panel.js', styles: ['dist/webview/codicon.css', 'media/panel/panel.css'] });
    this.options = options;
    this.disposables.push(this.revealEmitter, this.cursorEmitter, this.stopEmitter);
  }


  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  /** Starts over with a new run or file; the strings stay. */
  reset(options: RecordingPanelOptions): void {
    this.options = options;
    this.chunks = [];
    this.notices = [];
    this.ended = false;
    this.lastDrawn = undefined;
    this.panel.title = options.title;
    this.post({ type: 'reset', mode: options.mode, recording: options.recording, stage: options.stage });
  }

  /** Appends recording bytes (a whole file, or what the sink appended during a live run). */
  append(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    this.chunks.push(bytes);
    this.post({ type: 'records', bytes });
  }

  /** The live run is over; the panel switches to replay. */
  runEnded(): void {
    this.ended = true;
    this.post({ type: 'runEnded' });
  }

  notice(level: 'info' | 'error', text: string): void {
    const message: NoticeMessage = { type: 'notice', level, text };
    this.notices.push(message);
    this.post(message);
  }

  /** The notices of this run so far (for tests: what the panel was told to say). */
  get shownNotices(): readonly NoticeMessage[] {
    return this.notices.filter((n): n is NoticeMessage => n.type === 'notice');
  }

  /** Flags a moment of the notes at `timeNs` on the timeline. */
  markMoment(timeNs: number, title: string): void {
    const message: MomentMessage = { type: 'moment', timeNs, title };
    this.notices.push(message);
    this.post(message);
  }

  /** Step or play from a command or keybinding. */
  control(action: 'stepNext' | 'stepPrevious' | 'playPause'): void {
    this.post({ type: 'control', action });
  }

  /** What the webview reported drawing once the recording was complete. */
  lastDrawn: DrawnMessage | undefined;

  protected onReady(): void {
    this.sendEverything();
  }

  protected onMessage(message: PanelToHostMessage): void {
    switch (message.type) {
      case 'revealSource':
        this.revealEmitter.fire(message);
        break;
      case 'cursorLines':
        this.cursorEmitter.fire(message);
        break;
      case 'stopRun':
        this.stopEmitter.fire();
        break;
      case 'drawn':
        this.lastDrawn = message;
        break;
      case 'error':
        console.error(`[server-models panel] ${message.message}`);
        break;
    }
  }

  private sendEverything(): void {
    const { mode, stage, recording } = this.options;
    this.post({
      type: 'init',
      strings: panelStrings(vscode.env.language),
      locale: vscode.env.language,
      mode: this.ended ? 'recording' : mode,
      stage,
      recording,
    });
    for (const bytes of this.chunks) this.post({ type: 'records', bytes });
    for (const notice of this.notices) this.post(notice);
    if (this.ended) this.post({ type: 'runEnded' });
  }
}

/**
 * The host side of the recording panel: creates (or revives) the webview panel, feeds it a
 * recording, live or from a file, and reports what the user does in it. Everything the panel
 * draws is computed in the webview from the recording bytes (src/core/trace); this class only
 * moves bytes and messages, so it stays thin.
 */
import { open } from 'node:fs/promises';
import * as vscode from 'vscode';
import type {
  DrawnMessage,
  HostToPanelMessage,
  MomentMessage,
  NoticeMessage,
  PanelStage,
  PanelToHostMessage,
  PanelViewState,
  RecordsMessage,
  RevealSourceMessage,
  CursorLinesMessage,
} from '../core/panel/protocol';
import { panelStrings } from '../core/panel/strings';
import { WebviewPanelHost } from './webviewPanelHost';

/**
 * The most bytes one `records` message carries. A recording of hundreds of megabytes then moves
 * as many messages of a few megabytes each: none has to be held twice at once in a process on
 * the way (extension host, remote server, window, webview iframe), and the webview decodes the
 * first chunk while the next one travels.
 */
export const RECORDS_CHUNK_BYTES = 4 << 20;

/**
 * `bytes` as messages that survive every transport between the extension host and the webview.
 *
 * VS Code's extension host serializes a webview message with JSON, lifting out typed arrays
 * whose constructor name it knows (Uint8Array, ...) and sending their *whole* ArrayBuffer beside
 * it. A Node Buffer (what readFile and sockets give) is not one of those names: its toJSON turns
 * it into `{type:'Buffer', data:[...]}`, a JSON array of numbers, so the webview receives no bytes
 * at all (that was "unknown magic"). A Uint8Array view into a larger buffer (a pool, a slice of a
 * file) arrives intact but carries its entire backing store with it. So every chunk posted is a
 * plain Uint8Array over an ArrayBuffer of exactly its own length; bytes that already are that
 * (the sink's batches, appendFile's reads) go as they are, anything else costs one copy (about
 * 1 ms per 4 MiB here).
 */
export function postableChunks(bytes: Uint8Array, maxBytes = RECORDS_CHUNK_BYTES): Uint8Array[] {
  if (bytes.byteLength === 0) return [];
  if (isExact(bytes) && bytes.byteLength <= maxBytes) return [bytes];
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength; at += maxBytes) {
    const end = Math.min(bytes.byteLength, at + maxBytes);
    const chunk = new Uint8Array(end - at);
    chunk.set(bytes.subarray(at, end));
    chunks.push(chunk);
  }
  return chunks;
}

/** A plain Uint8Array that is all of an unshared ArrayBuffer. */
function isExact(bytes: Uint8Array): boolean {
  return (
    Object.getPrototypeOf(bytes) === Uint8Array.prototype &&
    bytes.buffer instanceof ArrayBuffer &&
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength
  );
}

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

  /** The panels open now, newest last (Export Trace acts on the active one). */
  private static readonly open = new Set<RecordingPanel>();

  static get all(): readonly RecordingPanel[] {
    return [...RecordingPanel.open];
  }

  /** The recording panel the user is in, if any. */
  static get active(): RecordingPanel | undefined {
    return [...RecordingPanel.open].reverse().find((p) => p.panel.active);
  }

  /** Everything sent since the last reset: replayed to the webview after every `ready`. */
  private chunks: RecordsMessage[] = [];
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
        await revived.appendFile(recording);
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
    this.disposables.push(this.revealEmitter, this.cursorEmitter, this.stopEmitter, { dispose: () => RecordingPanel.open.delete(this) });
    RecordingPanel.open.add(this);
  }

  /** The recording file this panel shows (written to while the run is live). */
  get recording(): string | undefined {
    return this.options.recording;
  }

  /** Disposed with this panel (what the panel's owner attached to it, e.g. source annotations). */
  own(disposable: vscode.Disposable): void {
    if (this.isDisposed) disposable.dispose();
    else this.disposables.push(disposable);
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
    this.reportedErrors.length = 0;
    this.panel.title = options.title;
    this.post({ type: 'reset', mode: options.mode, recording: options.recording, stage: options.stage });
  }

  /** Appends recording bytes (what the sink appended during a live run, or part of a file). */
  append(bytes: Uint8Array, totalBytes?: number): void {
    for (const chunk of postableChunks(bytes)) {
      const message: RecordsMessage = totalBytes === undefined ? { type: 'records', bytes: chunk } : { type: 'records', bytes: chunk, totalBytes };
      totalBytes = undefined;
      this.chunks.push(message);
      this.post(message);
    }
  }

  /**
   * Appends a whole recording file, read in chunks of the message size straight into fresh
   * arrays of their own (no copy, and never the whole file in one buffer or one message; only a
   * short last chunk is copied to its exact length). Rejects if the file cannot be read.
   */
  async appendFile(file: string): Promise<void> {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      for (let position = 0; !this.isDisposed; ) {
        const chunk = new Uint8Array(RECORDS_CHUNK_BYTES);
        const { bytesRead } = await handle.read(chunk, 0, chunk.byteLength, position);
        if (bytesRead === 0) break;
        this.append(bytesRead === chunk.byteLength ? chunk : chunk.slice(0, bytesRead), position === 0 ? size : undefined);
        position += bytesRead;
      }
    } finally {
      await handle.close();
    }
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
  /** The threads' lines the webview reported last for its step cursor. */
  lastCursorLines: CursorLinesMessage | undefined;
  /** What the webview could not read (for tests and the log). */
  readonly reportedErrors: string[] = [];

  protected onReady(): void {
    this.sendEverything();
  }

  protected onMessage(message: PanelToHostMessage): void {
    switch (message.type) {
      case 'revealSource':
        this.revealEmitter.fire(message);
        break;
      case 'cursorLines':
        this.lastCursorLines = message;
        this.cursorEmitter.fire(message);
        break;
      case 'stopRun':
        this.stopEmitter.fire();
        break;
      case 'drawn':
        this.lastDrawn = message;
        break;
      case 'error':
        this.reportedErrors.push(message.message);
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
    for (const message of this.chunks) this.post(message);
    for (const notice of this.notices) this.post(notice);
    if (this.ended) this.post({ type: 'runEnded' });
  }
}

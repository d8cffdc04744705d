/**
 * The stage's source as the lesson: at every line that emitted trace events, a gutter mark and
 * the run's figures (`recv ×128 · blocked 3.2 s`) with a hover that explains the call; at the
 * panel's step cursor, each thread's current line marked in its lane colour.
 */
import * as vscode from 'vscode';
import { type CallName, describeLine, lineStats, type LineStat } from '../core/annotations/lineStats';
import { type TraceModel } from '../core/trace/model';
import { type ThreadLine } from '../core/panel/protocol';

/** Maps a file as the trace names it (relative to servers/) to the file the user sees. */
export type TraceFileResolver = (traceFile: string) => vscode.Uri;

export class SourceAnnotations implements vscode.Disposable {
  private stats: LineStat[] = [];
  private cursorLines: readonly ThreadLine[] = [];
  private readonly statsType: vscode.TextEditorDecorationType;
  private readonly cursorTypes = new Map<string, vscode.TextEditorDecorationType>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Lines decorated per document, for tests and for "is this line annotated". */
  private readonly decorated = new Map<string, number[]>();

  constructor(
    extensionUri: vscode.Uri,
    private readonly resolve: TraceFileResolver,
  ) {
    this.statsType = vscode.window.createTextEditorDecorationType({
      gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', 'trace-mark.svg'),
      gutterIconSize: 'contain',
      after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 2em', fontStyle: 'italic' },
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    });
    this.disposables.push(this.statsType, vscode.window.onDidChangeVisibleTextEditors(() => this.render()));
  }

  /** Recomputes the figures from the run's model (the caller decides how often). */
  update(model: TraceModel): void {
    this.stats = lineStats(model);
    this.render();
  }

  /** The panel's step cursor moved. */
  showCursor(lines: readonly ThreadLine[]): void {
    this.cursorLines = lines;
    this.render();
  }

  /** 1-based lines that carry figures in `uri`. */
  decoratedLines(uri: vscode.Uri): readonly number[] {
    return this.decorated.get(uri.toString()) ?? [];
  }

  private render(): void {
    const words = { blocked: vscode.l10n.t('blocked'), busy: vscode.l10n.t('busy') };
    this.decorated.clear();
    for (const editor of vscode.window.visibleTextEditors) {
      const uri = editor.document.uri.toString();
      const mine = this.stats.filter((s) => this.resolve(s.file).toString() === uri && s.line <= editor.document.lineCount);
      editor.setDecorations(
        this.statsType,
        mine.map((s) => {
          const line = editor.document.lineAt(s.line - 1);
          return {
            range: new vscode.Range(line.range.end, line.range.end),
            renderOptions: { after: { contentText: describeLine(s, words) } },
            hoverMessage: hover(s),
          };
        }),
      );
      this.decorated.set(uri, mine.map((s) => s.line));
      const byColor = new Map<string, vscode.DecorationOptions[]>();
      for (const t of this.cursorLines) {
        if (this.resolve(t.file).toString() !== uri || t.line > editor.document.lineCount) continue;
        const range = editor.document.lineAt(t.line - 1).range;
        const list = byColor.get(t.themeColor) ?? [];
        list.push({ range, renderOptions: { before: { contentText: `${t.laneName} ▸ ` } } });
        byColor.set(t.themeColor, list);
      }
      for (const [color, type] of this.cursorTypes) if (!byColor.has(color)) editor.setDecorations(type, []);
      for (const [color, options] of byColor) editor.setDecorations(this.cursorType(color), options);
    }
  }

  private cursorType(themeColor: string): vscode.TextEditorDecorationType {
    let type = this.cursorTypes.get(themeColor);
    if (!type) {
      const color = new vscode.ThemeColor(themeColor);
      type = vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        borderWidth: '0 0 0 3px',
        borderStyle: 'solid',
        borderColor: color,
        overviewRulerColor: color,
        overviewRulerLane: vscode.OverviewRulerLane.Left,
        before: { color, fontWeight: 'bold', margin: '0 0.5em 0 0' },
      });
      this.cursorTypes.set(themeColor, type);
    }
    return type;
  }

  dispose(): void {
    for (const type of this.cursorTypes.values()) type.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function hover(stat: LineStat): vscode.MarkdownString {
  const text = stat.calls.map((c) => `**${c.call}** ×${c.count}: ${explain(c.call)}`).join('\n\n');
  return new vscode.MarkdownString(text);
}

/** What the call means in the model's terms. */
function explain(call: CallName): string {
  switch (call) {
    case 'accept': return vscode.l10n.t('The thread sleeps here until a client connects; the kernel has already finished the handshake and queued it in the listen backlog.');
    case 'recv': return vscode.l10n.t('The thread sleeps here until the client sends bytes. Sleeping costs no CPU, but a sleeping thread serves nobody else.');
    case 'send': return vscode.l10n.t('Copies the reply into the socket\'s send buffer; it only waits (or returns EAGAIN) when that buffer is full.');
    case 'select': return vscode.l10n.t('One call watches every socket in the fd sets. The kernel scans them all, and the sets must be rebuilt before the next call.');
    case 'epoll_wait': return vscode.l10n.t('Sockets were registered once; the wait returns only the ready ones, however many are registered.');
    case 'kevent': return vscode.l10n.t('kqueue\'s wait: like epoll_wait, only the ready events come back.');
    case 'sleep': return vscode.l10n.t('Nothing was ready on the last pass, so the thread naps before polling again: a reply can be late by up to one interval.');
    case 'loop': return vscode.l10n.t('The library\'s event loop waits for I/O here (epoll or kqueue underneath).');
    case 'ready': return vscode.l10n.t('A socket the wait reported ready.');
    case 'EAGAIN': return vscode.l10n.t('A non-blocking call found nothing to do: a trip into the kernel for nothing.');
    case 'callback': return vscode.l10n.t('A callback runs on the loop\'s thread; while it runs, no other client is served.');
    case 'work': return vscode.l10n.t('The CPU-heavy work request (trial division) runs here; the thread that runs it can do nothing else meanwhile.');
    case 'submit': return vscode.l10n.t('The work request is handed to another thread, so this one stays free for the other clients.');
    case 'timer': return vscode.l10n.t('A timer fired; how late it fired shows how long the loop was blocked.');
    case 'thread': return vscode.l10n.t('A new OS thread starts here; its stack reserves address space, and the kernel schedules it.');
    case 'green': return vscode.l10n.t('A green thread is created: its own small stack and context, but no OS thread.');
    case 'park': return vscode.l10n.t('The green thread would block: it parks, and its carrier runs another green thread.');
    case 'resume': return vscode.l10n.t('The socket is ready: the parked green thread can run again, on any free carrier.');
    case 'connection': return vscode.l10n.t('A connection starts being served.');
    case 'close': return vscode.l10n.t('The connection is closed.');
  }
}

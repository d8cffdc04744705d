/**
 * The stage's source as the lesson: at every line that emitted trace events, a gutter mark and
 * the run's figures (`recv ×128 · blocked 3.2 s`) with a hover that explains the call; at the
 * panel's step cursor, each thread's current line marked in its lane colour (a border, the
 * thread's name before the line, a mark in the overview ruler and an arrow in the gutter). A
 * thread whose line is in a helper (common/blocking.c's recv) is also shown, in main.c, at the
 * call that led there (src/core/annotations/callSites.ts): main.c is what the learner reads.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { callSiteIn, type CallSite } from '../core/annotations/callSites';
import { type CallName, describeLine, lineStats, type LineStat } from '../core/annotations/lineStats';
import { type TraceModel } from '../core/trace/model';
import { type ThreadLine } from '../core/panel/protocol';


/**
 * The servers/ folder whose files a run of `sources` is shown in: a playground is its own
 * source; the shipped stages are annotated where the user reads them (the extension's servers/),
 * the build copy in global storage being identical.
 */
export function annotatedServersRoot(extensionUri: vscode.Uri, sources: { readonly isPlayground: boolean; readonly serversDir: string }): string {
  return sources.isPlayground ? sources.serversDir : vscode.Uri.joinPath(extensionUri, 'servers').fsPath;
}

/** A thread's line at the cursor as decorated: 1-based, in the lane's theme colour. */
export interface DecoratedCursorLine {
  readonly line: number;
  readonly laneName: string;
  readonly themeColor: string;
  /** For a call site: the functions from this line to the thread's line, outermost first. */
  readonly via?: readonly string[];
  /** For a call site: where the thread is (`common/blocking.c:42`). */
  readonly threadAt?: string;
}

/** Threads named before a line; the rest are counted (`+97`) and listed in the hover. */
const LABELLED_THREADS = 3;

export class SourceAnnotations implements vscode.Disposable {
  private stats: LineStat[] = [];
  private cursorLines: readonly ThreadLine[] = [];
  private revealDue = false;
  private revealedOnce = false;
  private readonly statsType: vscode.TextEditorDecorationType;
  private readonly cursorTypes = new Map<string, vscode.TextEditorDecorationType>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Lines decorated per document, for tests and for "is this line annotated". */
  private readonly decorated = new Map<string, number[]>();
  private readonly decoratedCursor = new Map<string, DecoratedCursorLine[]>();

  /**
   * `serversRoot`: the servers/ folder shown to the user (annotatedServersRoot), to which the
   * trace's file names are relative.
   */
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly serversRoot: string,
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

  /**
   * The panel's step cursor moved. With `byUser` (a step, playback), and the first time, an
   * editor whose threads' lines are all out of view scrolls to them, as a debugger's does; a live
   * run's cursor following the newest event does not move what the user reads.
   */
  showCursor(lines: readonly ThreadLine[], byUser = false): void {
    this.cursorLines = lines;
    this.revealDue = byUser || (!this.revealedOnce && lines.length > 0);
    this.render();
    this.revealDue = false;
  }

  /** 1-based lines that carry figures in `uri`. */
  decoratedLines(uri: vscode.Uri): readonly number[] {
    return this.decorated.get(uri.toString()) ?? [];
  }

  /** The threads' lines at the panel's cursor, as decorated in `uri` now (for tests). */
  decoratedCursorLines(uri: vscode.Uri): readonly DecoratedCursorLine[] {
    return this.decoratedCursor.get(uri.toString()) ?? [];
  }

  private render(): void {
    const words = { blocked: vscode.l10n.t('blocked'), busy: vscode.l10n.t('busy') };
    this.decorated.clear();
    this.decoratedCursor.clear();
    // Sources read for call sites, once per pass (files may change between passes).
    const texts = new Map<string, readonly string[] | undefined>();
    const read = (file: string): readonly string[] | undefined => {
      if (!texts.has(file)) {
        const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === this.resolve(file).toString());
        let text: string | undefined;
        try {
          text = open ? open.getText() : readFileSync(this.resolve(file).fsPath, 'utf8');
        } catch {
          text = undefined;
        }
        texts.set(file, text?.split('\n'));
      }
      return texts.get(file);
    };
    const callSites = new Map<string, CallSite | undefined>();
    for (const editor of vscode.window.visibleTextEditors) {
      const uri = editor.document.uri.toString();
      const traceName = this.traceName(editor.document.uri);
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
      const cursor: DecoratedCursorLine[] = [];
      const others = traceName !== undefined && this.cursorLines.length > 0 ? this.stageFiles(traceName) : [];
      for (const t of this.cursorLines) {
        let at: { line: number; via?: readonly string[] } | undefined;
        if (traceName === t.file) at = { line: t.line };
        else if (traceName !== undefined) {
          // Many threads stand on the same few lines (a hundred in recv): look each up once.
          const key = `${traceName}|${t.file}:${t.line}`;
          if (!callSites.has(key)) callSites.set(key, callSiteIn(read, traceName, t.file, t.line, others));
          at = callSites.get(key);
        }
        if (!at || at.line < 1 || at.line > editor.document.lineCount) continue;
        cursor.push({ line: at.line, laneName: t.laneName, themeColor: t.themeColor, ...(at.via ? { via: at.via, threadAt: `${t.file}:${t.line}` } : {}) });
      }
      // One label per line, however many threads stand there (a hundred in recv), so the code
      // stays in view: the first thread's decoration names them all, each keeps its colour.
      const byLine = new Map<number, DecoratedCursorLine[]>();
      for (const c of cursor) byLine.set(c.line, [...(byLine.get(c.line) ?? []), c]);
      for (const [line, here] of byLine) {
        const range = editor.document.lineAt(line - 1).range;
        const names = here.slice(0, LABELLED_THREADS).map((c) => c.laneName).join(', ');
        const more = here.length > LABELLED_THREADS ? ` +${here.length - LABELLED_THREADS}` : '';
        const hover = new vscode.MarkdownString(
          here.map((c) => (c.via ? vscode.l10n.t('{0} is in {1}, at {2}', c.laneName, c.via.join(' › '), c.threadAt ?? '') : c.laneName)).join('  \n'),
        );
        here.forEach((c, i) => {
          const list = byColor.get(c.themeColor) ?? [];
          list.push({ range, hoverMessage: hover, renderOptions: { before: { contentText: i === 0 ? `${names}${more} ▸ ` : '' } } });
          byColor.set(c.themeColor, list);
        });
      }
      this.decoratedCursor.set(uri, cursor);
      if (this.revealDue && cursor.length > 0) {
        const visible = (line: number) => editor.visibleRanges.some((r) => r.start.line <= line - 1 && line - 1 <= r.end.line);
        if (!cursor.some((c) => visible(c.line))) {
          // The line's start only: revealing the whole line would scroll sideways to its end.
          const start = new vscode.Position(cursor[0].line - 1, 0);
          editor.revealRange(new vscode.Range(start, start), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        }
        this.revealedOnce = true;
      }
      for (const [color, type] of this.cursorTypes) if (!byColor.has(color)) editor.setDecorations(type, []);
      for (const [color, options] of byColor) editor.setDecorations(this.cursorType(color), options);
    }
  }

  /** A file as the trace names it (relative to servers/) as the user sees it. */
  private resolve(traceFile: string): vscode.Uri {
    return vscode.Uri.joinPath(vscode.Uri.file(this.serversRoot), ...traceFile.split('/'));
  }

  /** The trace's name for a document under the servers/ folder, else undefined. */
  private traceName(uri: vscode.Uri): string | undefined {
    if (uri.scheme !== 'file') return undefined;
    const relative = path.relative(this.serversRoot, uri.fsPath);
    if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
    return relative.split(path.sep).join('/');
  }

  /** The C files a call into `file` may pass through: its stage folder's and common/'s. */
  private stageFiles(file: string): string[] {
    const folders = [...new Set([file.split('/')[0], 'common'])];
    return folders.flatMap((folder) => {
      try {
        return readdirSync(path.join(this.serversRoot, folder))
          .filter((f) => f.endsWith('.c'))
          .map((f) => `${folder}/${f}`);
      } catch {
        return [];
      }
    });
  }

  private cursorType(themeColor: string): vscode.TextEditorDecorationType {
    let type = this.cursorTypes.get(themeColor);
    if (!type) {
      const color = new vscode.ThemeColor(themeColor);
      // Gutter icons are images and cannot take a theme colour: one arrow per lane colour in
      // its default dark and light values (media/lanes), a neutral one for a colour without.
      const icon = (kind: 'dark' | 'light') => {
        const own = vscode.Uri.joinPath(this.extensionUri, 'media', 'lanes', `${themeColor}-${kind}.svg`);
        return /^[\w.]+$/.test(themeColor) && existsSync(own.fsPath) ? own : vscode.Uri.joinPath(this.extensionUri, 'media', 'lanes', `default-${kind}.svg`);
      };
      type = vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        gutterIconSize: 'contain',
        dark: { gutterIconPath: icon('dark') },
        light: { gutterIconPath: icon('light') },
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

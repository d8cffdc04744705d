/**
 * Run Stage's terminals: one for the stage and one for its client per stage, kept for the next
 * run of that stage, which continues in them under a rule; six runs leave two terminals each,
 * not twelve. The RunController owns this; the terminals themselves are never closed by us (their
 * output is read after Stop), and one the user closed is made anew next time.
 */
import * as vscode from 'vscode';
import { LineTerminal, type LineTerminalOwner } from './lineTerminal';

export interface StageTerminal {
  readonly terminal: vscode.Terminal;
  readonly pty: LineTerminal;
}

export class StageTerminals implements vscode.Disposable {
  private readonly kept = new Map<string, StageTerminal>();
  private readonly closing = vscode.window.onDidCloseTerminal((closed) => {
    for (const [name, kept] of this.kept) if (kept.terminal === closed) this.kept.delete(name);
  });

  /** The terminal named `name`, taken over by `owner`: the one kept from the last run, or a new one. */
  acquire(name: string, iconPath: vscode.ThemeIcon, owner: LineTerminalOwner): StageTerminal {
    const kept = this.kept.get(name);
    if (kept && kept.terminal.exitStatus === undefined) {
      kept.pty.reuse(owner, vscode.l10n.t('── run again, {0} ──', new Date().toLocaleTimeString()));
      return kept;
    }
    const pty = new LineTerminal(owner);
    const fresh = { terminal: vscode.window.createTerminal({ name, pty, iconPath }), pty };
    this.kept.set(name, fresh);
    return fresh;
  }

  dispose(): void {
    this.closing.dispose();
    this.kept.clear();
  }
}

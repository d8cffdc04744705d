/**
 * A terminal that shows lines produced in the extension host (a stage's output, the client's log)
 * and hands Ctrl+C and closing back to their owner. Terminal text needs CRLF line ends.
 */
import * as vscode from 'vscode';

export interface LineTerminalOwner {
  /** Called once the terminal is open and can show output. */
  start(terminal: LineTerminal): void;
  /** Ctrl+C typed in the terminal. */
  interrupt(): void;
  /** The user closed the terminal. */
  closed(): void;
}

export class LineTerminal implements vscode.Pseudoterminal {
  private readonly written = new vscode.EventEmitter<string>();
  private readonly closedByUs = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.written.event;
  readonly onDidClose = this.closedByUs.event;
  private isOpen = false;
  private ended = false;

  constructor(private owner: LineTerminalOwner) {}

  /**
   * The next run of the same stage, in this terminal: a rule under the last run's output, then
   * the new owner starts (at once if the terminal is open, else when it opens).
   */
  reuse(owner: LineTerminalOwner, rule: string): void {
    this.owner = owner;
    this.ended = false;
    if (!this.isOpen) return;
    this.writeLine('');
    this.writeNote(rule);
    owner.start(this);
  }

  open(): void {
    this.isOpen = true;
    this.owner.start(this);
  }

  close(): void {
    if (!this.ended) this.owner.closed();
    this.dispose();
  }

  handleInput(data: string): void {
    if (data.includes('\x03')) this.owner.interrupt();
  }

  writeLine(line: string): void {
    if (this.isOpen) this.written.fire(`${line.replace(/\r?\n/g, '\r\n')}\r\n`);
  }

  /** Writes a dimmed note that is ours, not the program's (e.g. "exited with code 0"). */
  writeNote(text: string): void {
    this.writeLine(`\x1b[2m${text}\x1b[0m`);
  }

  /** The program is over; the terminal stays open so its output can be read. */
  markEnded(): void {
    this.ended = true;
  }

  private dispose(): void {
    this.written.dispose();
    this.closedByUs.dispose();
  }
}

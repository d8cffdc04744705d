/**
 * How a stage process ended, and what the user is told about it. A stage ends either because
 * the extension asked it to (Stop Stage, Ctrl+C in its terminal, closing the terminal, the end of
 * a benchmark) or on its own while it was in use: it crashed (a fault signal such as SIGSEGV,
 * which the program brings on itself), it was killed from outside (SIGKILL from `kill -9` or the
 * out-of-memory killer, or another signal it does not handle), it exited with an error code, or
 * it exited with code 0 without being asked (what a stage does on SIGINT or SIGTERM from outside).
 *
 * No `vscode` import: the words come through an `l10n`-shaped parameter (the extension passes
 * `vscode.l10n`, the unit tests a plain formatter), so this is tested in plain Node and every
 * string is still a literal `l10n.t(...)` that the manifest test finds a Korean entry for.
 */

/** What a process's `exit` event reports. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: string | null;
}

export type StageEnding =
  /** It ended as the extension asked (or nothing is worth saying about it). */
  | { readonly kind: 'requested' }
  /** A fault signal: the program crashed. */
  | { readonly kind: 'crashed'; readonly signal: string }
  /** Any other signal, sent from outside: it did not crash by itself. */
  | { readonly kind: 'killed'; readonly signal: string }
  /** It exited with a non-zero code (its own error, a sanitizer report, …). */
  | { readonly kind: 'failed'; readonly code: number }
  /** It exited with code 0 unasked: a stop signal from outside, or main returned. */
  | { readonly kind: 'stopped' };

/**
 * The signals a program gets when it faults: bad memory access, a bad instruction, arithmetic
 * errors, abort() (a failed assert, the C library finding the heap corrupted), a trap.
 */
export const CRASH_SIGNALS: ReadonlySet<string> = new Set(['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGABRT', 'SIGTRAP', 'SIGSYS']);

/**
 * `requested`: the extension had asked the stage to stop (SIGINT or SIGTERM, and SIGKILL when it
 * did not go within the grace time). A crash is a crash even then; a non-zero exit code is
 * reported too, since the contract is code 0 on SIGINT and SIGTERM.
 */
export function classifyStageExit(exit: ProcessExit, requested: boolean): StageEnding {
  if (exit.signal) {
    if (CRASH_SIGNALS.has(exit.signal)) return { kind: 'crashed', signal: exit.signal };
    return requested ? { kind: 'requested' } : { kind: 'killed', signal: exit.signal };
  }
  const code = exit.code ?? 0;
  if (code !== 0) return { kind: 'failed', code };
  return requested ? { kind: 'requested' } : { kind: 'stopped' };
}

/** What the messages are written with: `vscode.l10n` in the extension. */
export interface L10n {
  t(message: string, ...args: (string | number)[]): string;
}

/** A signal in words, with its name: "segmentation fault (SIGSEGV)". */
export function signalInWords(signal: string, l10n: L10n): string {
  switch (signal) {
    case 'SIGSEGV':
      return l10n.t('segmentation fault (SIGSEGV)');
    case 'SIGBUS':
      return l10n.t('bus error (SIGBUS)');
    case 'SIGILL':
      return l10n.t('illegal instruction (SIGILL)');
    case 'SIGFPE':
      return l10n.t('arithmetic error such as a division by zero (SIGFPE)');
    case 'SIGABRT':
      return l10n.t('abort, e.g. a failed assert (SIGABRT)');
    case 'SIGTRAP':
      return l10n.t('trace trap (SIGTRAP)');
    case 'SIGSYS':
      return l10n.t('bad system call (SIGSYS)');
    case 'SIGKILL':
      return l10n.t('kill (SIGKILL)');
    case 'SIGTERM':
      return l10n.t('termination request (SIGTERM)');
    case 'SIGINT':
      return l10n.t('interrupt (SIGINT)');
    case 'SIGHUP':
      return l10n.t('hangup (SIGHUP)');
    case 'SIGQUIT':
      return l10n.t('quit (SIGQUIT)');
    case 'SIGPIPE':
      return l10n.t('broken pipe (SIGPIPE)');
    case 'SIGXCPU':
      return l10n.t('CPU time limit exceeded (SIGXCPU)');
    case 'SIGXFSZ':
      return l10n.t('file size limit exceeded (SIGXFSZ)');
    default:
      return l10n.t('signal {0}', signal);
  }
}

/** The one line a terminal shows when the stage has ended: "06-epoll exited (segmentation fault (SIGSEGV))." */
export function exitNote(stageId: string, exit: ProcessExit, l10n: L10n): string {
  return l10n.t('{0} exited ({1}).', stageId, exit.signal ? signalInWords(exit.signal, l10n) : l10n.t('code {0}', String(exit.code ?? 0)));
}

/** The first sentence of every message about an unexpected end: what happened. */
export function endingHeadline(stageId: string, ending: Exclude<StageEnding, { kind: 'requested' }>, l10n: L10n, lastWords?: string): string {
  switch (ending.kind) {
    case 'crashed':
      return l10n.t('{0} crashed: {1}.', stageId, signalInWords(ending.signal, l10n));
    case 'killed':
      return l10n.t('{0} was ended by {1}, sent from outside the extension (a kill command, or the system when memory runs out); it did not crash by itself.', stageId, signalInWords(ending.signal, l10n));
    case 'failed':
      return lastWords
        ? l10n.t('{0} exited with code {1}; its last words: "{2}".', stageId, String(ending.code), lastWords)
        : l10n.t('{0} exited with code {1}.', stageId, String(ending.code));
    case 'stopped':
      return l10n.t('{0} stopped by itself with exit code 0, as a stage does on SIGINT or SIGTERM from outside the extension (a kill command).', stageId);
  }
}

export type MessageSeverity = 'error' | 'warning' | 'information';

export interface EndingMessage {
  readonly severity: MessageSeverity;
  /** The first sentence alone (what happened), e.g. for the panel. */
  readonly headline: string;
  /** The whole message: what happened, what became of the run, what to do. */
  readonly text: string;
}

/** A crash or an error code is the stage's own doing; a signal from outside or a clean exit is not. */
function severityOf(ending: Exclude<StageEnding, { kind: 'requested' }>): MessageSeverity {
  switch (ending.kind) {
    case 'crashed':
    case 'failed':
      return 'error';
    case 'killed':
      return 'warning';
    case 'stopped':
      return 'information';
  }
}

/** The last line the stage printed that says something, trimmed to fit in a message. */
export function lastWordsOf(lines: readonly string[], max = 160): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim();
    if (line) return line.length > max ? `${line.slice(0, max - 1)}…` : line;
  }
  return undefined;
}

export interface RunEndingContext {
  /** Whether the run was being recorded (the recording up to the end is kept). */
  readonly recorded: boolean;
  /** What the stage printed, for the last line of a failed exit. */
  readonly output?: readonly string[];
}

/** What Run Stage tells the user when the stage ended on its own while it ran; undefined when it was asked to stop. */
export function runEndingMessage(stageId: string, ending: StageEnding, context: RunEndingContext, l10n: L10n): EndingMessage | undefined {
  if (ending.kind === 'requested') return undefined;
  const parts = [endingHeadline(stageId, ending, l10n, ending.kind === 'failed' ? lastWordsOf(context.output ?? []) : undefined)];
  parts.push(l10n.t('The client was stopped and nothing is left running.'));
  if (context.recorded) parts.push(l10n.t('The recording up to that moment is kept (Open Recording).'));
  parts.push(
    ending.kind === 'crashed' || ending.kind === 'failed'
      ? l10n.t('Its terminal shows what it printed last: fix the cause, then run it again (Run Stage).')
      : l10n.t('Run Stage starts it again.'),
  );
  return { severity: severityOf(ending), headline: parts[0], text: parts.join(' ') };
}

export interface BenchmarkEndingContext {
  /** The connection count of the point under way when the stage ended; undefined: after the last point (all are kept). */
  readonly pointConnections: number | undefined;
  /** The connection counts of the points that finished before (kept, marked as stopped early). */
  readonly finished: readonly number[];
  /** What the stage printed, for the last line of a failed exit. */
  readonly output?: readonly string[];
  /** How numbers are written in the display language. */
  readonly formatNumber?: (n: number) => string;
}

/** What Benchmark This Server tells the user when the stage ended under load. */
export function benchmarkEndingMessage(stageId: string, ending: StageEnding, context: BenchmarkEndingContext, l10n: L10n): EndingMessage | undefined {
  if (ending.kind === 'requested') return undefined;
  const format = context.formatNumber ?? String;
  const parts = [endingHeadline(stageId, ending, l10n, ending.kind === 'failed' ? lastWordsOf(context.output ?? []) : undefined)];
  parts.push(
    context.pointConnections === undefined
      ? l10n.t('It happened after the last benchmark point had finished.')
      : l10n.t('It happened during the benchmark point at {0} connections.', format(context.pointConnections)),
  );
  const finished = context.finished.map(format).join(', ');
  if (context.pointConnections === undefined) parts.push(l10n.t('Every point had finished, and all are kept.'));
  else if (context.finished.length === 0) parts.push(l10n.t('No point had finished, so no result is stored.'));
  else if (context.finished.length === 1) parts.push(l10n.t('The finished point (connections: {0}) is kept, marked as stopped early.', finished));
  else parts.push(l10n.t('The {0} finished points (connections: {1}) are kept, marked as stopped early.', String(context.finished.length), finished));
  parts.push(
    ending.kind === 'crashed' || ending.kind === 'failed'
      ? l10n.t('Run Stage shows everything it prints: fix the cause there, then benchmark again. Nothing is left running.')
      : l10n.t('Benchmark it again once nothing else stops it. Nothing is left running.'),
  );
  return { severity: severityOf(ending), headline: parts[0], text: parts.join(' ') };
}

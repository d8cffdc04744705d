/**
 * Where a thread is, seen from another source file: a trace event names the line that emitted it,
 * which is often in a helper (common/blocking.c's recv, 08-ae/ae.c's epoll_wait, 09's scheduler),
 * while the learner reads the stage's main.c. This finds, in a file, the line through which the
 * thread got there: the call of the function that holds the line, or of the function that calls
 * that one, a few levels up. Plain text search over our own C style (a function's header starts
 * in column 0 and its body is indented); no C parser, and a function passed as a callback counts
 * as called where its name is handed over.
 */

/** Reads a source file by its trace name (relative to servers/), or undefined if it is not there. */
export type SourceReader = (file: string) => readonly string[] | undefined;

export interface CallSite {
  /** 1-based line in the file asked about. */
  readonly line: number;
  /** The functions between that line and the thread's line, outermost first. */
  readonly via: readonly string[];
}

const HEADER = /^(?![#}\s])[A-Za-z_][^;]*?\b([A-Za-z_]\w*)\s*\(/;
const MAX_LEVELS = 4;

/** The name of the function whose body holds 1-based `line`, if any. */
export function enclosingFunction(lines: readonly string[], line: number): string | undefined {
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    const text = lines[i];
    // A closing brace in column 0 ends a function: the line is outside any.
    if (i < line - 1 && text.startsWith('}')) return undefined;
    const m = HEADER.exec(text);
    if (m && !/^(typedef|struct|enum|union)\b/.test(text) && !text.trimEnd().endsWith(';')) return m[1];
  }
  return undefined;
}

/** 1-based lines of `lines` that call (or hand over) `name`, outside its own definition. */
function usesOf(lines: readonly string[], name: string): number[] {
  const call = new RegExp(`\\b${name}\\s*\\(`);
  const mention = new RegExp(`\\b${name}\\b`);
  const calls: number[] = [];
  const mentions: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i];
    if (HEADER.exec(text)?.[1] === name || /^\s*(\/\/|\/?\*)/.test(text)) continue;
    const code = text.replace(/\/\*.*?\*\/|\/\/.*$|"(?:[^"\\]|\\.)*"/g, '');
    if (call.test(code)) calls.push(i + 1);
    else if (mention.test(code)) mentions.push(i + 1);
  }
  return calls.length > 0 ? calls : mentions;
}

/**
 * The line of `target` through which a thread at `file:line` got there, searching `others`
 * (the stage's other files) for the callers in between. Undefined when `file` is `target` or
 * no chain of at most a few calls leads there.
 */
export function callSiteIn(read: SourceReader, target: string, file: string, line: number, others: readonly string[]): CallSite | undefined {
  const targetLines = read(target);
  if (!targetLines || file === target) return undefined;
  // Breadth first over (file, line) frames: the shortest chain of calls wins.
  let frontier: { file: string; line: number; via: string[] }[] = [{ file, line, via: [] }];
  const seen = new Set<string>();
  for (let level = 0; level < MAX_LEVELS && frontier.length > 0; level++) {
    const next: typeof frontier = [];
    for (const frame of frontier) {
      const lines = read(frame.file);
      const name = lines && enclosingFunction(lines, frame.line);
      if (!name || seen.has(name)) continue;
      seen.add(name);
      const via = [name, ...frame.via];
      const here = usesOf(targetLines, name);
      if (here.length > 0) return { line: here[0], via };
      for (const other of others) {
        if (other === target) continue;
        const otherLines = read(other);
        if (!otherLines) continue;
        for (const use of usesOf(otherLines, name)) next.push({ file: other, line: use, via });
      }
    }
    frontier = next;
  }
  return undefined;
}

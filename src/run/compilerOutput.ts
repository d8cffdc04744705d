/**
 * make's output on its way to the build terminal, with the compiler's file names made absolute.
 * `make -C <dir>` compiles `01-sequential/main.c` and `common/log.c` by paths relative to <dir>,
 * and the compiler names them so in its messages; a problem matcher resolves such a path against
 * the workspace folder, which is not where the sources are (the shipped copy lives in global
 * storage, a playground or this repository's servers/ sits anywhere in or out of the workspace).
 * An absolute path means the same file wherever the build ran. Plain Node, no `vscode`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Where a compiler message names a file: at the start of the line (`common/log.c:12:3: error:`,
 * `01-sequential/main.c: In function 'main':`, `Makefile:40: recipe for ...`), or after gcc's
 * include chain words (`In file included from common/log.h:5,`, `                 from x.c:2:`).
 * The relative paths make hands the compiler have no spaces (stage ids, common/).
 */
const NAMED_FILE = /^(\s*(?:In file included from |from )?)([^\s:/][^\s:]*)(:.*)$/;

/** One output line with a file it names (relative to `dir`, and existing there) made absolute. */
export function absoluteFileNames(line: string, dir: string): string {
  const match = NAMED_FILE.exec(line);
  if (!match) return line;
  const [, before, file, after] = match;
  const absolute = path.resolve(dir, file);
  // Only names of files that are there: `make: *** ...` or `cc: error: ...` stay as they are.
  return existsSync(absolute) ? `${before}${absolute}${after}` : line;
}

/**
 * Cuts a byte stream into lines, rewrites each with absoluteFileNames and hands it on with the
 * terminal's line ending. `flush` hands on a last line without a newline.
 */
export class CompilerOutputLines {
  private pending = '';

  constructor(
    private readonly dir: string,
    private readonly emit: (text: string) => void,
  ) {}

  push(chunk: string): void {
    this.pending += chunk;
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    if (lines.length > 0) this.emit(lines.map((line) => `${absoluteFileNames(line.replace(/\r$/, ''), this.dir)}\r\n`).join(''));
  }

  flush(): void {
    if (this.pending) this.emit(`${absoluteFileNames(this.pending, this.dir)}\r\n`);
    this.pending = '';
  }
}

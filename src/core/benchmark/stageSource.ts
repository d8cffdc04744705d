/**
 * "Is this document a stage's main source, and which stage?", decided by what the file is rather
 * than where: `<dir>/<stage main source>` (the catalog's `mainSource`, e.g. `06-epoll/main.c`)
 * whose `<dir>` also holds `common/` and a `Makefile`. So the shipped stages and a playground
 * copy of the whole servers/ folder anywhere both match, and a stray `06-epoll/main.c` does not.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { STAGES, type StageInfo } from '../stages';

export interface StageSource {
  readonly stage: StageInfo;
  /** The folder that holds common/, the Makefile and the stage folders. */
  readonly serversDir: string;
}

/**
 * For a CodeLens provider's document selector: any file named like a stage's main source in the
 * catalog (`main.c` today), in any folder. stageOfSource decides whether it really is one.
 */
export const STAGE_SOURCE_GLOB = `**/{${[...new Set(STAGES.map((s) => s.mainSource.split('/').pop() as string))].join(',')}}`;

async function isKind(file: string, kind: 'file' | 'directory'): Promise<boolean> {
  try {
    const info = await stat(file);
    return kind === 'file' ? info.isFile() : info.isDirectory();
  } catch {
    return false;
  }
}

/** The stage whose main source `file` is, with its servers/ folder; undefined for any other file. */
export async function stageOfSource(file: string): Promise<StageSource | undefined> {
  const parts = path.resolve(file).split(path.sep);
  for (const stage of STAGES) {
    const tail = stage.mainSource.split('/');
    if (parts.length <= tail.length) continue;
    if (!tail.every((segment, i) => parts[parts.length - tail.length + i] === segment)) continue;
    const serversDir = parts.slice(0, parts.length - tail.length).join(path.sep) || path.sep;
    const [hasCommon, hasMakefile] = await Promise.all([
      isKind(path.join(serversDir, 'common'), 'directory'),
      isKind(path.join(serversDir, 'Makefile'), 'file'),
    ]);
    return hasCommon && hasMakefile ? { stage, serversDir } : undefined;
  }
  return undefined;
}

/** C text with comments and string and character literals blanked out; line breaks kept. */
export function blankCommentsAndStrings(text: string): string {
  const out: string[] = [];
  let state: 'code' | 'line' | 'block' | 'string' | 'char' = 'code';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const next = text[i + 1];
    const blank = c === '\n' ? '\n' : ' ';
    switch (state) {
      case 'code':
        if (c === '/' && next === '/') state = 'line';
        else if (c === '/' && next === '*') state = 'block';
        else if (c === '"') state = 'string';
        else if (c === "'") state = 'char';
        out.push(state === 'code' ? c : ' ');
        if (state === 'block') {
          out.push(' ');
          i++; // the '*' of '/*' must not also close the comment
        }
        break;
      case 'line':
        if (c === '\n') state = 'code';
        out.push(blank);
        break;
      case 'block':
        if (c === '*' && next === '/') {
          out.push('  ');
          i++;
          state = 'code';
        } else out.push(blank);
        break;
      case 'string':
      case 'char':
        if (c === '\\' && next !== undefined) {
          out.push(' ', next === '\n' ? '\n' : ' ');
          i++;
        } else {
          if ((state === 'string' && c === '"') || (state === 'char' && c === "'") || c === '\n') state = 'code';
          out.push(blank);
        }
        break;
    }
  }
  return out.join('');
}

/**
 * Where `main` is defined (not merely declared): the 0-based line and column of the name, as a
 * CodeLens range wants them. The return type may sit on the line above (`int\nmain(void)`).
 */
export function mainDefinition(text: string): { readonly line: number; readonly character: number } | undefined {
  const code = blankCommentsAndStrings(text);
  const pattern = /\bint\s+(main)\s*\(/g;
  for (let m = pattern.exec(code); m; m = pattern.exec(code)) {
    const nameAt = m.index + m[0].indexOf('main');
    // Find the parenthesis that closes the parameter list, then require a body, not a ';'.
    let depth = 0;
    let i = m.index + m[0].length - 1;
    for (; i < code.length; i++) {
      if (code[i] === '(') depth++;
      else if (code[i] === ')' && --depth === 0) break;
    }
    const after = code.slice(i + 1).trimStart();
    if (!after.startsWith('{')) continue;
    const before = code.slice(0, nameAt);
    const line = before.split('\n').length - 1;
    return { line, character: nameAt - (before.lastIndexOf('\n') + 1) };
  }
  return undefined;
}

/**
 * Inline Markdown of the notes: `code`, **strong**, *emphasis*, [text](target) and backslash
 * escapes. Underscores are plain text on purpose: the notes are full of C names like FD_SET and
 * uv_queue_work. Anything that does not close is kept as literal text.
 */
import { type Inline, type LinkTarget } from './document';
import { parseSourceTarget, SOURCE_SCHEME } from './sourceLink';

const ESCAPABLE = new Set('\\`*[](){}#!_<>~-.+|'.split(''));
const NOTE_SCHEME = 'note:';
const NOTE_REF = /^([a-z0-9-]+)(?:#([a-z0-9-]+))?$/;

export function parseInline(text: string, report: (message: string) => void): Inline[] {
  const out: Inline[] = [];
  let plain = '';
  const flush = (): void => {
    if (plain) out.push({ kind: 'text', text: plain });
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && ESCAPABLE.has(text[i + 1])) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      const ticks = runLength(text, i, '`');
      const end = findTicks(text, i + ticks, ticks);
      if (end >= 0) {
        flush();
        out.push({ kind: 'code', text: trimCodeSpan(text.slice(i + ticks, end)) });
        i = end + ticks;
        continue;
      }
      plain += text.slice(i, i + ticks);
      i += ticks;
      continue;
    }
    if (c === '*') {
      const delimiter = text.startsWith('**', i) ? '**' : '*';
      const end = findEmphasisEnd(text, i + delimiter.length, delimiter);
      if (end >= 0) {
        flush();
        const children = parseInline(text.slice(i + delimiter.length, end), report);
        out.push(delimiter === '**' ? { kind: 'strong', children } : { kind: 'em', children });
        i = end + delimiter.length;
        continue;
      }
      plain += delimiter;
      i += delimiter.length;
      continue;
    }
    if (c === '[') {
      const link = parseLinkAt(text, i, report);
      if (link) {
        flush();
        out.push(...link.inlines);
        i = link.next;
        continue;
      }
    }
    plain += c;
    i++;
  }
  flush();
  return out;
}

function runLength(text: string, from: number, char: string): number {
  let n = 0;
  while (text[from + n] === char) n++;
  return n;
}

/** The start of the next run of exactly `count` backticks. */
function findTicks(text: string, from: number, count: number): number {
  let i = from;
  while (i < text.length) {
    if (text[i] === '`') {
      const n = runLength(text, i, '`');
      if (n === count) return i;
      i += n;
    } else i++;
  }
  return -1;
}

/** `` ` x ` `` shows "x": one space inside each side lets a span start or end with a backtick. */
function trimCodeSpan(code: string): string {
  return code.length >= 2 && code.startsWith(' ') && code.endsWith(' ') && code.trim() !== '' ? code.slice(1, -1) : code;
}

/**
 * The closing delimiter of an emphasis that opens before `from`. The opener must touch a
 * non-space and so must the closer, so "2 * 3 * 4" stays text. Code spans and escapes are skipped.
 */
function findEmphasisEnd(text: string, from: number, delimiter: '*' | '**'): number {
  if (from >= text.length || /\s/.test(text[from])) return -1;
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '`') {
      const ticks = runLength(text, i, '`');
      const end = findTicks(text, i + ticks, ticks);
      i = end < 0 ? i + ticks : end + ticks;
      continue;
    }
    if (c === '*') {
      const run = runLength(text, i, '*');
      const closes = delimiter === '**' ? run >= 2 : run === 1;
      if (closes && i > from && !/\s/.test(text[i - 1])) return i;
      i += run;
      continue;
    }
    i++;
  }
  return -1;
}

/** `[text](target)` at `start`; undefined when it is not a link (then `[` is plain text). */
function parseLinkAt(
  text: string,
  start: number,
  report: (message: string) => void,
): { inlines: Inline[]; next: number } | undefined {
  let depth = 0;
  let i = start;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '`') {
      const ticks = runLength(text, i, '`');
      const end = findTicks(text, i + ticks, ticks);
      i = (end < 0 ? i + ticks : end + ticks) - 1;
    } else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) break;
  }
  if (i >= text.length || text[i + 1] !== '(') return undefined;
  const close = text.indexOf(')', i + 2);
  if (close < 0) return undefined;
  const rawTarget = text.slice(i + 2, close);
  const label = text.slice(start + 1, i);
  const children = parseInline(label, report);
  const target = parseLinkTarget(rawTarget);
  if (typeof target === 'string') {
    report(target);
    // Keep the words, drop the broken target: the reader still sees the sentence.
    return { inlines: children, next: close + 1 };
  }
  return { inlines: [{ kind: 'link', target, children }], next: close + 1 };
}

export function parseLinkTarget(raw: string): LinkTarget | string {
  if (/\s/.test(raw)) return `link target "${raw}" contains white space (percent-encode it)`;
  if (raw.startsWith(SOURCE_SCHEME)) return parseSourceTarget(raw.slice(SOURCE_SCHEME.length));
  if (raw.startsWith(NOTE_SCHEME)) {
    const match = NOTE_REF.exec(raw.slice(NOTE_SCHEME.length));
    if (!match) return `note link "${raw}" must be note:<note-id> or note:<note-id>#<section-id>`;
    return { kind: 'note', note: match[1], section: match[2] };
  }
  if (/^https:\/\/[^\s"'<>]+$/.test(raw)) return { kind: 'external', url: raw };
  return `link target "${raw}" must start with source:, note: or https://`;
}

/** The words of inline content without its formatting: for hovers, search, and length checks. */
export function inlineText(content: readonly Inline[]): string {
  return content.map((inline) => ('text' in inline ? inline.text : inlineText(inline.children))).join('');
}

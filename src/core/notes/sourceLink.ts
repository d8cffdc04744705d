/**
 * Source links: `source:<file>#<needle>`, e.g. `source:05-select/main.c#select%28` means "the
 * first line of servers/05-select/main.c that contains `select(`". Notes never carry line numbers
 * because the C sources keep changing (and the user edits a playground copy): the line is looked
 * up when the link is shown or clicked. The needle is percent-encoded so that `(`, `)` and spaces
 * survive inside a Markdown link.
 */
import { type SourceTarget } from './document';

/** A stage folder (`05-select`) or `common`, then a plain relative path: no `..`, no absolute. */
const SOURCE_FILE = /^(?:\d\d-[a-z0-9-]+|common)(?:\/[A-Za-z0-9_.-]+)+$/;

export const SOURCE_SCHEME = 'source:';

/** Parses the part after `source:`; returns an error message for a malformed one. */
export function parseSourceTarget(rest: string): SourceTarget | string {
  const hash = rest.indexOf('#');
  const file = hash < 0 ? rest : rest.slice(0, hash);
  const encodedNeedle = hash < 0 ? undefined : rest.slice(hash + 1);
  if (!SOURCE_FILE.test(file) || file.split('/').some((part) => part === '..' || part === '.')) {
    return `source link file "${file}" must be <stage-id>/<path> or common/<path> under servers/`;
  }
  if (encodedNeedle === undefined) return { kind: 'source', file, needle: undefined };
  let needle: string;
  try {
    needle = decodeURIComponent(encodedNeedle);
  } catch {
    return `source link needle "${encodedNeedle}" is not valid percent-encoding`;
  }
  if (needle.length === 0) return `source link "${rest}" has an empty needle`;
  if (needle.includes('\n')) return `source link needle must be one line`;
  return { kind: 'source', file, needle };
}

/** The stage folder a source link points into, or undefined for servers/common. */
export function sourceStage(target: SourceTarget): string | undefined {
  const folder = target.file.slice(0, target.file.indexOf('/'));
  return folder === 'common' ? undefined : folder;
}

/**
 * The 1-based line of `text` that the link means: the first line containing the needle, or line 1
 * when there is no needle. Undefined when the needle is nowhere in the file (a stale link).
 */
export function findNeedleLine(text: string, needle: string | undefined): number | undefined {
  if (needle === undefined) return 1;
  const lines = text.split(/\r?\n/);
  const index = lines.findIndex((line) => line.includes(needle));
  return index < 0 ? undefined : index + 1;
}

/** The link text form, for messages and the webview's data attributes. */
export function formatSourceTarget(target: SourceTarget): string {
  return target.needle === undefined
    ? `${SOURCE_SCHEME}${target.file}`
    : `${SOURCE_SCHEME}${target.file}#${encodeURIComponent(target.needle)}`;
}

/**
 * Resolves source links against the C sources on disk: the shipped servers/ folder, or the
 * user's playground copy. Node only (the webview gets resolved line numbers in the rendered HTML).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type SourceTarget } from './document';
import { findNeedleLine } from './sourceLink';

export type SourceLineResolver = (target: SourceTarget) => number | undefined;

/**
 * A resolver over `serversDir` that reads each file once. Files are read again by a new
 * resolver, so make one per rendering: the user may have edited a playground copy since.
 */
export function createSourceLineResolver(serversDir: string): SourceLineResolver {
  const texts = new Map<string, string | undefined>();
  return (target) => {
    if (!texts.has(target.file)) texts.set(target.file, readOrUndefined(join(serversDir, target.file)));
    const text = texts.get(target.file);
    return text === undefined ? undefined : findNeedleLine(text, target.needle);
  };
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Copies a source tree into a writable place, touching only files that changed, so that `make`
 * there rebuilds only what it must. The installed extension's folder may be read-only and is
 * shared between windows, so stages are never built inside it.
 */
import { copyFileSync, mkdirSync, readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';

export interface SyncOptions {
  /** Relative paths (with '/' separators) to leave out, e.g. 'build'. */
  readonly exclude?: readonly string[];
}

/** Returns how many files were copied. */
export function syncTree(from: string, to: string, options: SyncOptions = {}): number {
  const exclude = new Set(options.exclude ?? []);
  let copied = 0;
  const walk = (rel: string): void => {
    const source = path.join(from, rel);
    const target = path.join(to, rel);
    mkdirSync(target, { recursive: true });
    for (const entry of readdirSync(source, { withFileTypes: true })) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (exclude.has(childRel)) continue;
      if (entry.isDirectory()) {
        walk(childRel);
      } else if (entry.isFile()) {
        const s = statSync(path.join(source, entry.name));
        const t = statSync(path.join(target, entry.name), { throwIfNoEntry: false });
        if (!t || t.size !== s.size || Math.abs(t.mtimeMs - s.mtimeMs) >= 1) {
          copyFileSync(path.join(source, entry.name), path.join(target, entry.name));
          // Keep the source's time so make compares like with like.
          utimesSync(path.join(target, entry.name), s.atimeMs / 1000, s.mtimeMs / 1000);
          copied++;
        }
      }
    }
  };
  walk('');
  return copied;
}

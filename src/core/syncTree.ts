/**
 * Copies a source tree into a writable place, touching only files that changed, so that `make`
 * there rebuilds only what it must. The installed extension's folder may be read-only and is
 * shared between windows, so stages are never built inside it.
 *
 * With `prune`, the copy also loses what the source no longer has: the Makefile finds
 * `common/*.c` and every `<stage>/stage.mk` by wildcard, so a file an update removed or renamed would
 * otherwise still be compiled from the old copy. Pruning stays inside `to`: symbolic links are
 * removed as links and never followed, and excluded paths (the build folder) are left alone.
 */
import { copyFileSync, lstatSync, mkdirSync, readdirSync, rmdirSync, statSync, unlinkSync, utimesSync, type Dirent } from 'node:fs';
import path from 'node:path';

export interface SyncOptions {
  /** Relative paths (with '/' separators) to leave out, e.g. 'build': neither copied nor pruned. */
  readonly exclude?: readonly string[];
  /** Delete from `to` every file and folder that `from` does not have (as a file or a folder). */
  readonly prune?: boolean;
}

/** Returns how many files were copied. */
export function syncTree(from: string, to: string, options: SyncOptions = {}): number {
  const exclude = new Set(options.exclude ?? []);
  let copied = 0;
  const walk = (rel: string): void => {
    const source = path.join(from, rel);
    const target = path.join(to, rel);
    // The root is where the caller chose to write; below it, every folder is made a real one.
    if (rel) makeRealDir(target);
    else mkdirSync(target, { recursive: true });
    const kept = new Set<string>();
    for (const entry of readdirSync(source, { withFileTypes: true })) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (exclude.has(childRel)) {
        kept.add(entry.name);
        continue;
      }
      if (entry.isDirectory()) {
        kept.add(entry.name);
        walk(childRel);
      } else if (entry.isFile()) {
        kept.add(entry.name);
        const sourceFile = path.join(source, entry.name);
        const targetFile = path.join(target, entry.name);
        const s = statSync(sourceFile);
        const t = lstatSync(targetFile, { throwIfNoEntry: false });
        if (t && !t.isFile()) removeEntry(targetFile);
        if (!t || !t.isFile() || t.size !== s.size || Math.abs(t.mtimeMs - s.mtimeMs) >= 1) {
          copyFileSync(sourceFile, targetFile);
          // Keep the source's time so make compares like with like.
          utimesSync(targetFile, s.atimeMs / 1000, s.mtimeMs / 1000);
          copied++;
        }
      }
    }
    if (!options.prune) return;
    for (const entry of readdirSync(target, { withFileTypes: true })) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (!kept.has(entry.name) && !exclude.has(childRel)) removeEntry(path.join(target, entry.name), entry);
    }
  };
  walk('');
  return copied;
}

/**
 * Makes `dir` a real folder: a file or a symbolic link in its place is removed first, so that
 * nothing is ever written through a link to somewhere outside the copy.
 */
function makeRealDir(dir: string): void {
  const existing = lstatSync(dir, { throwIfNoEntry: false });
  if (existing?.isDirectory()) return;
  if (existing) removeEntry(dir);
  mkdirSync(dir, { recursive: true });
}

/** Removes a file, a link (the link itself) or a folder with everything in it, following no link. */
function removeEntry(target: string, entry?: Dirent): void {
  const isDir = entry ? entry.isDirectory() : lstatSync(target).isDirectory();
  if (!isDir) {
    unlinkSync(target);
    return;
  }
  for (const child of readdirSync(target, { withFileTypes: true })) removeEntry(path.join(target, child.name), child);
  rmdirSync(target);
}

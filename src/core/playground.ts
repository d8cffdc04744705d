/**
 * A playground: the user's own copy of servers/ (the Makefile, common/ and every stage) in a
 * folder they choose, to edit and rerun. Run Stage, the benchmark CodeLens and the annotations
 * then work on the copy.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { syncTree } from './syncTree';
import { STAGES } from './stages';

export const PLAYGROUND_FOLDER = 'server-models-playground';

/** True if `dir` looks like a servers/ tree: a Makefile, common/ and at least one stage. */
export function isServersTree(dir: string): boolean {
  return (
    existsSync(path.join(dir, 'Makefile')) &&
    existsSync(path.join(dir, 'common')) &&
    STAGES.some((s) => existsSync(path.join(dir, s.mainSource)))
  );
}

export class PlaygroundError extends Error {}

/**
 * Copies `serversDir` into `<parent>/server-models-playground` (or `-2`, `-3`, … if taken) and
 * returns the new folder. Build products are not copied.
 */
export function createPlayground(serversDir: string, parent: string): string {
  if (!isServersTree(serversDir)) throw new PlaygroundError(`${serversDir} is not a servers/ folder (no Makefile, common/ or stages)`);
  if (!existsSync(parent)) throw new PlaygroundError(`${parent} does not exist`);
  let target = path.join(parent, PLAYGROUND_FOLDER);
  for (let n = 2; existsSync(target) && readdirSync(target).length > 0; n++) {
    if (n > 99) throw new PlaygroundError(`${parent} already holds too many playgrounds`);
    target = path.join(parent, `${PLAYGROUND_FOLDER}-${n}`);
  }
  syncTree(serversDir, target, { exclude: ['build'] });
  return target;
}

/** The servers/ tree a file belongs to (its stage folder's parent, or further up), if any. */
export function serversRootOf(file: string): string | undefined {
  let dir = path.dirname(file);
  for (let depth = 0; depth < 4; depth++) {
    if (isServersTree(dir)) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

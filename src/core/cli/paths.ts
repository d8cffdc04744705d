/**
 * Where the command line finds the stages' sources and puts their binaries. The same code runs
 * bundled (dist/cli.js) and from source (src/cli.ts through tsx), at different depths below the
 * package root, so the root is found by walking up to the folder that holds servers/Makefile.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export function findPackageRoot(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'servers', 'Makefile')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** A per-user cache folder, for when the package itself is read-only (a global install). */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'server-models');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'server-models');
}

/**
 * The build folder: --build-dir, else $SERVER_MODELS_BUILD_DIR, else servers/build when servers/
 * is writable, else the user's cache folder.
 */
export function defaultBuildDir(serversDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.SERVER_MODELS_BUILD_DIR) return resolve(env.SERVER_MODELS_BUILD_DIR);
  return writable(serversDir) ? join(serversDir, 'build') : join(userCacheDir(env), 'build');
}

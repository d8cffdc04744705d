/**
 * syncTree: the copy of servers/ that the extension builds from. Changed files only; with prune,
 * what the source dropped goes too (checked against the real Makefile's wildcards), and no link
 * is followed out of the copy.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { syncTree } from '../../src/core/syncTree';

test('syncTree copies new and changed files only, and skips excluded folders', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'sync-'));
  try {
    const from = path.join(root, 'from');
    const to = path.join(root, 'to');
    mkdirSync(path.join(from, 'common'), { recursive: true });
    mkdirSync(path.join(from, 'build'), { recursive: true });
    writeFileSync(path.join(from, 'Makefile'), 'all:\n');
    writeFileSync(path.join(from, 'common', 'a.c'), 'int a;\n');
    writeFileSync(path.join(from, 'build', 'junk'), 'x');
    assert.equal(syncTree(from, to, { exclude: ['build'] }), 2);
    assert.ok(!existsSync(path.join(to, 'build', 'junk')));
    assert.equal(syncTree(from, to, { exclude: ['build'] }), 0, 'nothing changed, nothing copied');
    writeFileSync(path.join(from, 'common', 'a.c'), 'int a = 1;\n');
    const later = new Date(Date.now() + 5000);
    utimesSync(path.join(from, 'common', 'a.c'), later, later);
    assert.equal(syncTree(from, to, { exclude: ['build'] }), 1);
    assert.equal(readFileSync(path.join(to, 'common', 'a.c'), 'utf8'), 'int a = 1;\n');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('syncTree with prune deletes what the source no longer has, keeps excluded folders, and follows no link', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'sync-prune-'));
  try {
    const from = path.join(root, 'from');
    const to = path.join(root, 'to');
    const outside = path.join(root, 'outside');
    mkdirSync(path.join(from, 'common'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(path.join(from, 'Makefile'), 'all:\n');
    writeFileSync(path.join(from, 'common', 'a.c'), 'int a;\n');
    writeFileSync(path.join(outside, 'precious.c'), 'int precious;\n');
    // What an older version left behind, and links a copy should never have (or write through).
    mkdirSync(path.join(to, 'build'), { recursive: true });
    mkdirSync(path.join(to, 'common'), { recursive: true });
    mkdirSync(path.join(to, 'old-stage'), { recursive: true });
    writeFileSync(path.join(to, 'build', 'keep'), 'x');
    writeFileSync(path.join(to, 'common', 'old.c'), 'int old;\n');
    writeFileSync(path.join(to, 'old-stage', 'main.c'), 'int main;\n');
    symlinkSync(outside, path.join(to, 'link-out'));
    symlinkSync(outside, path.join(to, 'common', 'dirlink'));
    symlinkSync(path.join(outside, 'precious.c'), path.join(to, 'Makefile'));

    assert.equal(syncTree(from, to, { exclude: ['build'] }), 2, 'the Makefile (a link in the copy) and a.c');
    assert.ok(existsSync(path.join(to, 'common', 'old.c')), 'without prune nothing is deleted');
    assert.ok(lstatSync(path.join(to, 'Makefile')).isFile(), 'a link where the source has a file is replaced, not written through');
    assert.equal(readFileSync(path.join(outside, 'precious.c'), 'utf8'), 'int precious;\n');

    syncTree(from, to, { exclude: ['build'], prune: true });
    assert.deepEqual(readdirSync(to).sort(), ['Makefile', 'build', 'common']);
    assert.deepEqual(readdirSync(path.join(to, 'common')), ['a.c']);
    assert.ok(existsSync(path.join(to, 'build', 'keep')), 'the excluded build folder is kept');
    assert.deepEqual(readdirSync(outside), ['precious.c'], 'nothing outside the copy is touched');
    assert.equal(readFileSync(path.join(outside, 'precious.c'), 'utf8'), 'int precious;\n');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('after a pruning sync, a stage or common file the new version removed is no longer built by the real Makefile', () => {
  const shipped = path.resolve(__dirname, '../../servers');
  const root = mkdtempSync(path.join(tmpdir(), 'sync-make-'));
  const storage = path.join(root, 'storage', 'servers');
  const make = (...args: string[]) => spawnSync('make', ['--no-print-directory', '-C', storage, `BUILD_DIR=${path.join(storage, 'build')}`, ...args], { encoding: 'utf8' });
  try {
    // The older version: today's stages, plus a stage and a common file that the next one drops.
    const older = path.join(root, 'older');
    cpSync(shipped, older, { recursive: true, filter: (source) => path.relative(shipped, source) !== 'build' });
    mkdirSync(path.join(older, '10-dropped'));
    writeFileSync(path.join(older, '10-dropped', 'stage.mk'), '');
    writeFileSync(path.join(older, '10-dropped', 'main.c'), 'int main(void) { return 0; }\n');
    writeFileSync(path.join(older, 'common', 'dropped.c'), '#error dropped in the next version\n');
    syncTree(older, storage, { exclude: ['build'], prune: true });
    mkdirSync(path.join(storage, 'build', 'obj'), { recursive: true });
    writeFileSync(path.join(storage, 'build', 'obj', 'kept'), 'x');
    assert.match(make('list').stdout, /^10-dropped$/m, 'the older copy has the stage');
    assert.match(make('-n', '01-sequential').stdout, /common\/dropped\.c/, 'and compiles the common file');

    // The update: the shipped tree as it is now.
    syncTree(shipped, storage, { exclude: ['build'], prune: true });
    assert.ok(!existsSync(path.join(storage, 'common', 'dropped.c')), 'the removed file is removed');
    assert.ok(!existsSync(path.join(storage, '10-dropped')), 'the removed stage is removed');
    assert.ok(existsSync(path.join(storage, 'build', 'obj', 'kept')), 'the build folder inside the copy is kept');
    const list = make('list');
    assert.equal(list.status, 0, list.stderr);
    assert.doesNotMatch(list.stdout, /10-dropped/, 'the Makefile no longer finds the stage');
    assert.match(list.stdout, /^01-sequential$/m);
    const dropped = make('10-dropped');
    assert.notEqual(dropped.status, 0, 'the removed stage no longer builds');
    assert.match(dropped.stderr, /No rule to make target '10-dropped'/);
    const plan = make('-n', '01-sequential');
    assert.equal(plan.status, 0, plan.stderr);
    assert.doesNotMatch(plan.stdout, /dropped\.c/, 'the removed common file is not compiled');
    assert.match(plan.stdout, /common\/log\.c/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

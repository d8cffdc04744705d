import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
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

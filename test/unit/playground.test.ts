import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createPlayground, isServersTree, PlaygroundError, serversRootOf } from '../../src/core/playground';

const servers = path.resolve(__dirname, '../../servers');

test('the shipped servers/ folder is a servers tree; an empty folder is not', () => {
  assert.ok(isServersTree(servers));
  const empty = mkdtempSync(path.join(tmpdir(), 'not-servers-'));
  try {
    assert.ok(!isServersTree(empty));
    assert.throws(() => createPlayground(empty, tmpdir()), PlaygroundError);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('a playground is a full copy without build products, and never overwrites another', () => {
  const parent = mkdtempSync(path.join(tmpdir(), 'playground-'));
  try {
    const first = createPlayground(servers, parent);
    assert.equal(path.basename(first), 'server-models-playground');
    assert.ok(isServersTree(first));
    assert.equal(readFileSync(path.join(first, '05-select/main.c'), 'utf8'), readFileSync(path.join(servers, '05-select/main.c'), 'utf8'));
    assert.ok(!existsSync(path.join(first, 'build')), 'no build products');
    writeFileSync(path.join(first, '05-select/main.c'), '/* my edit */\n');
    const second = createPlayground(servers, parent);
    assert.equal(path.basename(second), 'server-models-playground-2');
    assert.equal(readFileSync(path.join(first, '05-select/main.c'), 'utf8'), '/* my edit */\n', 'the first is untouched');
    mkdirSync(path.join(parent, 'server-models-playground-3'));
    assert.equal(path.basename(createPlayground(servers, parent)), 'server-models-playground-3', 'an empty folder is reused');
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('a file finds the servers tree it belongs to', () => {
  assert.equal(serversRootOf(path.join(servers, '06-epoll', 'main.c')), servers);
  assert.equal(serversRootOf(path.join(servers, 'common', 'trace.h')), servers);
  assert.equal(serversRootOf(path.join(tmpdir(), 'x', 'main.c')), undefined);
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parseRecordingName, RecordingStore } from '../../src/core/recordingStore';

test('recordings are listed newest first and pruned to the limit', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'recordings-'));
  try {
    const store = new RecordingStore(folder);
    const paths = [0, 1, 2, 3].map((i) => store.pathFor(i % 2 ? '06-epoll' : '01-sequential', new Date(Date.UTC(2026, 10, 26, 12, 0, i))));
    for (const p of paths) writeFileSync(p, 'x');
    writeFileSync(path.join(folder, 'notes.txt'), 'not a recording');
    const listed = store.list();
    assert.deepEqual(listed.map((r) => r.path), [...paths].reverse());
    assert.equal(listed[0].stageId, '06-epoll');
    assert.equal(listed[0].started.toISOString(), '2026-11-26T12:00:03.000Z');
    assert.deepEqual(store.prune(2), [paths[1], paths[0]]);
    assert.equal(store.list().length, 2);
    assert.ok(existsSync(path.join(folder, 'notes.txt')), 'foreign files are left alone');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a missing folder lists nothing', () => {
  assert.deepEqual(new RecordingStore(path.join(tmpdir(), 'does-not-exist-' + process.pid)).list(), []);
});

test('a recording file name says its stage and start, and a foreign name says nothing', () => {
  const store = new RecordingStore(path.join(tmpdir(), `names-${process.pid}`));
  try {
    const file = store.pathFor('09-green-threads', new Date(Date.UTC(2026, 10, 26, 9, 8, 7, 654)));
    assert.deepEqual(parseRecordingName(file), { stageId: '09-green-threads', started: new Date('2026-11-26T09:08:07.654Z') });
    assert.equal(parseRecordingName('/tmp/run.smrec'), undefined);
  } finally {
    rmSync(store.folder, { recursive: true, force: true });
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextStage } from '../../src/core/stages';

test('the next stage follows the furthest one run', () => {
  const next = (...visited: string[]) => nextStage((id) => visited.includes(id))?.id;
  assert.equal(next(), '01-sequential');
  assert.equal(next('01-sequential'), '02-thread-per-client');
  assert.equal(next('01-sequential', '05-select'), '06-epoll', 'skipping ahead moves the path');
  assert.equal(next('09-green-threads'), undefined, 'after the last stage there is none');
});

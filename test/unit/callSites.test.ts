/**
 * callSites.ts on the shipped stages' own sources: a thread standing in a helper is found in
 * main.c at the call that led there, through the files in between.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { callSiteIn, enclosingFunction } from '../../src/core/annotations/callSites';

const servers = path.join(__dirname, '..', '..', 'servers');
const read = (file: string) => (existsSync(path.join(servers, file)) ? readFileSync(path.join(servers, file), 'utf8').split('\n') : undefined);
const filesOf = (stage: string) =>
  [stage, 'common'].flatMap((folder) => readdirSync(path.join(servers, folder)).filter((f) => f.endsWith('.c')).map((f) => `${folder}/${f}`));
/** 1-based line of `file` holding `text`. */
const lineOf = (file: string, text: string) => {
  const index = read(file)!.findIndex((l) => l.includes(text));
  assert.ok(index >= 0, `${text} in ${file}`);
  return index + 1;
};

test('the function that holds a line', () => {
  const lines = ['int f(int a) {', '    return a;', '}', '', 'static void g(void)', '{', '    h();', '}'];
  assert.equal(enclosingFunction(lines, 2), 'f');
  assert.equal(enclosingFunction(lines, 4), undefined, 'between functions');
  assert.equal(enclosingFunction(lines, 7), 'g');
});

test('01: a thread in recv in common/blocking.c is at the serve_blocking call of main.c', () => {
  const recv = lineOf('common/blocking.c', 'TRACE_WAIT(RECV_BEGIN');
  const site = callSiteIn(read, '01-sequential/main.c', 'common/blocking.c', recv, filesOf('01-sequential'));
  assert.deepEqual(site, { line: lineOf('01-sequential/main.c', 'serve_blocking('), via: ['serve_blocking'] });
  const accept = lineOf('common/blocking.c', 'TRACE_WAIT(ACCEPT_BEGIN');
  assert.equal(callSiteIn(read, '01-sequential/main.c', 'common/blocking.c', accept, filesOf('01-sequential'))?.line, lineOf('01-sequential/main.c', 'accept_client('));
});

test('08: the wait in ae_epoll.c is reached through ae.c, from main.c', () => {
  const wait = lineOf('08-ae/ae_epoll.c', 'TRACE');
  const site = callSiteIn(read, '08-ae/main.c', '08-ae/ae_epoll.c', wait, filesOf('08-ae'));
  assert.ok(site, 'a call site in main.c');
  assert.ok(site.via.length >= 2, `through ae.c: ${site.via.join(' › ')}`);
  assert.match(read('08-ae/main.c')![site.line - 1], new RegExp(`\\b${site.via[0]}\\b`));
});

test('a line of the file itself is not a call site, and a line outside any function has none', () => {
  assert.equal(callSiteIn(read, '01-sequential/main.c', '01-sequential/main.c', 24, filesOf('01-sequential')), undefined);
  assert.equal(callSiteIn(read, '01-sequential/main.c', 'common/blocking.c', 1, filesOf('01-sequential')), undefined);
});

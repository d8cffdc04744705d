import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseInteger, parseIntegerList, parsePositive, UsageError } from '../../src/core/cli/args';
import { parseHostPort, parseWorkNumber } from '../../src/core/cli/benchCommand';
import type { CliContext } from '../../src/core/cli/cliContext';
import { runCli } from '../../src/core/cli/main';
import { findPackageRoot } from '../../src/core/cli/paths';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    io: { out: (l) => out.push(l), err: (l) => err.push(l), status: () => undefined, isTTY: false },
    signal: new AbortController().signal,
    packageRoot: findPackageRoot(__dirname),
    env: {},
  };
  const code = await runCli(ctx, argv);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('numbers are parsed strictly', () => {
  assert.equal(parseInteger('x', 'n', '10', 1, 100), 10);
  assert.equal(parseInteger('x', 'n', '10_000', 1, 100_000), 10_000);
  for (const bad of ['', '1e3', '-1', '10k', '1.5', ' 3', '0x10', '1__0']) assert.throws(() => parseInteger('x', 'n', bad, 0, 1e9), UsageError, bad);
  assert.throws(() => parseInteger('x', 'n', '101', 1, 100), /from 1 to 100/);
  assert.deepEqual(parseIntegerList('x', 'connections', '1,10,100', 1, 1e6), [1, 10, 100]);
  assert.throws(() => parseIntegerList('x', 'connections', '1,,x', 1, 1e6), UsageError);
  assert.equal(parsePositive('x', 'duration', '0.5', 10), 0.5);
  for (const bad of ['0', '-2', 'abc', '1e2', '.5']) assert.throws(() => parsePositive('x', 'duration', bad, 1000), UsageError, bad);
});

test('bench targets: host:port forms, and work numbers up to 2^63-1', () => {
  assert.deepEqual(parseHostPort('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(parseHostPort('localhost:1'), { host: 'localhost', port: 1 });
  assert.deepEqual(parseHostPort('[::1]:9000'), { host: '::1', port: 9000 });
  for (const bad of ['06-epoll', '127.0.0.1', ':80', 'host:0', 'host:70000', 'a:b']) assert.equal(parseHostPort(bad), undefined, bad);
  assert.equal(parseWorkNumber('9223372036854775807'), (1n << 63n) - 1n);
  assert.throws(() => parseWorkNumber('9223372036854775808'), UsageError);
});

test('no command: the overview on stderr, exit 2; --help: exit 0', async () => {
  const none = await cli();
  assert.equal(none.code, 2);
  assert.match(none.err, /^Usage: server-models <command>/);
  const help = await cli('--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /bench <stage\|host:port>/);
  const benchHelp = await cli('bench', '--help');
  assert.equal(benchHelp.code, 0);
  assert.match(benchHelp.out, /--closed/);
});

const usageMistakes: readonly (readonly [string[], RegExp])[] = [
  [['frobnicate'], /unknown command 'frobnicate'/],
  [['bench', '--bogus', '06-epoll'], /Unknown option '--bogus'/],
  [['bench'], /missing argument/],
  [['bench', '06-epoll', '--connections', 'many'], /--connections must be a whole number, got 'many'/],
  [['bench', '06-epoll', '--connections', '0'], /--connections must be from 1/],
  [['bench', '06-epoll', '--rate', '100', '--closed'], /--rate and --closed exclude each other/],
  [['bench', '06-epoll', '--duration'], /argument missing|requires|--duration/],
  [['bench', '06-epoll', '--payload', '2'], /--payload must be from 3/],
  [['bench', '99-nope'], /unknown stage '99-nope'/],
  [['run'], /missing argument/],
  [['run', '01-sequential', '-n', 'x'], /--connections must be a whole number/],
  [['run', '01-sequential', 'extra'], /unexpected argument 'extra'/],
  [['run', '01-sequential', '-n', '3'], /-n is for the notes' client: add --notes-client/],
  [['client'], /--port is required/],
  [['client', '--port', '70000'], /--port must be from 1 to 65535/],
  [['trace', 'import', 'x'], /unknown trace action 'import'/],
  [['trace', 'export', 'x.rec'], /--chrome OUT.json is required/],
  [['build', 'nope'], /unknown stage 'nope'/],
  [['stages', '--fast'], /Unknown option '--fast'/],
];

test('every usage mistake: one line saying what is wrong, the usage, exit 2, no stack trace', async () => {
  for (const [argv, message] of usageMistakes) {
    const r = await cli(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    const [first] = r.err.split('\n');
    assert.match(first, /^server-models: /, argv.join(' '));
    assert.match(first, message, argv.join(' '));
    assert.match(r.err, /Usage: server-models/, argv.join(' '));
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
  }
});

test('a failure that is not a usage mistake: one line, exit 1', async () => {
  const r = await cli('trace', 'export', '/nonexistent/x.rec', '--chrome', '/tmp/never.json');
  assert.equal(r.code, 1);
  assert.match(r.err, /^server-models: cannot read \/nonexistent\/x\.rec/);
  assert.doesNotMatch(r.err, /\n\s+at /);
});

test('stages lists every stage in order with whether it can be built', async () => {
  const r = await cli('stages', '--json');
  assert.equal(r.code, 0);
  const rows = JSON.parse(r.out) as { id: string; buildable: boolean; install_command: string | null }[];
  assert.deepEqual(rows.map((s) => s.id.slice(0, 2)), ['01', '02', '03', '04', '05', '06', '07', '08', '09']);
  for (const row of rows) assert.equal(typeof row.buildable, 'boolean');
  const text = await cli('stages');
  assert.match(text.out.split('\n')[0], /^01-sequential\s+(buildable|missing)\s+One client at a time/);
});

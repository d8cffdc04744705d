import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { findStage } from '../../src/core/stages';
import { missingToolsMessage } from '../../src/core/cli/stageBuild';
import { compilerCandidates, installCommandFor, makeInvocation, probeToolchain, stageBinaryPath, stageBuildability, type ToolchainStatus } from '../../src/core/toolchain';

test('the install command names the packages of each platform', () => {
  assert.equal(installCommandFor(['libuv'], 'linux', 'debian'), 'sudo apt-get install -y libuv1-dev');
  assert.equal(installCommandFor(['compiler', 'make', 'pkg-config', 'libuv'], 'linux', 'debian'), 'sudo apt-get install -y build-essential make pkg-config libuv1-dev');
  assert.equal(installCommandFor(['libuv'], 'linux', 'fedora'), 'sudo dnf install -y libuv-devel');
  assert.equal(installCommandFor(['compiler', 'libuv'], 'linux', 'arch'), 'sudo pacman -S --needed gcc libuv');
  assert.equal(installCommandFor(['compiler'], 'linux', 'alpine'), 'sudo apk add build-base');
  assert.equal(installCommandFor(['compiler', 'libuv'], 'darwin', undefined), 'xcode-select --install && brew install libuv');
  assert.equal(installCommandFor(['pkg-config', 'libuv'], 'darwin', undefined), 'brew install pkg-config libuv');
  assert.equal(installCommandFor([], 'linux', 'debian'), undefined);
  assert.equal(installCommandFor(['libuv'], 'linux', 'gentoo'), undefined);
});

const noLibuv: ToolchainStatus = { platform: 'linux', distro: 'debian', compiler: 'cc', make: 'make', pkgConfig: 'pkg-config', libuv: false, missing: ['libuv'], installCommand: 'sudo apt-get install -y libuv1-dev' };

test('only 07-libuv needs libuv: the others stay buildable without it', () => {
  assert.equal(stageBuildability(findStage('06-epoll')!, noLibuv).buildable, true);
  const uv = stageBuildability(findStage('07')!, noLibuv);
  assert.equal(uv.buildable, false);
  assert.deepEqual(uv.missing, ['libuv']);
  assert.equal(uv.installCommand, 'sudo apt-get install -y libuv1-dev');
  assert.match(uv.reason ?? '', /missing libuv; install with: sudo apt-get install -y libuv1-dev/);
  const windows: ToolchainStatus = { platform: 'win32', libuv: false, missing: ['compiler', 'make', 'pkg-config', 'libuv'], unsupported: 'use WSL' };
  assert.equal(stageBuildability(findStage('01')!, windows).reason, 'use WSL');
});

test('make is invoked on the servers folder with BUILD_DIR, CC and the targets', () => {
  const inv = makeInvocation({ serversDir: '/x/servers', buildDir: '/cache/build', stages: ['06-epoll'], compiler: 'clang', jobs: 2 });
  assert.deepEqual(inv, { command: 'make', args: ['-C', '/x/servers', '-j2', 'BUILD_DIR=/cache/build', 'CC=clang', '06-epoll'] });
  assert.deepEqual(makeInvocation({ serversDir: 's', buildDir: 'b', sanitize: true, jobs: 1 }).args, ['-C', 's', '-j1', 'BUILD_DIR=b', 'sanitize']);
  assert.deepEqual(makeInvocation({ serversDir: 's', buildDir: 'b', stages: ['01-sequential'], sanitize: true, jobs: 1 }, 'gmake'), { command: 'gmake', args: ['-C', 's', '-j1', 'BUILD_DIR=b', 'sanitize-01-sequential'] });
  assert.equal(stageBinaryPath('/b', '06-epoll'), '/b/06-epoll');
  assert.equal(stageBinaryPath('/b', '06-epoll', true), '/b/sanitize/06-epoll');
});

test('this machine: a compiler and make are found; a missing one is reported with a command', async () => {
  const status = await probeToolchain();
  assert.ok(status.compiler && status.make, JSON.stringify(status));
  const none = await probeToolchain({ env: { PATH: '/nonexistent' } });
  assert.deepEqual(none.missing, ['compiler', 'make', 'pkg-config', 'libuv']);
  if (none.distro === 'debian') assert.equal(none.installCommand, 'sudo apt-get install -y build-essential make pkg-config libuv1-dev');
});

test('the compiler order: the chosen one, then $CC, then cc, gcc, clang; with onlyCompiler the chosen one alone', () => {
  // Nothing chosen: $CC first, as make and the command line do.
  assert.deepEqual(compilerCandidates({}, { CC: 'my-cc' }), ['my-cc', 'cc', 'gcc', 'clang']);
  assert.deepEqual(compilerCandidates({}, {}), ['cc', 'gcc', 'clang']);
  assert.deepEqual(compilerCandidates({}, { CC: 'gcc' }), ['gcc', 'cc', 'clang'], 'a name is tried once');
  // Chosen (the command line's --cc): first, then the usual order.
  assert.deepEqual(compilerCandidates({ compiler: 'clang' }, { CC: 'my-cc' }), ['clang', 'my-cc', 'cc', 'gcc']);
  // Chosen with onlyCompiler (the extension's setting): that one and nothing else.
  assert.deepEqual(compilerCandidates({ compiler: 'my-clang', onlyCompiler: true }, { CC: 'my-cc' }), ['my-clang']);
  // onlyCompiler without a compiler (or a blank one) has nothing to restrict to.
  assert.deepEqual(compilerCandidates({ onlyCompiler: true }, { CC: 'my-cc' }), ['my-cc', 'cc', 'gcc', 'clang']);
  assert.deepEqual(compilerCandidates({ compiler: '  ', onlyCompiler: true }, {}), ['cc', 'gcc', 'clang']);
});

/** A folder with two stand-in compilers: `good-cc` answers --version, `broken-cc` exits 1. */
function fakeCompilers(): { dir: string; good: string; broken: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'toolchain-'));
  const good = path.join(dir, 'good-cc');
  const broken = path.join(dir, 'broken-cc');
  writeFileSync(good, '#!/bin/sh\necho "good-cc 1.0"\n');
  writeFileSync(broken, '#!/bin/sh\necho "broken-cc: cannot run" >&2\nexit 1\n');
  chmodSync(good, 0o755);
  chmodSync(broken, 0o755);
  return { dir, good, broken };
}

test('onlyCompiler: a chosen compiler that does not run is reported missing, not replaced by $CC or cc', async (t) => {
  if (process.platform === 'win32') return t.skip('the stages are not built on Windows');
  const { dir, good, broken } = fakeCompilers();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { ...process.env, CC: good };
  for (const missing of [broken, path.join(dir, 'no-such-cc')]) {
    const only = await probeToolchain({ compiler: missing, onlyCompiler: true, env });
    assert.equal(only.compiler, undefined, `${missing} alone: no compiler, although $CC and cc work`);
    assert.ok(only.missing.includes('compiler'), JSON.stringify(only));
    assert.equal(stageBuildability(findStage('01')!, only).buildable, false, 'nothing can be built');
    // Without onlyCompiler the same choice falls back, to $CC first.
    const fallback = await probeToolchain({ compiler: missing, env });
    assert.equal(fallback.compiler, good, JSON.stringify(fallback));
    assert.ok(!fallback.missing.includes('compiler'));
  }
  // A chosen compiler that runs is the one used, even with a working $CC before cc.
  assert.equal((await probeToolchain({ compiler: good, onlyCompiler: true, env: { ...process.env, CC: 'cc' } })).compiler, good);
});

test('nothing chosen: $CC is tried before cc', async (t) => {
  if (process.platform === 'win32') return t.skip('the stages are not built on Windows');
  const { dir, good, broken } = fakeCompilers();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal((await probeToolchain({ env: { ...process.env, CC: good } })).compiler, good);
  // A $CC that does not run is passed over for cc (this machine has one: see the test above).
  const passedOver = await probeToolchain({ env: { ...process.env, CC: broken } });
  assert.ok(passedOver.compiler && passedOver.compiler !== broken, JSON.stringify(passedOver));
});

test('the command line names a --cc compiler that does not run, and how to do without it', () => {
  const noCompiler: ToolchainStatus = { platform: 'linux', distro: 'debian', make: 'make', pkgConfig: 'pkg-config', libuv: true, missing: ['compiler'], installCommand: 'sudo apt-get install -y build-essential' };
  const stage = [findStage('01')!];
  assert.equal(
    missingToolsMessage(stage, noCompiler, 'no-such-cc'),
    'cannot build 01-sequential: the C compiler "no-such-cc" (--cc) does not run; install it, or leave out --cc to use $CC, cc, gcc or clang',
  );
  assert.match(missingToolsMessage(stage, noCompiler) ?? '', /^cannot build 01-sequential: .*build-essential/);
  assert.equal(missingToolsMessage(stage, { ...noCompiler, compiler: 'cc', missing: [] }, 'cc'), undefined);
});

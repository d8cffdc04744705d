import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findStage } from '../../src/core/stages';
import { installCommandFor, makeInvocation, probeToolchain, stageBinaryPath, stageBuildability, type ToolchainStatus } from '../../src/core/toolchain';

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

/**
 * The kqueue backends, compiled and run on Linux: 06-epoll/kqueue.c, 08-ae/ae_kqueue.c and
 * 09-green-threads/netpoll_kqueue.c are built with `make BACKEND=kqueue KQUEUE_SHIM=...` against
 * test/servers/kqueue-shim, a small emulation of kqueue over epoll, into build/kqueue-shim/.
 *
 * In order: the shim is checked on its own against kqueue(2)'s semantics (kqueue-shim/
 * shim_check.c), so that a shim bug cannot hide a backend bug or the other way round; each
 * binary is shown to use its kqueue backend (what it links, what it logs, what it traces); then
 * the kqueue builds pass the conformance suite (normal and sanitize) and the lessons their epoll
 * builds pass. This proves the backends' code against kqueue's documented behaviour, not against
 * a real kernel's kqueue (macOS, the BSDs): servers/README.md, Tests.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { StageProcess } from '../../src/core/stageProcess';
import { decodeTrace, Kind } from '../../src/core/trace/format';
import { define06Lessons, define08Lessons, define09Lessons, KQUEUE } from './06-09.lessonSuites';
import { defineConformanceSuite } from './conformance';
import { BUILD_DIR, buildStage, converse, SERVERS_DIR, startStage, startStagesWith, waitUntil } from './harness';

const SHIM_DIR = path.join(__dirname, 'kqueue-shim');
const KQUEUE_DIR = path.join(BUILD_DIR, 'kqueue-shim');
const KQUEUE_STAGES = ['06-epoll', '08-ae', '09-green-threads'] as const;
type KqueueStage = (typeof KQUEUE_STAGES)[number];
const MAKE_VARS = ['BACKEND=kqueue', `KQUEUE_SHIM=${SHIM_DIR}`, `BUILD_DIR=${BUILD_DIR}`];

/** What each stage's kqueue backend leaves in the binary's symbol table (nm -a). */
const BACKEND_FILE: Record<KqueueStage, { kqueue: string; epoll: string } | undefined> = {
  '06-epoll': { kqueue: 'kqueue.c', epoll: 'epoll.c' },
  '09-green-threads': { kqueue: 'netpoll_kqueue.c', epoll: 'netpoll_epoll.c' },
  '08-ae': undefined, // ae.c #includes its backend: the file symbol is ae.c either way
};

function run(file: string, args: readonly string[], timeoutMs: number, cwd?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 << 20, cwd }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, output: `${stdout}${stderr}` });
    });
    child.stdin?.end();
  });
}

let built: Promise<string> | undefined;

/** One make for the six binaries (three stages, normal and sanitize); returns its output. */
function buildKqueue(): Promise<string> {
  built ??= (async () => {
    const targets = KQUEUE_STAGES.flatMap((id) => [id, `sanitize-${id}`]);
    const { code, output } = await run('make', ['-j2', '-C', SERVERS_DIR, ...targets, ...MAKE_VARS], 300_000);
    assert.equal(code, 0, `make BACKEND=kqueue KQUEUE_SHIM=... failed:\n${output}`);
    return output;
  })();
  return built;
}

/** nm -a: the defined symbols (name -> type letter) and the source file symbols of a binary. */
async function symbols(binary: string): Promise<{ defined: Map<string, string>; files: Set<string> }> {
  const { code, output } = await run('nm', ['-a', binary], 30_000);
  assert.equal(code, 0, `nm ${binary}: ${output}`);
  const defined = new Map<string, string>();
  const files = new Set<string>();
  for (const line of output.split('\n')) {
    const m = /^[0-9a-f]+ (\w) (\S+)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'a' && m[2].endsWith('.c')) files.add(m[2]);
    else defined.set(m[2], m[1]);
  }
  return { defined, files };
}

/** Fails unless `binary` is linked with the shim's kqueue()/kevent() and its stage's kqueue backend. */
async function assertKqueueBuild(id: KqueueStage, binary: string): Promise<void> {
  const { defined, files } = await symbols(binary);
  // The shim is in the common library: the linker takes it only when something calls kevent().
  assert.equal(defined.get('kevent'), 'T', `${binary} does not define kevent(): not linked with the shim`);
  assert.equal(defined.get('kqueue'), 'T', `${binary} does not define kqueue()`);
  assert.ok(files.has('kqueue_shim.c'), `${binary}: no kqueue_shim.c`);
  const backend = BACKEND_FILE[id];
  if (backend) {
    assert.ok(files.has(backend.kqueue), `${binary} holds no ${backend.kqueue}`);
    assert.ok(!files.has(backend.epoll), `${binary} holds ${backend.epoll}`);
  }
}

// ---- every stage this file starts is a kqueue build ----

/** The binaries the shared suites ask for (the default build folder) -> their kqueue builds. */
const REDIRECT = new Map<string, { id: KqueueStage; binary: string }>(
  KQUEUE_STAGES.flatMap((id) => [
    [path.join(BUILD_DIR, id), { id, binary: path.join(KQUEUE_DIR, id) }],
    [path.join(BUILD_DIR, 'sanitize', id), { id, binary: path.join(KQUEUE_DIR, 'sanitize', id) }],
  ]),
);
const checkedBinaries = new Map<string, Promise<void>>();

const ON_LINUX = process.platform === 'linux';

if (ON_LINUX) {
  startStagesWith(async (id, options) => {
    const target = REDIRECT.get(options.binary);
    if (!target || target.id !== id) throw new Error(`kqueue.test.ts starts only the kqueue builds of ${KQUEUE_STAGES.join(', ')}, not ${options.binary}`);
    await buildKqueue();
    let checked = checkedBinaries.get(target.binary);
    if (!checked) {
      checked = assertKqueueBuild(target.id, target.binary);
      checkedBinaries.set(target.binary, checked);
    }
    await checked;
    return StageProcess.start({ ...options, binary: target.binary });
  });
}

// ---- the shim on its own ----

/** The `ok` line of each check in shim_check.c, in order. */
const SHIM_CHECKS = [
  'ok read and write filters',
  'ok delete one filter',
  'ok eof',
  'ok udata',
  'ok timeouts',
  'ok oneshot and disable',
  'ok changelist errors',
  'ok closed fd',
  'ok new kqueue',
  'ok another thread',
];

/** The compiler and flags of a normal build with the shim, from the Makefile itself (less -MMD -MP, which write .d files). */
async function shimBuildFlags(): Promise<string[]> {
  const { code, output } = await run('make', ['-s', '-C', SERVERS_DIR, 'flags', ...MAKE_VARS], 30_000);
  assert.equal(code, 0, output);
  const words = output.trim().split(/\s+/);
  assert.ok(words.includes('-Werror') && words.includes(`-I${SHIM_DIR}`), `make flags: ${output}`);
  return words.filter((w) => w !== '-MMD' && w !== '-MP');
}

if (!ON_LINUX) {
  test('kqueue backends over the kqueue shim', { skip: `the shim emulates kqueue with Linux epoll; on ${process.platform} the kqueue backends are the default build` }, () => undefined);
} else {
  describe('kqueue shim: the emulation itself, against kqueue(2)', { timeout: 60_000 }, () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'kqueue-shim-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    for (const flavour of ['normal', 'sanitize'] as const) {
      test(`shim_check.c passes every check (${flavour} build, warning-free with the project's flags)`, { timeout: 50_000 }, async () => {
        const [cc, ...flags] = await shimBuildFlags();
        const extra = flavour === 'sanitize' ? ['-O1', '-fsanitize=address,undefined', '-fno-sanitize-recover=undefined', '-fno-omit-frame-pointer'] : [];
        const program = path.join(dir, `shim_check-${flavour}`);
        const sources = [path.join(SHIM_DIR, 'shim_check.c'), path.join(SHIM_DIR, 'kqueue_shim.c')];
        const compile = await run(cc, [...flags, ...extra, ...sources, '-o', program], 60_000, SERVERS_DIR);
        assert.equal(compile.code, 0, compile.output);
        assert.equal(compile.output, '', 'no compiler output at all');
        const result = await run(program, [], 30_000);
        const lines = result.output.trim().split('\n');
        assert.deepEqual(lines.filter((l) => !l.startsWith('ok ')), [], 'failed checks');
        assert.deepEqual(lines, SHIM_CHECKS);
        assert.equal(result.code, 0);
      });
    }
  });

  describe('kqueue backends: the build', { timeout: 330_000 }, () => {
    test('make BACKEND=kqueue KQUEUE_SHIM=... builds 06, 08 and 09 into build/kqueue-shim, each linked with its kqueue backend', { timeout: 320_000 }, async () => {
      const output = await buildKqueue();
      assert.deepEqual(output.split('\n').filter((l) => /\b(warning|error):/i.test(l)), [], 'the build prints warnings');
      for (const id of KQUEUE_STAGES) {
        await assertKqueueBuild(id, path.join(KQUEUE_DIR, id));
        await assertKqueueBuild(id, path.join(KQUEUE_DIR, 'sanitize', id));
        // The control: the default build of the same stage has no kevent(), so the check tells them apart.
        const epoll = await symbols(await buildStage(id));
        assert.equal(epoll.defined.get('kevent'), undefined, `the epoll build of ${id} defines kevent()`);
      }
    });

    test('the Makefile refuses BACKEND=kqueue on Linux without the shim, and the shim without BACKEND=kqueue', { timeout: 30_000 }, async () => {
      const noShim = await run('make', ['-n', '-C', SERVERS_DIR, '08-ae', 'BACKEND=kqueue'], 20_000);
      assert.notEqual(noShim.code, 0);
      assert.match(noShim.output, /BACKEND=kqueue on Linux needs KQUEUE_SHIM=<dir>/);
      const noBackend = await run('make', ['-n', '-C', SERVERS_DIR, '08-ae', `KQUEUE_SHIM=${SHIM_DIR}`], 20_000);
      assert.notEqual(noBackend.code, 0);
      assert.match(noBackend.output, /KQUEUE_SHIM=\S+ goes with BACKEND=kqueue/);
    });
  });

  describe('kqueue backends: each stage waits in kevent', { timeout: 60_000 }, () => {
    /** Runs the stage traced through one exchange and returns how many waits of each kind it recorded. */
    async function tracedWaits(id: KqueueStage): Promise<{ kevent: number; epoll: number; ready: number }> {
      const dir = mkdtempSync(path.join(tmpdir(), `${id}-kqueue-trace-`));
      try {
        const file = path.join(dir, 'run.trace');
        const stage = await startStage(id, { env: { SERVER_MODELS_TRACE: file } });
        try {
          assert.equal((await converse(stage.port, ['^abc$', '!97$'], { gapMs: 20 })).toString('latin1'), 'bcdprime\n');
        } finally {
          assert.deepEqual(await stage.stop(), { code: 0, signal: null });
        }
        const records = decodeTrace(readFileSync(file)).records;
        const count = (kind: number) => records.filter((r) => r.kind === kind).length;
        return { kevent: count(Kind.KEVENT_END), epoll: count(Kind.EPOLL_WAIT_BEGIN) + count(Kind.EPOLL_WAIT_END), ready: count(Kind.READY_FD) };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    for (const id of KQUEUE_STAGES) {
      test(`${id}: its trace shows kevent waits and no epoll_wait`, { timeout: 20_000 }, async () => {
        const { kevent, epoll, ready } = await tracedWaits(id);
        assert.equal(epoll, 0, 'epoll_wait waits in the trace');
        assert.ok(kevent >= 2, `${kevent} kevent waits for an accept and two reads`);
        assert.ok(ready >= 2, `${ready} ready fds reported`);
      });
    }

    test('08-ae and 09-green-threads say so in their first lines', { timeout: 20_000 }, async () => {
      const ae = await startStage('08-ae');
      try {
        assert.ok(ae.lines.some((l) => /^ae backend: kqueue \(waits in kevent\), set size \d+$/.test(l)), ae.lines.slice(0, 3).join('\n'));
      } finally {
        assert.deepEqual(await ae.stop(), { code: 0, signal: null });
      }
      const gt = await startStage('09-green-threads', { extraArgs: ['--carriers', '2'] });
      try {
        await waitUntil(() => gt.lines.includes('carriers: 2 OS threads run the green threads; one poller thread waits in kevent'), 5_000, 'the carriers line');
      } finally {
        assert.deepEqual(await gt.stop(), { code: 0, signal: null });
      }
    });
  });

  for (const id of KQUEUE_STAGES) {
    describe(`kqueue: ${id}`, () => defineConformanceSuite(id));
    describe(`kqueue: ${id}`, () => defineConformanceSuite(id, { flavour: 'sanitize' }));
  }

  // ---- the lessons, as their epoll builds pass them ----
  define06Lessons(KQUEUE);
  define08Lessons(KQUEUE);
  define09Lessons(KQUEUE);
}

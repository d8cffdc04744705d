/**
 * The arm64 code paths, really run: on Linux x86-64 the stages are cross-built for arm64 Linux
 * (`make -C servers arm64`: aarch64-linux-gnu-gcc, linked statically) and run under
 * qemu-aarch64. 09-green-threads carries hand-written arm64 assembly (the stack switch in
 * context_switch.c): a probe checks it register by register, and the stage itself is held to the
 * conformance suite and its lesson. 01 and 06 are checked more briefly (C that the x86-64 build
 * already covers, compiled for another CPU).
 *
 * Every stage this file starts is checked to be an aarch64 ELF file run by qemu-aarch64, so it
 * cannot silently test the x86-64 build. Elsewhere than Linux x86-64 the file is skipped; on Linux
 * x86-64 a missing cross compiler or qemu fails it, naming the Debian packages (.ci/run installs
 * them).
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, readSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runNotesClient } from '../../src/core/client/notesClient';
import { NOTES_EXPECTED_REPLY } from '../../src/core/protocol';
import { StageProcess } from '../../src/core/stageProcess';
import type { StageId } from '../../src/core/stages';
import { echoFromAll, echoWhileWorking, openClients, resetAll, threadCount } from './06-09.lessons';
import { assertSameBytes, defineConformanceSuite, expected, randomChunks, randomPayload } from './conformance';
import { BUILD_DIR, buildStage, converse, SERVERS_DIR, startStage, startStagesWith, waitUntil } from './harness';

const HOST_OK = process.platform === 'linux' && process.arch === 'x64';
const SKIP_REASON =
  `the cross-built arm64 stages are checked on Linux x86-64 only; this is ${process.platform} ${process.arch}` +
  (process.arch === 'arm64' ? ', where the other servers tests run the arm64 code natively' : '');

const CROSS_CC = 'aarch64-linux-gnu-gcc';
const QEMU = 'qemu-aarch64';
const INSTALL_HINT = 'apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user (Debian/Ubuntu; .ci/run installs them)';
const ARM64_DIR = path.join(BUILD_DIR, 'aarch64-linux-gnu');
const EM_AARCH64 = 183;
const PT_INTERP = 3;

/** glibc's note at every static link that uses getaddrinfo (see servers/Makefile): the one expected linker warning. */
const GLIBC_STATIC_NOTE = /warning: Using 'getaddrinfo' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking$/;

// ---- the toolchain, the build, and what a binary is ----

function missingTools(): string[] {
  return [CROSS_CC, QEMU].filter((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).error !== undefined);
}

function requireTools(): void {
  const missing = missingTools();
  assert.deepEqual(missing, [], `the arm64 check needs ${missing.join(' and ')}: ${INSTALL_HINT}`);
}

function run(file: string, args: readonly string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, output: `${stdout}${stderr}` });
    });
    child.stdin?.end();
  });
}

/** What the ELF header says: the machine a binary is for, and whether it needs a dynamic loader. */
function elfFacts(file: string): { machine: number; hasInterpreter: boolean } {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(64);
    assert.equal(readSync(fd, header, 0, 64, 0), 64, `${file}: shorter than an ELF header`);
    assert.ok(header.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])), `${file} is not an ELF file`);
    assert.ok(header[4] === 2 && header[5] === 1, `${file}: not a 64-bit little-endian ELF file`);
    const machine = header.readUInt16LE(18); // e_machine
    const phoff = Number(header.readBigUInt64LE(32));
    const phentsize = header.readUInt16LE(54);
    const phnum = header.readUInt16LE(56);
    const table = Buffer.alloc(phentsize * phnum);
    readSync(fd, table, 0, table.length, phoff);
    let hasInterpreter = false;
    for (let i = 0; i < phnum; i++) if (table.readUInt32LE(i * phentsize) === PT_INTERP) hasInterpreter = true;
    return { machine, hasInterpreter };
  } finally {
    closeSync(fd);
  }
}

function assertArm64Static(file: string): void {
  const facts = elfFacts(file);
  assert.equal(facts.machine, EM_AARCH64, `${file}: e_machine ${facts.machine}, not ${EM_AARCH64} (aarch64)`);
  assert.equal(facts.hasInterpreter, false, `${file} is dynamically linked: qemu-aarch64 would need a target sysroot`);
}

let buildOutput: string | undefined;
let built: Promise<void> | undefined;

/**
 * `make -B -C servers arm64` once per file: everything is compiled again (about 10 s), so the
 * output shows every warning. Fails with the packages to install when the toolchain is missing.
 */
function buildArm64(): Promise<void> {
  built ??= (async () => {
    requireTools();
    const { code, output } = await run('make', ['-B', '-C', SERVERS_DIR, 'arm64', `BUILD_DIR=${BUILD_DIR}`], 300_000);
    assert.equal(code, 0, `make arm64 failed (${INSTALL_HINT}):\n${output}`);
    buildOutput = output;
  })();
  return built;
}

// ---- starting a stage under qemu ----

let wrapperDir: string | undefined;

/**
 * A launcher for StageProcess, which runs a binary with the stage's arguments: a shell script
 * that execs qemu-aarch64 on the arm64 binary, so the stage's pid is qemu's and signals reach it.
 */
function qemuLauncher(id: StageId): string {
  wrapperDir ??= mkdtempSync(path.join(tmpdir(), 'arm64-stages-'));
  const binary = path.join(ARM64_DIR, id);
  assertArm64Static(binary);
  const script = path.join(wrapperDir, id);
  writeFileSync(script, `#!/bin/sh\nexec ${QEMU} '${binary}' "$@"\n`);
  chmodSync(script, 0o755);
  return script;
}

/** The stages this file runs under qemu. */
const ARM64_STAGES: ReadonlySet<StageId> = new Set(['01-sequential', '06-epoll', '09-green-threads']);

if (HOST_OK) {
  // The shared suite and helpers start stages from the host build; in this file every start is
  // redirected to the arm64 build under qemu, and anything else is refused.
  startStagesWith(async (id, options) => {
    if (!ARM64_STAGES.has(id)) throw new Error(`arm64.test.ts starts only the arm64 builds of ${[...ARM64_STAGES].join(', ')}, not ${id}`);
    await buildArm64();
    const stage = await StageProcess.start({ ...options, binary: qemuLauncher(id), startTimeoutMs: 30_000 });
    const exe = readlinkSync(`/proc/${stage.pid}/exe`);
    if (path.basename(exe) !== QEMU) {
      await stage.stop();
      throw new Error(`${id} runs as ${exe}, not under ${QEMU}`);
    }
    return stage;
  });
  after(() => {
    if (wrapperDir) rmSync(wrapperDir, { recursive: true, force: true });
  });
}

// ---- the stack switch, register by register ----

/**
 * switch_checked(from, to, seed) loads a pattern made from `seed` into every register AAPCS64
 * says a call preserves (x19-x29, d8-d15), calls gt_context_switch, and once something switches
 * back counts the registers that lost their pattern, plus one if sp moved. Its own caller's
 * registers are saved and restored around all that. Three green threads and main pass control
 * round in a ring, so each side checks what the others' switches left behind; each green thread
 * also checks that it started on a 16-byte aligned stack (gt_context_init is given an odd size).
 */
const SWITCH_PROBE_C = String.raw`
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include "context.h"

unsigned switch_checked(gt_context *from, const gt_context *to, uint64_t seed);
__asm__(".text\n"
        ".globl switch_checked\n"
        ".p2align 2\n"
        "switch_checked:\n"
        "  sub sp, sp, #176\n"
        "  stp x19, x20, [sp, #0]\n"
        "  stp x21, x22, [sp, #16]\n"
        "  stp x23, x24, [sp, #32]\n"
        "  stp x25, x26, [sp, #48]\n"
        "  stp x27, x28, [sp, #64]\n"
        "  stp x29, x30, [sp, #80]\n"
        "  stp d8, d9, [sp, #96]\n"
        "  stp d10, d11, [sp, #112]\n"
        "  stp d12, d13, [sp, #128]\n"
        "  stp d14, d15, [sp, #144]\n"
        "  mov x9, sp\n"
        "  stp x2, x9, [sp, #160]\n" /* the seed, and sp as it must be when we are back */
#define SET_X(n) "  add x" #n ", x2, #" #n "\n"
#define SET_D(n) "  add x9, x2, #1" #n "\n  fmov d" #n ", x9\n"
        SET_X(19) SET_X(20) SET_X(21) SET_X(22) SET_X(23) SET_X(24) SET_X(25) SET_X(26) SET_X(27)
        SET_X(28) SET_X(29)
        SET_D(8) SET_D(9) SET_D(10) SET_D(11) SET_D(12) SET_D(13) SET_D(14) SET_D(15)
        "  bl gt_context_switch\n"
        "  ldp x2, x10, [sp, #160]\n"
        "  mov x9, sp\n"
        "  cmp x9, x10\n"
        "  cset x0, ne\n"
#define CHECK_X(n) "  add x9, x2, #" #n "\n  cmp x" #n ", x9\n  cinc x0, x0, ne\n"
#define CHECK_D(n) "  add x9, x2, #1" #n "\n  fmov x10, d" #n "\n  cmp x10, x9\n  cinc x0, x0, ne\n"
        CHECK_X(19) CHECK_X(20) CHECK_X(21) CHECK_X(22) CHECK_X(23) CHECK_X(24) CHECK_X(25)
        CHECK_X(26) CHECK_X(27) CHECK_X(28) CHECK_X(29)
        CHECK_D(8) CHECK_D(9) CHECK_D(10) CHECK_D(11) CHECK_D(12) CHECK_D(13) CHECK_D(14) CHECK_D(15)
        "  ldp x19, x20, [sp, #0]\n"
        "  ldp x21, x22, [sp, #16]\n"
        "  ldp x23, x24, [sp, #32]\n"
        "  ldp x25, x26, [sp, #48]\n"
        "  ldp x27, x28, [sp, #64]\n"
        "  ldp x29, x30, [sp, #80]\n"
        "  ldp d8, d9, [sp, #96]\n"
        "  ldp d10, d11, [sp, #112]\n"
        "  ldp d12, d13, [sp, #128]\n"
        "  ldp d14, d15, [sp, #144]\n"
        "  add sp, sp, #176\n"
        "  ret\n");

#define THREADS 3
#define ROUNDS 1000
static gt_context main_ctx, ctx[THREADS];
static unsigned lost[THREADS + 1];
static uintptr_t misaligned;
static int started;

static void entry(void) {
    int me = started++;
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp)); /* the prologue moved sp by a multiple of 16 */
    if (sp % 16 != 0) misaligned = sp;
    for (uint64_t round = 0;; round++) {
        const gt_context *next = me + 1 < THREADS ? &ctx[me + 1] : &main_ctx;
        lost[me] += switch_checked(&ctx[me], next, 0x1000u * (uint64_t)(me + 1) + round * 0x100000u);
    }
}

int main(void) {
    size_t size = 64 * 1024;
    for (int i = 0; i < THREADS; i++) {
        char *stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (stack == MAP_FAILED) return 2;
        gt_context_init(&ctx[i], stack, size - 24, entry);
    }
    for (uint64_t round = 0; round < ROUNDS; round++) lost[THREADS] += switch_checked(&main_ctx, &ctx[0], 0xABC00000000u + round);
    unsigned total = 0;
    for (int i = 0; i <= THREADS; i++) total += lost[i];
    printf("switches %d, registers lost %u, misaligned sp at entry %#lx\n", ROUNDS * (THREADS + 1), total, (unsigned long)misaligned);
    return total == 0 && misaligned == 0 ? 0 : 1;
}
`;

if (!HOST_OK) {
  test('arm64 build under qemu-aarch64', { skip: SKIP_REASON }, () => undefined);
} else {
  describe('arm64: the build', { timeout: 330_000 }, () => {
    test('make arm64 builds the stages for aarch64, statically, with no warning but glibc\'s static-link note', { timeout: 320_000 }, async () => {
      await buildArm64();
      const warnings = (buildOutput ?? '').split('\n').filter((l) => /\b(warning|error):/i.test(l) && !GLIBC_STATIC_NOTE.test(l));
      assert.deepEqual(warnings, [], 'the cross build prints warnings');
      for (const id of ['01-sequential', '06-epoll', '09-green-threads'] as const) assertArm64Static(path.join(ARM64_DIR, id));
      // The control: the host build of the same stage is x86-64 (62), so the check tells them apart.
      assert.equal(elfFacts(await buildStage('01-sequential')).machine, 62);
    });
  });

  describe('arm64: the stack switch of 09-green-threads, register by register', { timeout: 60_000 }, () => {
    let dir: string;
    before(() => {
      requireTools();
      dir = mkdtempSync(path.join(tmpdir(), 'arm64-switch-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    test('x19-x29, d8-d15 and sp survive 4,000 switches between 4 stacks; new stacks start 16-byte aligned', async () => {
      const source = path.join(dir, 'probe.c');
      const probe = path.join(dir, 'probe');
      writeFileSync(source, SWITCH_PROBE_C);
      const gt = path.join(SERVERS_DIR, '09-green-threads');
      const compile = await run(CROSS_CC, ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Werror', '-static', `-I${gt}`, source, path.join(gt, 'context_switch.c'), '-o', probe], 60_000);
      assert.equal(compile.code, 0, compile.output);
      assert.equal(compile.output, '', 'the probe compiles without a warning');
      assertArm64Static(probe);
      const result = await run(QEMU, [probe], 30_000);
      assert.equal(result.output.trim(), 'switches 4000, registers lost 0, misaligned sp at entry 0');
      assert.equal(result.code, 0);
    });
  });

  describe('arm64: 09-green-threads under qemu', () => defineConformanceSuite('09-green-threads'));

  describe('arm64: the lesson of 09-green-threads under qemu', { timeout: 120_000 }, () => {
    test('500 clients on green threads, each echoed, on no more OS threads than the carriers plus a few', { timeout: 60_000 }, async () => {
      const stage = await startStage('09-green-threads', { extraArgs: ['--carriers', '2', '--quiet'] });
      try {
        const clients = await openClients(stage.port, 500, 250);
        try {
          await echoFromAll(clients);
          const threads = threadCount(stage.pid!);
          console.log(`arm64 09-green-threads: 500 clients served by ${threads} OS threads (2 carriers, under qemu)`);
          // 2 carriers + main + the poller + the parent watcher + qemu's own RCU thread, and room for one more.
          assert.ok(threads <= 2 + 5, `${threads} OS threads for 2 carriers`);
        } finally {
          resetAll(clients);
        }
      } finally {
        assert.deepEqual(await stage.stop(), { code: 0, signal: null });
      }
    });

    // The x86-64 test allows the echo 150 ms while a ~1 s request computes; qemu is about three
    // times slower, so the margins are relative to the work's own time.
    test('the work pins one carrier; with another carrier free, another client is echoed meanwhile', { timeout: 40_000 }, async () => {
      const stage = await startStage('09-green-threads', { extraArgs: ['--carriers', '2'] });
      try {
        const { workMs, echoWaitMs } = await echoWhileWorking(stage);
        console.log(`arm64 09-green-threads (2 carriers): work ${workMs.toFixed(0)} ms, another client's echo waited ${echoWaitMs.toFixed(0)} ms`);
        assert.ok(workMs >= 500, `the work took ${workMs.toFixed(0)} ms: too quick to show anything`);
        assert.ok(echoWaitMs <= Math.min(1000, workMs / 3), `the echo waited ${echoWaitMs.toFixed(0)} ms while the work took ${workMs.toFixed(0)} ms`);
        for (const line of [/^g\d+ parked on fd \d+ \(read\), carrier \d is free$/, /^g\d+ resumed on carrier \d$/, /^g\d+ pins carrier \d: is \d+ prime\?$/]) {
          assert.ok(stage.lines.some((l) => line.test(l)), `a log line like ${line}`);
        }
      } finally {
        assert.deepEqual(await stage.stop(), { code: 0, signal: null });
      }
    });

    test('the control: with its only carrier pinned, nobody else is echoed until the work ends', { timeout: 40_000 }, async () => {
      const stage = await startStage('09-green-threads', { extraArgs: ['--carriers', '1'] });
      try {
        await waitUntil(() => stage.lines.some((l) => l.startsWith('carriers: 1 OS threads')), 10_000, 'the start line');
        const { workMs, echoWaitMs } = await echoWhileWorking(stage);
        console.log(`arm64 09-green-threads (1 carrier): work ${workMs.toFixed(0)} ms, another client's echo waited ${echoWaitMs.toFixed(0)} ms`);
        assert.ok(echoWaitMs >= Math.max(500, workMs / 2), `the echo waited only ${echoWaitMs.toFixed(0)} ms of the work's ${workMs.toFixed(0)} ms`);
      } finally {
        assert.deepEqual(await stage.stop(), { code: 0, signal: null });
      }
    });
  });

  for (const id of ['01-sequential', '06-epoll'] as const) {
    describe(`arm64: ${id} under qemu`, { timeout: 60_000 }, () => {
      test("the notes' exchange, random payloads from concurrent clients against the oracle, SIGTERM", { timeout: 50_000 }, async () => {
        const stage = await startStage(id);
        try {
          const replies = new Map<number, Buffer[]>();
          const notes = await runNotesClient({
            port: stage.port,
            connections: 2,
            onEvent: (e) => {
              if (e.kind === 'receive' && e.bytes) replies.set(e.conn, [...(replies.get(e.conn) ?? []), e.bytes]);
            },
          });
          assert.deepEqual(notes.failures, []);
          for (const conn of [0, 1]) assert.equal(Buffer.concat(replies.get(conn) ?? []).toString('latin1'), NOTES_EXPECTED_REPLY, `conn${conn}`);
          // Concurrent clients: 06 serves them at once; 01 one after another from its backlog.
          const payloads = Array.from({ length: 6 }, (_, i) => randomPayload(20_000, 300 + i));
          const echoes = await Promise.all(payloads.map((p, i) => converse(stage.port, randomChunks(p, 400 + i), { timeoutMs: 40_000 })));
          echoes.forEach((reply, i) => assertSameBytes(reply, expected(payloads[i]), `client ${i}`));
          assert.equal((await converse(stage.port, ['^abc$!97$!91$'])).toString('latin1'), 'bcdprime\ncomposite\n');
        } finally {
          assert.deepEqual(await stage.stop(), { code: 0, signal: null });
        }
      });
    });
  }
}

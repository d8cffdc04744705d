/**
 * The recording readers under damage and at scale. `server-models trace export` as a user runs
 * it (the real command line, bundled as dist/cli.js is, in a child process): every kind of
 * damaged recording is refused with a non-zero exit and exactly one line naming the byte offset;
 * --keep-going exports what can be read and still says what was wrong; a 200 MB recording is
 * exported in bounded memory (peak RSS under 300 MB). Then the reader itself is fuzzed with
 * fast-check (random bytes; valid recordings with bits flipped, cut short, blocks spliced in),
 * time-bounded, with a fixed seed and a fresh one that is logged (FUZZ_SEED=<seed> replays it): it never throws or hangs,
 * never counts more events than the bytes can hold, and agrees with a reference reading
 * (referenceReader.support.ts) on whether the bytes are sound, so no damage goes unreported.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { chromeTraceChunks } from '../../src/core/trace/chromeExport';
import { exportChromeTrace, type TextOut } from '../../src/core/trace/chromeStream';
import { encodeHeader, encodeName, encodeRecords, Kind, RECORD_SIZE, TraceSource, type RecordFields } from '../../src/core/trace/format';
import { concatBytes, encodeBlock, encodeRecordingHeader, readRecording, RecordingReader } from '../../src/core/trace/recording';
import { RecordingScanner } from '../../src/core/trace/recordingScanner';
import { bundleCli, runCli, type CliRun } from '../cli.support';
import { referenceRead } from './referenceReader.support';
import { smallRecording, writeLargeRecording } from './recordings.support';

const ROOT = path.resolve(__dirname, '../..');
// Inside the package (out/ is ignored), bundled with esbuild.mjs's options for dist/cli.js.
const CLI = path.join(ROOT, 'out', 'test', 'reliability', 'cli.js');
let work = '';

/** A run of the command line, and its peak resident set size (KiB) when measured. */
type MeasuredRun = CliRun & { readonly peakKiB?: number };

/** Runs the command line; `measure` runs it under /usr/bin/time -v for its peak RSS. */
async function cli(args: readonly string[], timeoutMs: number, measure = false): Promise<MeasuredRun> {
  const run = await runCli(CLI, args, { timeoutMs, ...(measure ? { wrapper: ['/usr/bin/time', '-v'] } : {}) });
  if (!measure) return run;
  // time -v appends its report to the child's stderr; the command's own lines come first.
  const at = run.stderr.search(/^\s*Command being timed:/m);
  const report = run.stderr.slice(at);
  const status = /Exit status: (\d+)/.exec(report);
  return { ...run, stderr: run.stderr.slice(0, at), code: status ? Number(status[1]) : run.code, peakKiB: Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(report)?.[1]) };
}

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'server-models-reliability-'));
  await bundleCli(CLI);
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

// ---- damaged recordings, through the command line ----

const small = smallRecording();

function patched(edit: (view: DataView, bytes: Uint8Array) => void): Uint8Array {
  const bytes = small.bytes.slice();
  edit(new DataView(bytes.buffer), bytes);
  return bytes;
}

/** The stream header of stream 0 starts in the first block, after its 8-byte block header. */
const STREAM0_HEADER = small.blocks[0] + 8;

function plainTrace(records: readonly RecordFields[], extra: Uint8Array = new Uint8Array(0)): Uint8Array {
  return concatBytes([encodeHeader({ source: TraceSource.server, pid: 1, startNs: 0n, startUnixNs: 0n, clock: 'CLOCK_MONOTONIC' }), encodeRecords(records), extra]);
}

interface DamageCase {
  readonly name: string;
  readonly bytes: () => Uint8Array;
  /** The byte offset the one line must name. */
  readonly offset: number;
  /** What the line must say. */
  readonly says: RegExp;
}

const lastBlock = small.blocks[small.blocks.length - 1];

const DAMAGE: readonly DamageCase[] = [
  { name: 'an empty file', bytes: () => new Uint8Array(0), offset: 0, says: /empty or too short/ },
  { name: 'cut inside the recording header', bytes: () => small.bytes.subarray(0, 11), offset: 0, says: /too short/ },
  { name: 'cut inside a block header', bytes: () => small.bytes.subarray(0, lastBlock + 3), offset: lastBlock, says: /ends inside a block header \(3 of 8 bytes\)/ },
  { name: 'cut inside a block', bytes: () => small.bytes.subarray(0, small.bytes.length - 5), offset: lastBlock, says: /ends inside a block \(stream 0: 5 of its \d+ bytes missing\)/ },
  { name: 'bad magic', bytes: () => new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), offset: 0, says: /unknown magic "GET \/ HT"/ },
  { name: 'recording version 2', bytes: () => patched((v) => v.setUint16(8, 2, true)), offset: 8, says: /recording version 2/ },
  { name: 'recording header size 0xFFFF', bytes: () => patched((v) => v.setUint16(10, 0xffff, true)), offset: 10, says: /recording header size 65535/ },
  { name: 'a block length past the limit', bytes: () => patched((v) => v.setUint32(lastBlock + 4, 0xfffffff0, true)), offset: lastBlock, says: /block length of 4294967280 bytes/ },
  { name: 'a block length 8 too long', bytes: () => patched((v) => v.setUint32(small.blocks[2] + 4, v.getUint32(small.blocks[2] + 4, true) + 8, true)), offset: small.blocks[2] + 8 + 96, says: /stream 0 ends inside a record \(8 bytes\)/ },
  { name: 'an unknown stream id', bytes: () => patched((v) => v.setUint32(small.blocks[3], 9, true)), offset: small.blocks[3], says: /stream 9: not a Server Models trace .* a block of a stream that never began/ },
  { name: 'a stream header size of 0xFFFF', bytes: () => patched((v) => v.setUint16(STREAM0_HEADER + 10, 0xffff, true)), offset: STREAM0_HEADER + 10, says: /stream 0: bad sizes: header 65535/ },
  { name: 'a stream of version 3', bytes: () => patched((v) => v.setUint16(STREAM0_HEADER + 8, 3, true)), offset: STREAM0_HEADER + 8, says: /stream 0: trace version 3/ },
  { name: 'a record of kind 0', bytes: () => patched((v) => v.setUint16(small.lastServerRecord + 32 + 12, 0, true)), offset: small.lastServerRecord + 32, says: /stream 0: a record of kind 0/ },
  { name: 'a record past the end of the clock', bytes: () => patched((v) => v.setUint32(small.lastServerRecord + 4, 0x90000000, true)), offset: small.lastServerRecord, says: /past the end of the trace clock/ },
  { name: 'a record that goes back in time', bytes: () => patched((v) => v.setBigUint64(small.lastServerRecord + 32, 1n, true)), offset: small.lastServerRecord + 32, says: /lane 1 goes back in time/ },
  {
    name: 'a name of 2 GB',
    bytes: () =>
      patched((v) => {
        v.setUint16(small.lastServerRecord + 12, Kind.NAME_LANE, true);
        v.setUint32(small.lastServerRecord + 20, 0x7fffffff, true);
      }),
    offset: small.lastServerRecord,
    says: /framing lost: a name record announces 2147483647 bytes/,
  },
  { name: 'a trace header and then zeros', bytes: () => plainTrace([], new Uint8Array(4096)), offset: 64, says: /stream 0: a record of kind 0/ },
  { name: 'a plain trace cut inside a record', bytes: () => plainTrace([{ timeNs: 5, lane: 1, kind: Kind.RECV_BEGIN }]).subarray(0, 64 + 20), offset: 64, says: /stream 0 ends inside a record \(20 bytes\)/ },
];

/** One line on stderr: what is wrong, at which byte, and what to do. */
function assertOneLine(r: CliRun, offset: number, says: RegExp, name: string): void {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `${name}: exactly one line on stderr, got:\n${r.stderr}`);
  const [line] = lines;
  assert.match(line, new RegExp(`^server-models: .+, byte ${offset}: `), `${name}: ${line}`);
  assert.match(line, says, name);
  assert.match(line, /re-record it, or add --keep-going to export what can be read$/, name);
}

describe('trace export of a damaged recording', { timeout: 240_000 }, () => {
  for (const damage of DAMAGE) {
    test(`${damage.name}: exit 1, one line naming byte ${damage.offset}, nothing written`, async () => {
      const input = path.join(work, 'damaged.smrec');
      const output = path.join(work, 'damaged.json');
      await writeFile(input, damage.bytes());
      const r = await cli(['trace', 'export', input, '--chrome', output], 30_000);
      assert.equal(r.code, 1, r.stderr);
      assertOneLine(r, damage.offset, damage.says, damage.name);
      assert.equal(existsSync(output), false, 'no output file');
      assert.deepEqual((await readdir(work)).filter((f) => f.includes('partial')), [], 'no partial file');
    });
  }

  test('a recording header and then 200 MB of zeros: refused at byte 16 without reading on', async () => {
    const input = path.join(work, 'zeros.smrec');
    await writeFile(input, encodeRecordingHeader());
    await truncate(input, 16 + 200 * 1024 * 1024);
    const r = await cli(['trace', 'export', input, '--chrome', path.join(work, 'zeros.json')], 30_000);
    assert.equal(r.code, 1);
    assertOneLine(r, 16, /an empty block \(stream 0\)/, 'zeros');
    assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
    await rm(input);
  });

  test('--keep-going: exports what can be read, still reports the problem, exit 3', async () => {
    const input = path.join(work, 'cut.smrec');
    const output = path.join(work, 'cut.json');
    await writeFile(input, small.bytes.subarray(0, small.bytes.length - 5));
    const r = await cli(['trace', 'export', input, '--chrome', output, '--keep-going'], 30_000);
    assert.equal(r.code, 3, r.stderr);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, r.stderr);
    // The cut block lost 5 bytes of its last record: its first two records are whole, and kept.
    assert.match(lines[0], new RegExp(`^server-models: warning: .+, byte ${lastBlock}: the recording ends inside a block .*exported what could be read \\(${small.events - 1} events\\)$`));
    assert.equal(lines[1], `wrote ${output}: ${small.events - 1} events`);
    const json = JSON.parse(await readFile(output, 'utf8')) as { traceEvents: { ph: string; name: string }[] };
    assert.ok(json.traceEvents.some((e) => e.ph === 'X' && e.name === 'waiting in epoll_wait'), 'the readable part is there');
  });

  test('a sound recording: exit 0, the events counted one by one', async () => {
    const input = path.join(work, 'small.smrec');
    const output = path.join(work, 'small.json');
    await writeFile(input, small.bytes);
    const r = await cli(['trace', 'export', input, '--chrome', output], 30_000);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, `wrote ${output}: ${small.events} events\n`);
    // A plain trace of 4 records (its header says nothing about how many) is 4 events.
    const four = path.join(work, 'four.trace');
    await writeFile(four, plainTrace([1, 2, 3, 4].map((t) => ({ timeNs: t, lane: 1, kind: Kind.EAGAIN }))));
    const r4 = await cli(['trace', 'export', four, '--chrome', output], 30_000);
    assert.equal(r4.stderr, `wrote ${output}: 4 events\n`);
  });
});

// ---- memory at scale ----

describe('trace export at scale', { timeout: 300_000 }, () => {
  test('a 200 MB recording is exported with a peak RSS under 300 MB', async (t: TestContext) => {
    const input = path.join(work, 'large.smrec');
    const output = path.join(work, 'large.json');
    const events = writeLargeRecording(input, 200 * 1024 * 1024);
    const measured = existsSync('/usr/bin/time');
    const r = await cli(['trace', 'export', input, '--chrome', output], 240_000, measured);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr.trim(), `wrote ${output}: ${events} events`);
    const size = readFileSync(input).length;
    t.diagnostic(`${(size / 2 ** 20).toFixed(0)} MB, ${events} events: exported in ${(r.ms / 1000).toFixed(1)} s${measured ? `, peak RSS ${(r.peakKiB! / 1024).toFixed(0)} MB` : ' (no /usr/bin/time: RSS not measured)'}`);
    if (measured) assert.ok(r.peakKiB! < 300 * 1024, `peak RSS ${r.peakKiB} KiB`);
    await rm(input);
    await rm(output);
  });
});

// ---- fuzzing the reader ----

/** A valid recording of random events: 1-3 streams, lanes in time order, blocks cut at records. */
const arbitraryRecording: fc.Arbitrary<{ bytes: Uint8Array; blocks: number[] }> = fc
  .array(
    fc.record({
      source: fc.constantFrom(TraceSource.server, TraceSource.client),
      names: fc.array(fc.tuple(fc.constantFrom(Kind.NAME_FILE, Kind.NAME_LANE, Kind.NAME_PROCESS), fc.integer({ min: 1, max: 4 }), fc.string({ maxLength: 40 })), { maxLength: 3 }),
      records: fc.array(
        fc.record({
          lane: fc.integer({ min: 0, max: 4 }),
          kind: fc.constantFrom(...[16, 17, 18, 19, 24, 25, 40, 41, 57, 58, 72, 73, 80, 81, 82, 83, 84, 85, 96, 97, 104, 120, 128, 131, 132, 500]),
          gap: fc.integer({ min: 0, max: 5000 }),
          value: fc.integer({ min: -2, max: 5 }),
          line: fc.integer({ min: 0, max: 9 }),
        }),
        { maxLength: 30 },
      ),
      cuts: fc.array(fc.nat(), { maxLength: 5 }),
    }),
    { minLength: 1, maxLength: 3 },
  )
  .chain((streams) =>
    fc.array(fc.nat(), { minLength: 40, maxLength: 40 }).map((picks) => {
      // Each stream: its header and names in a first block, then its records in blocks.
      const queues = streams.map((s, id) => {
        const clock = new Map<number, number>();
        const records: RecordFields[] = s.records.map((r) => {
          const time = (clock.get(r.lane) ?? 1000) + r.gap;
          clock.set(r.lane, time);
          return { timeNs: time, lane: r.lane, kind: r.kind, value: r.value, fd: r.value + 3, line: r.line, fileId: r.line > 0 ? 1 : 0 };
        });
        const head = concatBytes([
          encodeHeader({ source: s.source, pid: 100 + id, startNs: 0n, startUnixNs: 0n, clock: 'CLOCK_MONOTONIC' }),
          ...s.names.map(([kind, key, name]) => encodeName(kind, key, name, 0)),
        ]);
        const points = [...new Set(s.cuts.map((c) => c % (records.length + 1)))].sort((a, b) => a - b);
        const pieces = [...points, records.length].map((p, i, all) => records.slice(i === 0 ? 0 : all[i - 1], p)).filter((p) => p.length > 0);
        return [encodeBlock(id, head), ...pieces.map((p) => encodeBlock(id, encodeRecords(p)))];
      });
      const parts = [encodeRecordingHeader()];
      let p = 0;
      while (queues.some((q) => q.length > 0)) {
        const live = queues.filter((q) => q.length > 0);
        parts.push(live[picks[p++ % picks.length] % live.length].shift()!);
      }
      const blocks: number[] = [];
      let at = parts[0].length;
      for (const part of parts.slice(1)) {
        blocks.push(at);
        at += part.length;
      }
      return { bytes: concatBytes(parts), blocks };
    }),
  );

type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'cut'; readonly at: number }
  | { readonly kind: 'splice'; readonly from: number; readonly length: number; readonly to: number }
  | { readonly kind: 'cutOut'; readonly from: number; readonly length: number }
  | { readonly kind: 'block'; readonly which: number; readonly to: number }
  | { readonly kind: 'overwrite'; readonly at: number; readonly bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('splice' as const), from: fc.nat(), length: fc.integer({ min: 1, max: 80 }), to: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cutOut' as const), from: fc.nat(), length: fc.integer({ min: 1, max: 80 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('block' as const), which: fc.nat(), to: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }) },
);

/** Applies a mutation; `blocks` are the block offsets of the valid recording (for splicing whole blocks). */
function mutate(bytes: Uint8Array, blocks: readonly number[], m: Mutation): Uint8Array {
  const n = bytes.length;
  if (n === 0) return bytes;
  switch (m.kind) {
    case 'flip': {
      const out = bytes.slice();
      out[m.at % n] ^= 1 << m.bit;
      return out;
    }
    case 'cut':
      return bytes.subarray(0, m.at % n);
    case 'splice': {
      const from = m.from % n;
      const piece = bytes.subarray(from, from + m.length);
      const to = m.to % (n + 1);
      return concatBytes([bytes.subarray(0, to), piece, bytes.subarray(to)]);
    }
    case 'cutOut': {
      const from = m.from % n;
      return concatBytes([bytes.subarray(0, from), bytes.subarray(from + m.length)]);
    }
    case 'block': {
      // A whole block copied to another block boundary (or anywhere, when the offsets are stale).
      if (blocks.length === 0) return bytes;
      const start = blocks[m.which % blocks.length];
      const end = blocks.find((b) => b > start) ?? n;
      const to = [...blocks, n][m.to % (blocks.length + 1)];
      return concatBytes([bytes.subarray(0, Math.min(to, n)), bytes.subarray(start, Math.min(end, n)), bytes.subarray(Math.min(to, n))]);
    }
    case 'overwrite': {
      const out = bytes.slice();
      out.set(m.bytes.subarray(0, Math.max(0, n - (m.at % n))), m.at % n);
      return out;
    }
  }
}

/** What the reader must always do, whatever the bytes; and say the same as the reference reading. */
function checkReader(bytes: Uint8Array, chunk: number): void {
  const whole = readRecording(bytes);
  const reader = new RecordingReader();
  for (let at = 0; at < bytes.length; at += chunk) reader.push(bytes.subarray(at, at + chunk));
  const problems = reader.finish();
  assert.deepEqual(problems, whole.problems, 'chunks cut anywhere read the same as the whole');
  assert.equal(reader.model.eventCount, whole.model.eventCount);
  assert.ok(whole.model.eventCount <= Math.floor(bytes.length / RECORD_SIZE), `${whole.model.eventCount} events in ${bytes.length} bytes`);
  assert.ok(whole.problems.length <= 101, 'problems are bounded');
  for (const problem of whole.problems.slice(0, 100)) {
    assert.doesNotMatch(problem, /\n/);
    const at = /\(at byte (\d+)\)$/.exec(problem);
    assert.ok(at, problem);
    assert.ok(Number(at[1]) <= bytes.length, `${problem} is past the end (${bytes.length} bytes)`);
  }
  const reference = referenceRead(bytes);
  assert.equal(whole.problems.length === 0, reference.sound, `the reference reading calls it ${reference.sound ? 'sound' : 'unsound'}; the reader said ${JSON.stringify(whole.problems)}`);
  if (reference.sound) assert.equal(whole.model.eventCount, reference.events);
  const scanner = new RecordingScanner();
  scanner.push(bytes);
  scanner.finish();
  assert.equal(scanner.events, whole.model.eventCount, 'the scanner hands on what the model takes');
}

const PREFIXES: readonly Uint8Array[] = [
  new Uint8Array(0),
  encodeRecordingHeader(),
  encodeHeader({ source: TraceSource.server, pid: 1, startNs: 0n, startUnixNs: 0n, clock: 'CLOCK_MONOTONIC' }),
  concatBytes([encodeRecordingHeader(), encodeBlock(0, encodeHeader({ source: TraceSource.client, pid: 1, startNs: 0n, startUnixNs: 0n, clock: 'CLOCK_MONOTONIC' }))]),
];

/** Runs a property for about `ms` with a seed, and says how many runs that was. */
function fuzz<T>(t: TestContext, label: string, seed: number, ms: number, arbitrary: fc.Arbitrary<T>, check: (value: T) => void): void {
  const result = fc.check(fc.property(arbitrary, check), { seed, numRuns: 1_000_000, interruptAfterTimeLimit: ms });
  if (result.failed) throw new Error(`${fc.defaultReportMessage(result) ?? `${label} failed (seed ${seed})`}\n${String(result.errorInstance)}`);
  t.diagnostic(`${label}: ${result.numRuns} runs in ${ms} ms, seed ${seed}`);
  assert.ok(result.numRuns > 50, `only ${result.numRuns} runs`);
}

const FIXED_SEED = 0x5eed16;
/** A new seed each run, logged; FUZZ_SEED=<seed> replays one. */
const FRESH_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;

describe('the recording reader, fuzzed', { timeout: 120_000 }, () => {
  for (const [which, seed] of [
    ['fixed', FIXED_SEED],
    ['fresh', FRESH_SEED],
  ] as const) {
    test(`random bytes (${which} seed ${seed})`, (t) => {
      fuzz(t, 'random bytes', seed, 1500, fc.tuple(fc.constantFrom(...PREFIXES), fc.uint8Array({ maxLength: 2048 }), fc.integer({ min: 1, max: 300 })), ([prefix, noise, chunk]) =>
        checkReader(concatBytes([prefix, noise]), chunk),
      );
    });

    test(`valid recordings with bits flipped, cut short and blocks spliced (${which} seed ${seed})`, (t) => {
      const damaged = fc.tuple(fc.oneof(arbitraryRecording, fc.constant({ bytes: small.bytes, blocks: [...small.blocks] })), fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 300 }));
      fuzz(t, 'mutated recordings', seed, 2500, damaged, ([valid, mutations, chunk]) => {
        checkReader(valid.bytes, chunk);
        assert.equal(referenceRead(valid.bytes).sound, true, 'the valid recording is sound');
        checkReader(
          mutations.reduce((bytes, m) => mutate(bytes, valid.blocks, m), valid.bytes),
          chunk,
        );
      });
    });
  }

  test(`the streaming export of a damaged recording (--keep-going) is the model's export of what could be read (seed ${FRESH_SEED})`, async (t) => {
    const damaged = fc.tuple(arbitraryRecording, fc.array(mutation, { maxLength: 2 }));
    const result = await fc.check(
      fc.asyncProperty(damaged, async ([valid, mutations]) => {
        const bytes = mutations.reduce((b, m) => mutate(b, valid.blocks, m), valid.bytes);
        let text = '';
        const out: TextOut = {
          write: (piece) => {
            text += typeof piece === 'string' ? piece : Buffer.from(piece).toString('utf8');
            return Promise.resolve();
          },
          end: () => Promise.resolve(),
          abort: () => undefined,
        };
        const read = (each: (chunk: Uint8Array) => boolean | Promise<boolean>, limit = Infinity) => Promise.resolve(each(bytes.subarray(0, limit))).then(() => Math.min(limit, bytes.length));
        const exported = await exportChromeTrace(read, () => Promise.resolve(out), { keepGoing: true, sortRunEntries: 4 });
        const { model, problems } = readRecording(bytes);
        assert.equal(exported.problemCount > 0, problems.length > 0);
        assert.equal(exported.events, model.eventCount);
        const lines = (json: string) => json.split('\n').filter((l) => l.startsWith('{"name"')).map((l) => l.replace(/,$/, '')).sort();
        assert.deepEqual(lines(text), lines([...chromeTraceChunks(model)].join('')));
      }),
      { seed: FRESH_SEED, numRuns: 1_000_000, interruptAfterTimeLimit: 2000 },
    );
    if (result.failed) throw new Error(`${fc.defaultReportMessage(result) ?? 'failed'}\n${String(result.errorInstance)}`);
    t.diagnostic(`streaming export, mutated: ${result.numRuns} runs, seed ${FRESH_SEED}`);
  });
});

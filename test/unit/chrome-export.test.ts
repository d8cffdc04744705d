/**
 * Chrome Trace Event export (for Perfetto): valid JSON, a named thread per lane, slices that nest
 * exactly (checked in integer nanoseconds, as Perfetto reads them), instants and counters.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { chromeTraceChunks } from '../../src/core/trace/chromeExport';
import { exportChromeTrace, exportRecordingAsChrome, type TextOut } from '../../src/core/trace/chromeStream';
import { encodeHeader, encodeName, encodeRecords, Kind, TraceSource } from '../../src/core/trace/format';
import { TraceModel } from '../../src/core/trace/model';
import { concatBytes, encodeBlock, encodeRecordingHeader, readRecording } from '../../src/core/trace/recording';
import type { ChunkSource } from '../../src/core/trace/recordingFile';
import { arbitraryRun, feed, record, type StreamRecord } from './trace-model.support';

interface JsonEvent {
  name: string;
  ph: string;
  pid: number;
  tid?: number;
  ts?: number;
  dur?: number;
  s?: string;
  args?: Record<string, unknown>;
}

/** Parses the export; also returns ts/dur as integer ns read from the exact decimal text. */
function parse(model: TraceModel): { events: JsonEvent[]; ns: Map<JsonEvent, { ts: number; dur: number }> } {
  const text = [...chromeTraceChunks(model, 7)].join('');
  const events = (JSON.parse(text) as { traceEvents: JsonEvent[] }).traceEvents;
  const times = [...text.matchAll(/"ts":(-?\d+)\.(\d{3})(?:,"dur":(\d+)\.(\d{3}))?/g)];
  const timed = events.filter((e) => e.ts !== undefined);
  assert.equal(times.length, timed.length, 'every ts is written with exactly three decimals');
  const ns = new Map<JsonEvent, { ts: number; dur: number }>();
  timed.forEach((e, i) => {
    const [, tsWhole, tsFrac, durWhole, durFrac] = times[i];
    const sign = tsWhole.startsWith('-') ? -1 : 1;
    ns.set(e, {
      ts: Number(tsWhole) * 1000 + sign * Number(tsFrac),
      dur: durWhole === undefined ? 0 : Number(durWhole) * 1000 + Number(durFrac),
    });
  });
  return { events, ns };
}

/** Perfetto's rule: on one thread, X slices must nest (a slice ends before its parent does). */
function assertNested(events: JsonEvent[], ns: Map<JsonEvent, { ts: number; dur: number }>): void {
  const byThread = new Map<string, JsonEvent[]>();
  for (const e of events.filter((x) => x.ph === 'X')) {
    const key = `${e.pid}/${e.tid}`;
    byThread.set(key, [...(byThread.get(key) ?? []), e]);
  }
  for (const [thread, slices] of byThread) {
    slices.sort((a, b) => ns.get(a)!.ts - ns.get(b)!.ts || ns.get(b)!.dur - ns.get(a)!.dur);
    const stack: number[] = [];
    for (const slice of slices) {
      const { ts, dur } = ns.get(slice)!;
      assert.ok(dur >= 0, `negative duration on ${thread}`);
      while (stack.length > 0 && stack[stack.length - 1] <= ts) stack.pop();
      if (stack.length > 0) assert.ok(ts + dur <= stack[stack.length - 1], `${slice.name} on ${thread} overlaps its parent`);
      stack.push(ts + dur);
    }
  }
}

const server = (r: ReturnType<typeof record>): StreamRecord => ({ stream: 0, record: r });

/** A recording of a run: both streams' headers and some names, then blocks of up to 3 records in arrival order. */
function recordingOf(run: readonly StreamRecord[]): Uint8Array {
  const head = (source: number, pid: number) => encodeHeader({ source, pid, startNs: 0n, startUnixNs: 0n, clock: 'CLOCK_MONOTONIC' });
  const blocks = [
    encodeRecordingHeader(),
    encodeBlock(0, concatBytes([head(TraceSource.server, 10), encodeName(Kind.NAME_PROCESS, 0, '09-green-threads', 0), encodeName(Kind.NAME_FILE, 1, 'stage/main.c', 0)])),
    encodeBlock(1, concatBytes([head(TraceSource.client, 11), encodeName(Kind.NAME_PROCESS, 0, 'client', 0)])),
  ];
  for (let i = 0; i < run.length; ) {
    let j = i;
    while (j < run.length && j - i < 3 && run[j].stream === run[i].stream) j++;
    blocks.push(encodeBlock(run[i].stream, encodeRecords(run.slice(i, j).map((r) => r.record))));
    // A name that arrives after the records that use it.
    if (i === 0) blocks.push(encodeBlock(0, encodeName(Kind.NAME_LANE, 1, 'main', 0)));
    i = j;
  }
  return concatBytes(blocks);
}

/** The streaming export of bytes held in memory, read in chunks cut at `cuts`. */
async function streamExport(bytes: Uint8Array, cuts: readonly number[], sortRunEntries?: number): Promise<string> {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const read: ChunkSource = async (each, limit = Infinity) => {
    let from = 0;
    for (const p of [...points, bytes.length]) {
      const to = Math.min(p, limit);
      if (to > from && !(await each(bytes.subarray(from, to)))) break;
      from = Math.max(from, to);
    }
    return Math.min(bytes.length, limit);
  };
  let text = '';
  const out: TextOut = {
    write: (t) => {
      text += typeof t === 'string' ? t : Buffer.from(t).toString('utf8');
      return Promise.resolve();
    },
    end: () => Promise.resolve(),
    abort: () => undefined,
  };
  const result = await exportChromeTrace(read, () => Promise.resolve(out), { keepGoing: true, sortRunEntries });
  assert.ok(result.written);
  return text;
}

/** The events of an export as sorted JSON lines: the same content in any order. */
function eventLines(text: string): string[] {
  const parsed = JSON.parse(text) as { traceEvents: unknown[] };
  const lines = text.split('\n').filter((l) => l.startsWith('{"name"')).map((l) => l.replace(/,$/, ''));
  assert.equal(lines.length, parsed.traceEvents.length);
  return lines.sort();
}

describe('chrome trace export', () => {
  it('names every lane, nests waits in the thread, and marks instants and counters', () => {
    const model = feed(new TraceModel(), [
      server(record(1_000, 1, Kind.THREAD_STARTED, 1, -1, 5)),
      server(record(1_500, 1, Kind.SELECT_BEGIN, 4, 7, 9)),
      server(record(2_750, 1, Kind.SELECT_END, 1, 7, 9)),
      server(record(2_751, 1, Kind.READY_FD, 1, 4, 10)),
      server(record(3_000, 1, Kind.CALLBACK_BEGIN, 1, 4, 11)),
      server(record(3_100, 1, Kind.WORK_STARTED, 97, 4, 12)),
      { stream: 1, record: record(1_200, 1, Kind.CLIENT_CONNECT) },
    ]);
    const { events, ns } = parse(model);
    const threads = events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args?.name);
    assert.deepEqual(threads.sort(), ['conn 1 (client)', 'thread 1 (thread)']);
    assert.ok(events.some((e) => e.ph === 'M' && e.name === 'process_name'));
    const wait = events.find((e) => e.name === 'waiting in select')!;
    assert.deepEqual(ns.get(wait), { ts: 500, dur: 1250 }, 'µs with ns precision, from the first event');
    assert.equal(wait.args?.source, 'stage/main.c:9');
    assert.equal(wait.args?.value, 4);
    const work = events.find((e) => e.name === 'doing work')!;
    assert.equal(work.args?.open, true, 'still going at the end of the recording');
    assert.equal(ns.get(work)!.ts + ns.get(work)!.dur, 3_100 - 1_000, 'an open slice ends with the recording');
    const ready = events.find((e) => e.ph === 'i')!;
    assert.equal(ready.name, 'ready fd');
    assert.equal(ready.s, 't');
    assert.ok(events.some((e) => e.ph === 'C' && e.name === 'fdsWatched'));
    assertNested(events, ns);
  });

  it('nests properly for any stream of events', () => {
    fc.assert(
      fc.property(arbitraryRun({ gapFloor: -300 }), (run) => {
        const model = feed(new TraceModel(), run);
        const { events, ns } = parse(model);
        assertNested(events, ns);
        const lanes = events.filter((e) => e.name === 'thread_name').length;
        assert.equal(lanes, model.lanes.length);
      }),
      { numRuns: 150 },
    );
  });

  it('streamed from the recording, writes the same events as from the model, out-of-order green threads included', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryRun({ gapFloor: -300 }), fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), async (run, cuts, spill) => {
        const bytes = recordingOf(run);
        // Records that go back in time on their lane are refused by both readers alike.
        const fromModel = [...chromeTraceChunks(readRecording(bytes).model)].join('');
        const streamed = await streamExport(bytes, cuts, spill ? 3 : undefined);
        assert.deepEqual(eventLines(streamed), eventLines(fromModel));
      }),
      { numRuns: 150 },
    );
  });

  it('streamed to a file: nothing written for a damaged recording unless asked to keep going', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sm-chrome-'));
    try {
      const good = recordingOf([server(record(5, 1, Kind.ACCEPT_BEGIN, 0, 3, 20)), server(record(9, 1, Kind.ACCEPT_END, 4, 3, 20))]);
      const input = join(dir, 'cut.smrec');
      const out = join(dir, 'cut.json');
      await writeFile(input, good.subarray(0, good.length - 3));
      const refused = await exportRecordingAsChrome(input, out);
      assert.equal(refused.written, false);
      assert.equal(refused.problems[0].kind, 'truncated');
      await assert.rejects(readFile(out), /ENOENT/, 'no output');
      const kept = await exportRecordingAsChrome(input, out, { keepGoing: true });
      assert.equal(kept.written, true);
      assert.equal(kept.events, 2, 'both records: the cut is in the lane name written after them');
      assert.ok((JSON.parse(await readFile(out, 'utf8')) as { traceEvents: JsonEvent[] }).traceEvents.some((e) => e.name === 'waiting in accept'));
      assert.deepEqual((await readdir(dir)).sort(), ['cut.json', 'cut.smrec'], 'no partial file left behind');
      await assert.rejects(exportRecordingAsChrome(join(dir, 'missing.smrec'), out), /cannot read .*missing\.smrec: no such file/);
      await writeFile(input, good);
      await assert.rejects(exportRecordingAsChrome(input, join(dir, 'no', 'x.json')), /cannot write .*x\.json: no such file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes a file that parses as JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sm-chrome-'));
    try {
      const input = join(dir, 'trace.smrec');
      await writeFile(input, recordingOf([server(record(5, 1, Kind.ACCEPT_BEGIN, 0, 3, 20)), server(record(9, 1, Kind.ACCEPT_END, 4, 3, 20))]));
      const out = join(dir, 'trace.json');
      await exportRecordingAsChrome(input, out);
      const parsed = JSON.parse(await readFile(out, 'utf8')) as { traceEvents: JsonEvent[]; displayTimeUnit: string };
      assert.equal(parsed.displayTimeUnit, 'ns');
      assert.ok(parsed.traceEvents.some((e) => e.name === 'waiting in accept' && e.dur === 0.004));
      await assert.rejects(exportRecordingAsChrome(input, join(dir, 'missing', 'x.json')), /cannot write .*x\.json: no such file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a write that fails midway is reported as writing the output, not reading the recording', { skip: !existsSync('/dev/full') && 'no /dev/full' }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sm-chrome-'));
    try {
      // Enough events that the output passes the write stream's buffer while the recording is read.
      const run = Array.from({ length: 2000 }, (_, i) => server(record(10 + i, 1, i % 2 ? Kind.RECV_END : Kind.RECV_BEGIN, 0, 4, 30)));
      const input = join(dir, 'run.smrec');
      await writeFile(input, recordingOf(run));
      const out = join(dir, 'run.json');
      // The export writes beside `out` first (chromeStream.ts); a full disk there.
      await symlink('/dev/full', `${out}.${process.pid}.partial`);
      await assert.rejects(exportRecordingAsChrome(input, out), /^ExportFileError: cannot write .*run\.json: no space left on the device$/);
      assert.deepEqual((await readdir(dir)).sort(), ['run.smrec'], 'no output, and the partial file removed');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

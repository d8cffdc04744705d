/**
 * Chrome Trace Event export (for Perfetto): valid JSON, a named thread per lane, slices that nest
 * exactly (checked in integer nanoseconds, as Perfetto reads them), instants and counters.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { chromeTraceChunks, writeChromeTrace } from '../../src/core/trace/chromeExport';
import { Kind } from '../../src/core/trace/format';
import { TraceModel } from '../../src/core/trace/model';
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

  it('writes a file that parses as JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sm-chrome-'));
    try {
      const model = feed(new TraceModel(), [server(record(5, 1, Kind.ACCEPT_BEGIN, 0, 3, 20)), server(record(9, 1, Kind.ACCEPT_END, 4, 3, 20))]);
      const out = join(dir, 'trace.json');
      await writeChromeTrace(model, out);
      const parsed = JSON.parse(await readFile(out, 'utf8')) as { traceEvents: JsonEvent[]; displayTimeUnit: string };
      assert.equal(parsed.displayTimeUnit, 'ns');
      assert.ok(parsed.traceEvents.some((e) => e.name === 'waiting in accept' && e.dur === 0.004));
      await assert.rejects(writeChromeTrace(model, join(dir, 'missing', 'x.json')), /ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The Chrome Trace Event export of a recording read as a stream, in memory bounded by its lanes
 * rather than its events (Node only). The file is read twice: a first pass learns what every
 * line needs and only the whole recording tells (recordingCensus.ts: the earliest time, names
 * that come after their records, which threads turn out to be pool threads), and refuses a
 * damaged recording before anything is written; a second writes each span as it closes and each
 * mark and counter as it comes (spanMachines.ts), so that only the spans still open are held. A
 * green thread's events, which carriers flush out of order, and the dropped counter, a running
 * sum in time order, go through an external sort (eventSort.ts) and are written last.
 *
 * The events are those chromeExport.ts writes from a TraceModel of the same bytes, in another
 * order (Perfetto sorts). A damaged recording writes nothing unless `keepGoing`; then what could
 * be read is written and the problems come back with the result.
 *
 *   const result = await exportRecordingAsChrome('run.smrec', 'run.json', { keepGoing: false });
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import {
  assignPids,
  CHROME_TRACE_CLOSE,
  CHROME_TRACE_OPEN,
  CHROME_TRACE_SEPARATOR,
  chromeEventJson,
  counterEvent,
  instantEvent,
  laneTid,
  processEvents,
  sliceEvent,
  sourceOf,
  threadEvents,
  type ChromeTraceEvent,
} from './chromeExport';
import { EventSorter } from './eventSort';
import type { TraceRecord } from './format';
import { GREEN_KINDS, INSTANT_KINDS, laneKindOf } from './lane';
import { counterOf } from './model';
import { RecordingCensus, type CensusLane } from './recordingCensus';
import { readChunks, type ChunkSource } from './recordingFile';
import { RecordingScanner, type RecordingProblem, type RecordingVisitor } from './recordingScanner';
import { spanMachine, type OpenSpan, type SpanMachine } from './spanMachines';
import { LaneKind, type LaneKindId } from './states';

export interface ChromeExportOptions {
  /** Write what can be read of a damaged recording (default: write nothing). */
  readonly keepGoing?: boolean;
  /** Entries the external sort holds in memory per run (tests make it spill). */
  readonly sortRunEntries?: number;
  /** Where the external sort's temporary file goes. */
  readonly tempDir?: string;
}

export interface ChromeExportResult {
  /** Event records read (and exported, when written): what the recording holds, counted. */
  readonly events: number;
  /** Chrome trace events written (slices, marks, counters, names). */
  readonly traceEvents: number;
  readonly bytes: number;
  /** The first problems found (all are counted in problemCount). */
  readonly problems: readonly RecordingProblem[];
  readonly problemCount: number;
  /** False when the recording was damaged and keepGoing was not given: nothing was written. */
  readonly written: boolean;
}

/** Where text goes, a piece at a time (a string, or UTF-8); write resolves when the next piece may come. */
export interface TextOut {
  write(text: string | Uint8Array): Promise<void>;
  /** Everything is written and the file is closed. */
  end(): Promise<void>;
  /** Gives up: closes without waiting for what is queued. */
  abort(): void;
}

/** A file as a TextOut, honouring backpressure; resolves once the file is open (rejects if it cannot be). */
export async function openTextFile(path: string): Promise<TextOut> {
  const out = createWriteStream(path);
  const failed = once(out, 'error').then(([err]) => {
    throw err as Error;
  });
  failed.catch(() => undefined);
  await Promise.race([once(out, 'open'), failed]);
  return {
    write: async (text) => {
      if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
    },
    end: async () => {
      out.end();
      await Promise.race([once(out, 'close'), failed]);
    },
    abort: () => out.destroy(),
  };
}

/** The recording changed between the two passes (it was still being written, or replaced). */
export class RecordingChangedError extends Error {
  override readonly name = 'RecordingChangedError';
}

/** The dropped counter's entries sort after every green thread's. */
const DROPPED_GROUP = 0xffffffff;
/** Bytes of JSON gathered before they go to the output. */
const OUT_BUFFER_BYTES = 1 << 20;
/** Sorted entries turned into events between two flushes. */
const SORTED_PER_FLUSH = 16_384;

/** Pass two: turns the records into Chrome events as they come. */
class ChromeStreamWriter implements RecordingVisitor {
  private readonly pids: Map<number, number>;
  private readonly kinds: LaneKindId[];
  private readonly tids: number[];
  private readonly machines: (SpanMachine | undefined)[] = [];
  private readonly zero: number;
  private readonly endOfRecording: number;
  private buffer = Buffer.allocUnsafe(OUT_BUFFER_BYTES);
  private used = 0;
  private full: Uint8Array[] = [];
  private arrival = 0;
  traceEvents = 0;

  constructor(
    private readonly census: RecordingCensus,
    private readonly sorter: EventSorter,
    private readonly out: TextOut,
  ) {
    this.zero = Number.isNaN(census.minTime) ? 0 : census.minTime;
    this.endOfRecording = Number.isNaN(census.maxTime) ? 0 : census.maxTime;
    this.pids = assignPids([...census.streams.values()].map((s) => s.process));
    // Each lane's kind at the end of the recording (a pool thread's life is shown as idle).
    this.kinds = census.lanes.map((lane) => laneKindOf(lane.base, lane.evidence));
    this.tids = census.lanes.map((lane, i) => laneTid(this.kinds[i], lane.localId));
  }

  /** Process and thread names: everything about them is known before the first event. */
  begin(): void {
    for (const { process } of this.census.streams.values()) {
      for (const e of processEvents(this.pids.get(process.stream)!, process.name, process.source)) this.emit(e);
    }
    for (const lane of this.census.lanes) {
      for (const e of threadEvents(this.pidOf(lane), this.tids[lane.index], lane.name, this.kinds[lane.index], lane.index)) this.emit(e);
    }
  }

  records(stream: number, records: readonly TraceRecord[]): void {
    const census = this.census;
    const origin = census.originNs;
    const source = census.streams.get(stream)?.process.source ?? changed();
    for (const record of records) {
      const arrival = this.arrival++;
      const lane = census.lane(stream, record.lane, false) ?? changed();
      const time = record.timeNs - origin;
      const kind = record.kind;
      const file = census.fileIndex(stream, record.fileId);
      const event = { time, kind, fd: record.fd, value: record.value, file, line: record.line };
      this.machineOf(lane).apply(event, (depth, span, end) => this.slice(lane, depth, span, end));
      if (INSTANT_KINDS.has(kind)) {
        this.emit(instantEvent(this.pidOf(lane), this.tids[lane.index], kind, time, this.zero, record.fd, record.value, this.source(file, record.line)));
      }
      if (GREEN_KINDS.has(kind)) {
        const green = census.lane(stream, record.value, true) ?? changed();
        this.sorter.add(green.index, green.index, time, arrival, record.value, record.fd, kind, file, record.line);
      }
      const counter = counterOf(kind, source);
      if (counter === 'dropped') this.sorter.add(DROPPED_GROUP, lane.index, time, arrival, record.value, record.fd, kind, file, record.line);
      else if (counter !== undefined) this.emit(counterEvent(counter, this.pidOf(lane), time, this.zero, record.value));
    }
  }

  /** After the last record: the spans still open, then what had to be sorted first. */
  async end(): Promise<void> {
    for (const lane of this.census.lanes) {
      const machine = this.machines[lane.index];
      if (machine) this.openSpans(lane, machine.open);
      this.machines[lane.index] = undefined;
    }
    let green: SpanMachine | undefined;
    let greenLane: CensusLane | undefined;
    let dropped = 0;
    let since = 0;
    for (const e of this.sorter.sorted()) {
      if (e.group === DROPPED_GROUP) {
        dropped += e.value;
        this.emit(counterEvent('dropped', this.pidOf(this.census.lanes[e.lane]), e.time, this.zero, dropped));
      } else {
        if (greenLane?.index !== e.group) {
          if (green && greenLane) this.openSpans(greenLane, green.open);
          greenLane = this.census.lanes[e.group];
          green = spanMachine(LaneKind.green);
        }
        const lane = greenLane;
        green!.apply(e, (depth, span, endTime) => this.slice(lane, depth, span, endTime));
      }
      if (++since === SORTED_PER_FLUSH) {
        since = 0;
        await this.flush();
      }
    }
    if (green && greenLane) this.openSpans(greenLane, green.open);
    this.put(this.traceEvents === 0 ? CHROME_TRACE_OPEN + CHROME_TRACE_CLOSE : CHROME_TRACE_CLOSE);
    await this.flush();
  }

  /** Hands the events gathered so far to the output. */
  async flush(): Promise<void> {
    this.seal();
    const full = this.full;
    this.full = [];
    for (const bytes of full) await this.out.write(bytes);
  }

  /** Puts what the buffer holds on the list to write, and starts a fresh buffer. */
  private seal(): void {
    if (this.used === 0) return;
    this.full.push(this.buffer.subarray(0, this.used));
    this.buffer = Buffer.allocUnsafe(OUT_BUFFER_BYTES);
    this.used = 0;
  }

  private put(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (this.used + 3 * text.length > this.buffer.length) {
      this.seal();
      if (3 * text.length > this.buffer.length) {
        this.full.push(Buffer.from(text));
        return;
      }
    }
    this.used += this.buffer.write(text, this.used);
  }

  private machineOf(lane: CensusLane): SpanMachine {
    let machine = this.machines[lane.index];
    if (!machine) this.machines[lane.index] = machine = spanMachine(lane.base);
    return machine;
  }

  private slice(lane: CensusLane, depth: number, span: OpenSpan, end: number | undefined): void {
    this.emit(
      sliceEvent({
        pid: this.pidOf(lane),
        tid: this.tids[lane.index],
        laneKind: this.kinds[lane.index],
        depth,
        state: span.state,
        start: span.start,
        end,
        endOfRecording: this.endOfRecording,
        value: span.value,
        fd: span.fd,
        source: this.source(span.file, span.line),
        zero: this.zero,
      }),
    );
  }

  private openSpans(lane: CensusLane, open: readonly OpenSpan[]): void {
    open.forEach((span, depth) => this.slice(lane, depth, span, undefined));
  }

  private source(file: number, line: number): string {
    return sourceOf(this.census.files[file], line);
  }

  private pidOf(lane: CensusLane): number {
    return this.pids.get(lane.stream) ?? 1 + lane.stream;
  }

  /**
   * Encodes an event into the output buffer at once: joining millions of small strings later
   * cost more than making them, and kept for a whole chunk of the file they outlived the young
   * generation.
   */
  private emit(event: ChromeTraceEvent): void {
    this.put(this.traceEvents === 0 ? CHROME_TRACE_OPEN : CHROME_TRACE_SEPARATOR);
    this.put(chromeEventJson(event));
    this.traceEvents++;
  }
}

function changed(): never {
  throw new RecordingChangedError('the recording changed while it was being exported (is it still being written?)');
}

/**
 * Exports a recording whose bytes `read` gives (the same bytes each time it is called) to the
 * output `open` makes, in two passes. Nothing is opened for a damaged recording unless keepGoing.
 */
export async function exportChromeTrace(read: ChunkSource, open: () => Promise<TextOut>, options: ChromeExportOptions = {}): Promise<ChromeExportResult> {
  const keepGoing = options.keepGoing ?? false;
  const census = new RecordingCensus();
  const survey = new RecordingScanner(census, { stopAtFirstProblem: !keepGoing });
  const bytes = await read((chunk) => {
    survey.push(chunk);
    return !survey.stopped;
  });
  survey.finish();
  const summary = { events: survey.events, bytes, problems: survey.problems, problemCount: survey.problemCount };
  if (survey.problemCount > 0 && !keepGoing) return { ...summary, traceEvents: 0, written: false };

  const out = await open();
  const sorter = new EventSorter({ runEntries: options.sortRunEntries, tempDir: options.tempDir });
  try {
    const writer = new ChromeStreamWriter(census, sorter, out);
    const scanner = new RecordingScanner(writer);
    writer.begin();
    await read(async (chunk) => {
      scanner.push(chunk);
      await writer.flush();
      return true;
    }, bytes);
    scanner.finish();
    if (scanner.events !== survey.events || scanner.problemCount !== survey.problemCount) changed();
    await writer.end();
    await out.end();
    return { ...summary, traceEvents: writer.traceEvents, written: true };
  } catch (err) {
    out.abort();
    throw err;
  } finally {
    sorter.dispose();
  }
}

/** Why a file could not be read or written, in one line (not the recording's damage). */
export class ExportFileError extends Error {
  override readonly name = 'ExportFileError';
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const messages: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', EISDIR: 'is a directory', ENOSPC: 'no space left on the device' };
  return (code && messages[code]) ?? (err instanceof Error ? err.message : String(err));
}

/**
 * Exports a recording file to a Chrome Trace JSON file. The JSON goes to a temporary file beside
 * `output` that replaces it once complete, so an export that fails leaves no half-written file.
 */
export async function exportRecordingAsChrome(input: string, output: string, options: ChromeExportOptions = {}): Promise<ChromeExportResult> {
  const partial = `${output}.${process.pid}.partial`;
  let opened = false;
  const read: ChunkSource = async (each, limit) => {
    // What `each` throws is the export's (a write that failed, a full temporary folder, the
    // recording changed), not the input's: only readChunks' own errors are about reading.
    let passed: unknown;
    const take = async (chunk: Uint8Array): Promise<boolean> => {
      try {
        return await each(chunk);
      } catch (err) {
        passed = err;
        throw err;
      }
    };
    try {
      return await readChunks(input, take, { limit });
    } catch (err) {
      if (err === passed || !(err as NodeJS.ErrnoException).code) throw err;
      throw new ExportFileError(`cannot read ${input}: ${reason(err)}`);
    }
  };
  const open = async (): Promise<TextOut> => {
    try {
      const out = await openTextFile(partial);
      opened = true;
      return out;
    } catch (err) {
      throw new ExportFileError(`cannot write ${output}: ${reason(err)}`);
    }
  };
  try {
    const result = await exportChromeTrace(read, open, options);
    if (result.written) await rename(partial, output);
    return result;
  } catch (err) {
    if (opened) await rm(partial, { force: true });
    if ((err as NodeJS.ErrnoException).code && !(err instanceof ExportFileError)) throw new ExportFileError(`cannot write ${output}: ${reason(err)}`);
    throw err;
  }
}

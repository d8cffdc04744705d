/**
 * Sorts event entries by (group, time, arrival) in bounded memory (Node only): entries gather
 * in a run of fixed size, a full run is sorted and written to a temporary file, and the runs are
 * merged back in order at the end. Entries that never fill a run are sorted in memory, and no
 * file is made.
 *
 * The streaming export needs this for what only a whole-recording order gives: a green thread's
 * events (carriers flush out of order) and the running sum of dropped events.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One entry; the object sorted() yields is reused, so copy what must outlive the next. */
export interface SortEntry {
  group: number;
  lane: number;
  time: number;
  arrival: number;
  value: number;
  fd: number;
  kind: number;
  file: number;
  line: number;
}

export interface EventSorterOptions {
  /** Entries held in memory before a run goes to disk (default 262,144: about 13 MB). */
  readonly runEntries?: number;
  /** Where the temporary file goes (default: the system's temp folder). */
  readonly tempDir?: string;
}

/** Bytes of an entry on disk: three float64, six 32-bit integers, padded to 8. */
const ROW = 48;
/** Rows read or written at once. */
const IO_ROWS = 4096;
/** What the merge's read buffers take together, at most (each run gets a share, 64 rows at least). */
const MERGE_BUFFER_BYTES = 16 * 1024 * 1024;

class Run {
  readonly time: Float64Array;
  readonly arrival: Float64Array;
  readonly value: Float64Array;
  readonly group: Uint32Array;
  readonly lane: Uint32Array;
  readonly fd: Int32Array;
  readonly kind: Uint32Array;
  readonly file: Uint32Array;
  readonly line: Uint32Array;
  length = 0;

  constructor(readonly capacity: number) {
    this.time = new Float64Array(capacity);
    this.arrival = new Float64Array(capacity);
    this.value = new Float64Array(capacity);
    this.group = new Uint32Array(capacity);
    this.lane = new Uint32Array(capacity);
    this.fd = new Int32Array(capacity);
    this.kind = new Uint32Array(capacity);
    this.file = new Uint32Array(capacity);
    this.line = new Uint32Array(capacity);
  }

  /** Indices of the entries in key order. */
  order(): Uint32Array {
    const { group, time, arrival } = this;
    const order = new Uint32Array(this.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    return order.sort((a, b) => group[a] - group[b] || time[a] - time[b] || arrival[a] - arrival[b]);
  }

  copyTo(i: number, entry: SortEntry): void {
    entry.group = this.group[i];
    entry.lane = this.lane[i];
    entry.time = this.time[i];
    entry.arrival = this.arrival[i];
    entry.value = this.value[i];
    entry.fd = this.fd[i];
    entry.kind = this.kind[i];
    entry.file = this.file[i];
    entry.line = this.line[i];
  }
}

function writeRow(view: DataView, at: number, e: SortEntry): void {
  view.setFloat64(at, e.time, true);
  view.setFloat64(at + 8, e.arrival, true);
  view.setFloat64(at + 16, e.value, true);
  view.setUint32(at + 24, e.group, true);
  view.setUint32(at + 28, e.lane, true);
  view.setInt32(at + 32, e.fd, true);
  view.setUint32(at + 36, e.kind, true);
  view.setUint32(at + 40, e.file, true);
  view.setUint32(at + 44, e.line, true);
}

function readRow(view: DataView, at: number, e: SortEntry): void {
  e.time = view.getFloat64(at, true);
  e.arrival = view.getFloat64(at + 8, true);
  e.value = view.getFloat64(at + 16, true);
  e.group = view.getUint32(at + 24, true);
  e.lane = view.getUint32(at + 28, true);
  e.fd = view.getInt32(at + 32, true);
  e.kind = view.getUint32(at + 36, true);
  e.file = view.getUint32(at + 40, true);
  e.line = view.getUint32(at + 44, true);
}

function emptyEntry(): SortEntry {
  return { group: 0, lane: 0, time: 0, arrival: 0, value: 0, fd: 0, kind: 0, file: 0, line: 0 };
}

function before(a: SortEntry, b: SortEntry): boolean {
  return a.group < b.group || (a.group === b.group && (a.time < b.time || (a.time === b.time && a.arrival < b.arrival)));
}

/** A run on disk, read back a slice at a time. */
class RunReader {
  readonly entry = emptyEntry();
  private readonly buffer: Uint8Array;
  private readonly view: DataView;
  private next = 0;
  private loaded = 0;
  private at = 0;

  constructor(
    private readonly fd: number,
    private readonly start: number,
    private readonly rows: number,
    private readonly bufferRows: number,
  ) {
    this.buffer = new Uint8Array(bufferRows * ROW);
    this.view = new DataView(this.buffer.buffer);
  }

  /** Moves to the next entry; false at the end of the run. */
  advance(): boolean {
    if (this.at === this.rows) return false;
    if (this.next === this.loaded) {
      const rows = Math.min(this.bufferRows, this.rows - this.at);
      readSync(this.fd, this.buffer, 0, rows * ROW, this.start + this.at * ROW);
      this.loaded = rows;
      this.next = 0;
    }
    readRow(this.view, this.next * ROW, this.entry);
    this.next++;
    this.at++;
    return true;
  }
}

export class EventSorter {
  private readonly run: Run;
  private dir: string | undefined;
  private fd: number | undefined;
  /** Rows already on disk, per run. */
  private readonly runs: number[] = [];
  private spilled = 0;
  private readonly scratch = emptyEntry();

  constructor(private readonly options: EventSorterOptions = {}) {
    this.run = new Run(Math.max(1, options.runEntries ?? 1 << 18));
  }

  add(group: number, lane: number, time: number, arrival: number, value: number, fd: number, kind: number, file: number, line: number): void {
    const run = this.run;
    const i = run.length++;
    run.group[i] = group;
    run.lane[i] = lane;
    run.time[i] = time;
    run.arrival[i] = arrival;
    run.value[i] = value;
    run.fd[i] = fd;
    run.kind[i] = kind;
    run.file[i] = file;
    run.line[i] = line;
    if (run.length === run.capacity) this.spill();
  }

  /** Every entry in key order. Call once, after the last add. */
  *sorted(): Generator<SortEntry> {
    if (this.runs.length === 0) {
      const order = this.run.order();
      for (let i = 0; i < order.length; i++) {
        this.run.copyTo(order[i], this.scratch);
        yield this.scratch;
      }
      return;
    }
    if (this.run.length > 0) this.spill();
    const fd = this.fd!;
    let start = 0;
    const heap: RunReader[] = [];
    const bufferRows = Math.max(64, Math.min(IO_ROWS, Math.floor(MERGE_BUFFER_BYTES / (this.runs.length * ROW))));
    for (const rows of this.runs) {
      const reader = new RunReader(fd, start, rows, bufferRows);
      start += rows * ROW;
      if (reader.advance()) heap.push(reader);
    }
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
    while (heap.length > 0) {
      const top = heap[0];
      yield top.entry;
      if (!top.advance()) {
        const last = heap.pop()!;
        if (heap.length === 0) break;
        heap[0] = last;
      }
      siftDown(heap, 0);
    }
  }

  /** Removes the temporary file, if one was made. */
  dispose(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
    this.fd = undefined;
    this.dir = undefined;
  }

  private spill(): void {
    if (this.fd === undefined) {
      this.dir = mkdtempSync(join(this.options.tempDir ?? tmpdir(), 'server-models-sort-'));
      this.fd = openSync(join(this.dir, 'runs'), 'w+', 0o600);
    }
    const run = this.run;
    const order = run.order();
    const buffer = new Uint8Array(IO_ROWS * ROW);
    const view = new DataView(buffer.buffer);
    let position = this.spilled * ROW;
    for (let from = 0; from < order.length; from += IO_ROWS) {
      const rows = Math.min(IO_ROWS, order.length - from);
      for (let r = 0; r < rows; r++) {
        run.copyTo(order[from + r], this.scratch);
        writeRow(view, r * ROW, this.scratch);
      }
      writeSync(this.fd, buffer, 0, rows * ROW, position);
      position += rows * ROW;
    }
    this.runs.push(order.length);
    this.spilled += order.length;
    run.length = 0;
  }
}

function siftDown(heap: RunReader[], from: number): void {
  let i = from;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= heap.length) return;
    const right = left + 1;
    const child = right < heap.length && before(heap[right].entry, heap[left].entry) ? right : left;
    if (!before(heap[child].entry, heap[i].entry)) return;
    [heap[i], heap[child]] = [heap[child], heap[i]];
    i = child;
  }
}

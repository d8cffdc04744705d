/**
 * Recordings read into a TraceModel, chunk by chunk, the same way whether the bytes come live
 * from the sink or from a file, in the extension host or in the panel. The container format is
 * recordingFormat.ts (re-exported here); reading its structure, and finding every way it can be
 * damaged, is recordingScanner.ts. Lanes become unique by their stream; the model puts every
 * stream on one time axis (they share the trace clock). Plain TypeScript: the panel reads
 * recordings too.
 */
import { RECORD_SIZE } from './format';
import { TraceModel } from './model';
import { describeProblem, RecordingScanner } from './recordingScanner';

// Recordings join bytes as traces do; callers may take the one function from here too.
export { concatBytes } from './format';
export {
  BLOCK_HEADER_SIZE,
  encodeBlock,
  encodeRecordingHeader,
  RECORDING_HEADER_SIZE,
  RECORDING_MAGIC,
  RECORDING_VERSION,
} from './recordingFormat';

/**
 * Reads a recording (or a plain trace stream) chunk by chunk into a TraceModel. Chunks may split
 * anything anywhere. Damage never throws: it is listed in `problems` (one line each, with its
 * byte offset), and what could be read is kept.
 */
export class RecordingReader {
  readonly problems: string[] = [];
  private readonly scanner: RecordingScanner;
  private finished = false;

  constructor(readonly model: TraceModel = new TraceModel()) {
    this.scanner = new RecordingScanner({
      stream: (stream, header, names) => model.addStream(stream, header, names),
      records: (stream, records) => {
        if (records.length > 0) model.addBatch(stream, records);
        // Names may arrive after the records that use them (a thread names itself later).
        model.refreshNames(stream);
      },
    });
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    // At most one event per 32 bytes: one allocation for a whole file, not a doubling per
    // power of two (at ten million events, the copies were a third of the time to open).
    this.model.reserve(this.model.eventCount + Math.ceil(chunk.length / RECORD_SIZE));
    this.scanner.push(chunk);
    this.takeProblems();
  }

  /** Call at the end of the file: reports what was cut off. */
  finish(): readonly string[] {
    if (this.finished) return this.problems;
    this.finished = true;
    this.scanner.finish();
    this.takeProblems();
    const untold = this.scanner.problemCount - this.scanner.problems.length;
    if (untold > 0) this.problems.push(`and ${untold} more problems like these`);
    return this.problems;
  }

  private takeProblems(): void {
    const found = this.scanner.problems;
    for (let i = this.problems.length; i < found.length; i++) this.problems.push(describeProblem(found[i]));
  }
}

/** Reads a whole recording (or trace) held in memory. */
export function readRecording(bytes: Uint8Array): { model: TraceModel; problems: readonly string[] } {
  const reader = new RecordingReader();
  reader.push(bytes);
  return { model: reader.model, problems: reader.finish() };
}

/**
 * What a recording holds apart from its events, learned in one pass over its records in memory
 * bounded by its lanes: the streams and their processes, every lane in the order the model
 * numbers them with its final name and kind, the source files, and the time range. A streaming
 * reader needs all of it before it writes its first line (every time is relative to the
 * earliest event, names may come after the records that use them, and a pool thread is known as
 * one only at its end).
 *
 * It numbers lanes, files and times as TraceModel does (model.ts addStream, addBatch, laneFor,
 * fileFor) and names and kinds them with the model's own functions (processOfStream,
 * firstLaneName, firstFileName, applyNewNames; lane.ts kindEvidence, laneKindOf), so that a
 * streaming export and one from a model agree.
 */
import type { TraceHeader, TraceNames, TraceRecord } from './format';
import { GREEN_KINDS, kindEvidence } from './lane';
import { applyNewNames, firstFileName, firstLaneName, processOfStream, type TraceProcess } from './model';
import type { RecordingVisitor } from './recordingScanner';
import { LaneKind, type LaneKindId } from './states';

export interface CensusLane {
  /** The model's lane index. */
  readonly index: number;
  readonly stream: number;
  /** The process's own lane number, or the green thread's id. */
  readonly localId: number;
  /** Thread, client or green: what the lane is before its events say more. */
  readonly base: LaneKindId;
  /** The kindEvidence of its events, or-ed: lane.ts laneKindOf(base, evidence) is its kind at the end. */
  evidence: number;
  name: string;
}

export interface CensusStream {
  readonly process: TraceProcess;
  /** The decoder's names: final once the pass is over. */
  readonly names: TraceNames;
  readonly lanes: Map<number, CensusLane>;
  readonly greens: Map<number, CensusLane>;
  /** file_id -> the model's file index. */
  readonly files: Map<number, number>;
  /** How many names the last refresh saw (TraceModel.refreshNames). */
  namesSeen: number;
}

export class RecordingCensus implements RecordingVisitor {
  /** In the order their headers were read: the model's order of processes. */
  readonly streams = new Map<number, CensusStream>();
  readonly lanes: CensusLane[] = [];
  /** Source files by the model's file index; index 0 is "no source". */
  readonly files: string[] = [''];
  /** Trace-clock ns of time 0: the first stream header's start. */
  originNs = 0;
  /** Earliest and latest event time on the model's axis (NaN while empty). */
  minTime = NaN;
  maxTime = NaN;

  stream(stream: number, header: TraceHeader, names: TraceNames): void {
    if (this.streams.size === 0) this.originNs = Number(header.startNs);
    this.streams.set(stream, { process: processOfStream(stream, header, names), names, lanes: new Map(), greens: new Map(), files: new Map(), namesSeen: -1 });
  }

  records(stream: number, records: readonly TraceRecord[]): void {
    const context = this.streams.get(stream);
    if (!context) return;
    const base = context.process.source === 'client' ? LaneKind.client : LaneKind.thread;
    let minTime = this.minTime;
    let maxTime = this.maxTime;
    for (const record of records) {
      const time = record.timeNs - this.originNs;
      const kind = record.kind;
      this.laneFor(context, record.lane, base).evidence |= kindEvidence(kind);
      if (record.fileId !== 0) this.fileFor(context, record.fileId);
      if (GREEN_KINDS.has(kind)) this.laneFor(context, record.value, LaneKind.green);
      if (!(time >= minTime)) minTime = time;
      if (!(time <= maxTime)) maxTime = time;
    }
    this.minTime = minTime;
    this.maxTime = maxTime;
    // Names that arrived since: applied as TraceModel.refreshNames applies them.
    applyNewNames(context, this.files, (name) => (context.process.name = name));
  }

  /** The lane a record of `stream` is on (or the green thread it concerns); undefined if unseen. */
  lane(stream: number, localId: number, green: boolean): CensusLane | undefined {
    const context = this.streams.get(stream);
    return green ? context?.greens.get(localId) : context?.lanes.get(localId);
  }

  /** The model's file index of a stream's file_id (0 for none). */
  fileIndex(stream: number, fileId: number): number {
    return fileId === 0 ? 0 : (this.streams.get(stream)?.files.get(fileId) ?? 0);
  }

  private laneFor(context: CensusStream, localId: number, base: LaneKindId): CensusLane {
    const map = base === LaneKind.green ? context.greens : context.lanes;
    let lane = map.get(localId);
    if (!lane) {
      lane = { index: this.lanes.length, stream: context.process.stream, localId, base, evidence: 0, name: firstLaneName(context.names, base, localId) };
      this.lanes.push(lane);
      map.set(localId, lane);
    }
    return lane;
  }

  private fileFor(context: CensusStream, fileId: number): void {
    if (context.files.has(fileId)) return;
    context.files.set(fileId, this.files.length);
    this.files.push(firstFileName(context.names, fileId));
  }
}

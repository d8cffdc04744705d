/**
 * What a recording holds apart from its events, learned in one pass over its records in memory
 * bounded by its lanes: the streams and their processes, every lane in the order the model
 * numbers them with its final name and kind, the source files, and the time range. A streaming
 * reader needs all of it before it writes its first line (every time is relative to the
 * earliest event, and a pool thread is known as one only at its end).
 *
 * It numbers and names lanes, files and times exactly as TraceModel does (model.ts addStream,
 * addBatch, laneFor, fileFor, refreshNames; lane.ts Lane.kind), so that a streaming export and
 * one from a model agree.
 */
import { Kind, TraceSource, type TraceHeader, type TraceNames, type TraceRecord } from './format';
import { GREEN_KINDS, IO_WAITS } from './lane';
import { applyNewNames } from './model';
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
  sawMount: boolean;
  sawWork: boolean;
  sawIoWait: boolean;
  name: string;
}

export interface CensusStream {
  readonly stream: number;
  readonly header: TraceHeader;
  readonly source: 'server' | 'client';
  /** The decoder's names: final once the pass is over. */
  readonly names: TraceNames;
  readonly lanes: Map<number, CensusLane>;
  readonly greens: Map<number, CensusLane>;
  /** file_id -> the model's file index. */
  readonly files: Map<number, number>;
  processName: string;
  /** How many names the last refresh saw (TraceModel.refreshNames). */
  namesSeen: number;
}

/** A lane's kind once all its events are known, as Lane.kind decides it. */
export function finalLaneKind(lane: CensusLane): LaneKindId {
  if (lane.base !== LaneKind.thread) return lane.base;
  if (lane.sawMount) return LaneKind.carrier;
  if (lane.sawWork && !lane.sawIoWait) return LaneKind.pool;
  return LaneKind.thread;
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
  events = 0;

  stream(stream: number, header: TraceHeader, names: TraceNames): void {
    if (this.streams.size === 0) this.originNs = Number(header.startNs);
    const source = header.source === TraceSource.client ? 'client' : 'server';
    const processName = names.process ?? (source === 'client' ? 'client' : `pid ${header.pid}`);
    this.streams.set(stream, { stream, header, source, names, lanes: new Map(), greens: new Map(), files: new Map(), processName, namesSeen: -1 });
  }

  records(stream: number, records: readonly TraceRecord[]): void {
    const context = this.streams.get(stream);
    if (!context) return;
    const base = context.source === 'client' ? LaneKind.client : LaneKind.thread;
    let minTime = this.minTime;
    let maxTime = this.maxTime;
    for (const record of records) {
      const time = record.timeNs - this.originNs;
      const lane = this.laneFor(context, record.lane, base);
      const kind = record.kind;
      if (kind === Kind.GREEN_MOUNTED) lane.sawMount = true;
      else if (kind === Kind.WORK_STARTED) lane.sawWork = true;
      else if (IO_WAITS.has(kind)) lane.sawIoWait = true;
      if (record.fileId !== 0) this.fileFor(context, record.fileId);
      if (GREEN_KINDS.has(kind)) this.laneFor(context, record.value, LaneKind.green);
      if (!(time >= minTime)) minTime = time;
      if (!(time <= maxTime)) maxTime = time;
    }
    this.minTime = minTime;
    this.maxTime = maxTime;
    this.events += records.length;
    this.refreshNames(context);
  }

  /** Names that arrived since: applied as TraceModel.refreshNames applies them (when their count changes). */
  private refreshNames(context: CensusStream): void {
    applyNewNames(context, this.files, (name) => (context.processName = name));
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
      const name =
        base === LaneKind.green ? `green ${localId}` : (context.names.lanes.get(localId) ?? (base === LaneKind.client ? `conn ${localId}` : `thread ${localId}`));
      lane = { index: this.lanes.length, stream: context.stream, localId, base, sawMount: false, sawWork: false, sawIoWait: false, name };
      this.lanes.push(lane);
      map.set(localId, lane);
    }
    return lane;
  }

  private fileFor(context: CensusStream, fileId: number): void {
    if (context.files.has(fileId)) return;
    context.files.set(fileId, this.files.length);
    this.files.push(context.names.files.get(fileId) ?? `file ${fileId}`);
  }
}

/**
 * Every trace event of a recording, in arrival order, in columns. An event's arrival index is
 * its identity: spans, counters and the step cursor refer to events by it.
 */
import { F64Column, I32Column, U32Column } from './columns';

export class EventTable {
  /** ns on the recording's axis (see TraceModel.originNs). */
  readonly time = new F64Column(1024);
  /** The model's lane index (unique across the recording's processes). */
  readonly lane = new U32Column(1024);
  readonly kind = new U32Column(1024);
  readonly fd = new I32Column(1024);
  readonly value = new F64Column(1024);
  /** Index into TraceModel.files (0 = no source). */
  readonly file = new U32Column(1024);
  readonly line = new U32Column(1024);

  get length(): number {
    return this.time.length;
  }

  reserve(capacity: number): void {
    for (const column of [this.time, this.lane, this.kind, this.fd, this.value, this.file, this.line]) column.reserve(capacity);
  }

  push(time: number, lane: number, kind: number, fd: number, value: number, file: number, line: number): number {
    this.lane.push(lane);
    this.kind.push(kind);
    this.fd.push(fd);
    this.value.push(value);
    this.file.push(file);
    this.line.push(line);
    return this.time.push(time);
  }
}

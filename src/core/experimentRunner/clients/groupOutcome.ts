/**
 * What a client group leaves behind for the measures: per connection, when things happened
 * (performance.now() ms of this process) and how it ended, and the group's reply latencies.
 */
import { type Histogram } from 'hdr-histogram-js';
import { createLatencyHistogram } from '../../bench/histogram';

export interface ConnectionRecord {
  /** The connect was started. */
  readonly startMs: number;
  connectedMs?: number;
  /** The `*` arrived. */
  ackMs?: number;
  /** The connection was done: we closed it, or the server did, or it failed. */
  endMs?: number;
  /** The server closed or reset it before any `*`. */
  refused: boolean;
  /** The server's words when it refused with a line in place of the `*` (02: "busy: ..."). */
  refusal?: string;
  /** The script ran to its end with every reply right. */
  completed: boolean;
  /** Work request sent to its reply, ms. */
  workMs?: number;
  /** The first thing that went wrong, if anything did. */
  problem?: string;
}

export class GroupOutcome {
  readonly connections: ConnectionRecord[] = [];
  /** Frame reply latencies (echo: from the intended send time; ping-pong: from the send). */
  readonly latency: Histogram = createLatencyHistogram();
  replies = 0;

  constructor(readonly label: string) {}

  /** A new connection's record, started now. */
  open(startMs: number): ConnectionRecord {
    const record: ConnectionRecord = { startMs, refused: false, completed: false };
    this.connections.push(record);
    return record;
  }

  release(): void {
    this.latency.destroy();
  }
}

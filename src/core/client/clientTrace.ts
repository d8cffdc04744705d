/**
 * The client's side of a recording: its events encoded as a trace stream (trace/format.ts, the
 * mirror of servers/common/trace.h) on the same clock as the stage's, one lane per connection
 * (lane N is connN). Written to the trace sink's stream during `run --trace`, or to a plain trace
 * file by `client --trace`, which a recording reader opens as a recording of one stream.
 */
import { encodeHeader, encodeName, encodeRecord, Kind, traceClockName, TraceSource } from '../trace/format';
import type { ClientEvent } from './clientEvent';

const KIND_OF: Readonly<Record<Exclude<ClientEvent['kind'], 'note'>, number>> = {
  connecting: Kind.CLIENT_CONNECT,
  connect: Kind.CLIENT_CONNECTED,
  ack: Kind.CLIENT_ACK,
  send: Kind.CLIENT_SEND,
  receive: Kind.CLIENT_RECEIVE,
  close: Kind.CLIENT_CLOSE,
  error: Kind.CLIENT_CLOSE,
};

export class ClientTraceWriter {
  private readonly named = new Set<number>();

  /** Writes the stream header and the process name at once. */
  constructor(private readonly write: (bytes: Uint8Array) => void) {
    const startNs = process.hrtime.bigint();
    write(encodeHeader({ source: TraceSource.client, pid: process.pid, startNs, startUnixNs: BigInt(Date.now()) * 1_000_000n, clock: traceClockName(process.platform) }));
    write(encodeName(Kind.NAME_PROCESS, 0, 'client', startNs));
  }

  event(e: ClientEvent): void {
    // A scenario's commentary is for the terminal; the trace has the events it talks about.
    if (e.kind === 'note') return;
    if (!this.named.has(e.conn)) {
      this.named.add(e.conn);
      this.write(encodeName(Kind.NAME_LANE, e.conn, `conn${e.conn}`, e.monoNs));
    }
    const value =
      e.kind === 'connect' ? (e.localPort ?? 0) :
      e.kind === 'send' || e.kind === 'receive' ? (e.bytes?.length ?? 0) :
      e.kind === 'error' ? 1 : 0;
    this.write(encodeRecord({ timeNs: e.monoNs, lane: e.conn, kind: KIND_OF[e.kind], value }));
  }
}

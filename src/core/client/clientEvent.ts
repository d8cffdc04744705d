/**
 * What the notes' client reports as it goes: one event per step of each connection. The command
 * line prints `line`; the extension shows it in a terminal and records the events on the trace's
 * time axis (`monoNs` is process.hrtime's clock, the one the stages' trace uses).
 */
export type ClientEventKind =
  /** TCP connect starts. */
  | 'connecting'
  /** TCP connect finished (the server may not be serving us yet: serial stages keep us in the backlog). */
  | 'connect'
  /** The server's `*` arrived: we are being served. Logged as `connected...`, like the notes. */
  | 'ack'
  | 'send'
  | 'receive'
  /** We close the connection. Logged as `disconnecting`. */
  | 'close'
  | 'error'
  /**
   * A line only, no trace record: a lesson scenario saying what is about to happen
   * (`conn3 asks: is ... prime?`). `conn` is the connection it is about, or -1 for the scenario.
   */
  | 'note';

export interface ClientEvent {
  readonly kind: ClientEventKind;
  /** Connection index: `conn0` is 0. */
  readonly conn: number;
  /** Wall clock, for the log line. */
  readonly at: Date;
  /** Monotonic ns (process.hrtime.bigint()), for the recording. */
  readonly monoNs: bigint;
  /** The bytes sent or received. */
  readonly bytes?: Buffer;
  /** `connect`: our local port, which the server's trace shows as the peer it accepted. */
  readonly localPort?: number;
  /** The notes-style log line for this event, if it has one (`connect` has none). */
  readonly line?: string;
}

/** Why a connection of the notes' client failed; `message` names the connection and, for reply problems, the offset. */
export type ClientFailureKind =
  | 'refused'
  | 'connect-timeout'
  | 'ack-timeout'
  | 'bad-ack'
  | 'reply-timeout'
  | 'closed'
  | 'reset'
  | 'differs'
  | 'extra'
  | 'aborted'
  | 'other';

export interface ClientFailure {
  readonly conn: number;
  readonly kind: ClientFailureKind;
  /** Offset in the joined reply stream (ack excluded) of the first wrong or missing byte. */
  readonly offset?: number;
  readonly message: string;
}

/**
 * The notes' test client as a library: `connections` connections at once, each running the notes'
 * conversation, then `Elapsed: <seconds>`. The command line (`server-models run` / `client`) and
 * the extension's client terminal both use this; they differ only in where the lines go.
 */
import { performance } from 'node:perf_hooks';
import { NOTES_CONVERSATION } from '../protocol';
import type { ClientEvent, ClientFailure } from './clientEvent';
import { elapsedLine } from './logLine';
import { NotesConnection, type ConnectionDeadlines, type ConversationStep } from './notesConnection';

export interface NotesClientOptions {
  readonly host?: string;
  readonly port: number;
  /** Connections opened at once (the notes' `-n`). */
  readonly connections?: number;
  readonly conversation?: readonly ConversationStep[];
  readonly deadlines?: Partial<ConnectionDeadlines>;
  readonly signal?: AbortSignal;
  /** Every event of every connection, in the order they happen; `line` is what to print. */
  readonly onEvent?: (event: ClientEvent) => void;
}

export interface NotesClientResult {
  readonly ok: boolean;
  readonly elapsedSeconds: number;
  /** `Elapsed: 2.2252049446105957` */
  readonly elapsedLine: string;
  /** One per failed connection, in connection order. */
  readonly failures: readonly ClientFailure[];
}

export const DEFAULT_CONNECTIONS = 5;

/**
 * Deadlines that never cut a healthy run short: a serial stage serves one conversation (~2.2 s)
 * at a time, so the last of n clients waits about 2.2 s × (n - 1) for its ack.
 */
export function defaultDeadlines(connections: number): ConnectionDeadlines {
  return { connectMs: 5_000, ackMs: 10_000 + 3_000 * connections, replyMs: 5_000 };
}

export async function runNotesClient(options: NotesClientOptions): Promise<NotesClientResult> {
  const connections = options.connections ?? DEFAULT_CONNECTIONS;
  if (!Number.isInteger(connections) || connections < 1) throw new RangeError(`connections must be a positive integer, got ${connections}`);
  const deadlines = { ...defaultDeadlines(connections), ...options.deadlines };
  const emit = options.onEvent ?? (() => undefined);
  const start = performance.now();
  const outcomes = await Promise.all(
    Array.from({ length: connections }, (_, index) =>
      new NotesConnection(index, {
        host: options.host ?? '127.0.0.1',
        port: options.port,
        conversation: options.conversation ?? NOTES_CONVERSATION,
        deadlines,
        emit,
        ...(options.signal ? { signal: options.signal } : {}),
      }).run(),
    ),
  );
  const elapsedSeconds = (performance.now() - start) / 1000;
  const failures = outcomes.filter((f): f is ClientFailure => f !== undefined);
  return { ok: failures.length === 0, elapsedSeconds, elapsedLine: elapsedLine(elapsedSeconds), failures };
}

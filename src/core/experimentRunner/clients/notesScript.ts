/**
 * The notes' conversation as an experiment script: the notes client's own connection
 * (client/notesConnection.ts), with every byte checked, plus a hold at the end. Its events give
 * the record its connect and ack times.
 */
import { performance } from 'node:perf_hooks';
import { defaultDeadlines } from '../../client/notesClient';
import { NotesConnection, type ConversationStep } from '../../client/notesConnection';
import { type ClientScript } from '../../experiments';
import { NOTES_CONVERSATION } from '../../protocol';
import { type ConnectionRecord } from './groupOutcome';

export interface NotesScriptTarget {
  readonly host: string;
  readonly port: number;
  readonly signal: AbortSignal;
  /** Connections in the group: a serial stage keeps the last one waiting for its turn that much longer. */
  readonly groupSize: number;
  /** Called once the TCP connect is over, either way (frees a connect slot). */
  readonly onConnectSettled: () => void;
}

function conversation(holdMs: number | undefined): readonly ConversationStep[] {
  // Staying connected is one more pause after the last piece, with nothing sent.
  return holdMs ? [...NOTES_CONVERSATION, { send: '', waitMs: holdMs }] : NOTES_CONVERSATION;
}

export async function runNotes(
  index: number,
  script: Extract<ClientScript, { kind: 'notes' }>,
  record: ConnectionRecord,
  target: NotesScriptTarget,
): Promise<void> {
  let settled = false;
  const connectSettled = () => {
    if (!settled) target.onConnectSettled();
    settled = true;
  };
  const failure = await new NotesConnection(index, {
    host: target.host,
    port: target.port,
    conversation: conversation(script.holdMs),
    deadlines: defaultDeadlines(target.groupSize),
    signal: target.signal,
    emit: (event) => {
      if (event.kind === 'connect') {
        record.connectedMs = performance.now();
        connectSettled();
      } else if (event.kind === 'ack') {
        record.ackMs = performance.now();
      }
    },
  }).run();
  connectSettled();
  record.endMs = performance.now();
  record.completed = failure === undefined;
  if (!failure) return;
  const closedBeforeAck = record.connectedMs !== undefined && record.ackMs === undefined;
  if (closedBeforeAck && (failure.kind === 'closed' || failure.kind === 'reset' || failure.kind === 'refused')) record.refused = true;
  else record.problem = failure.message;
}

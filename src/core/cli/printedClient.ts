/**
 * The notes' client as `run` and `client` show it: each log line printed as it happens, the
 * events optionally traced, `Elapsed:` at the end, and every failure named.
 */
import { ClientTraceWriter } from '../client/clientTrace';
import { runNotesClient, type NotesClientResult } from '../client/notesClient';
import type { CliContext } from './cliContext';

export interface PrintedClientOptions {
  readonly host: string;
  readonly port: number;
  readonly connections: number;
  /** Where the client's trace bytes go, when tracing. */
  readonly traceWrite?: (bytes: Uint8Array) => void;
  readonly signal?: AbortSignal;
}

export async function runPrintedClient(ctx: CliContext, options: PrintedClientOptions): Promise<NotesClientResult> {
  const trace = options.traceWrite ? new ClientTraceWriter(options.traceWrite) : undefined;
  const result = await runNotesClient({
    host: options.host,
    port: options.port,
    connections: options.connections,
    signal: options.signal ?? ctx.signal,
    onEvent: (event) => {
      trace?.event(event);
      if (event.line === undefined) return;
      if (event.kind === 'error') ctx.io.err(event.line);
      else ctx.io.out(event.line);
    },
  });
  ctx.io.out(result.elapsedLine);
  if (!result.ok) {
    ctx.io.err(`${result.failures.length} of ${options.connections} connections failed; first: ${result.failures[0].message}`);
  }
  return result;
}

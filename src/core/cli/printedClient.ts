/**
 * The client as `run` and `client` show it: each log line printed as it happens, the events
 * optionally traced, `Elapsed:` at the end, and every failure named. The notes' plain client and
 * a stage's lesson scenario print the same way; only what drives the connections differs.
 */
import type { ClientEvent } from '../client/clientEvent';
import { ClientTraceWriter } from '../client/clientTrace';
import { runLessonScenario, type LessonScenario } from '../client/lessonScenarios';
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

export interface PrintedLessonOptions {
  readonly host: string;
  readonly port: number;
  readonly scenario: LessonScenario;
  readonly traceWrite?: (bytes: Uint8Array) => void;
  readonly signal?: AbortSignal;
}

function printer(ctx: CliContext, traceWrite: ((bytes: Uint8Array) => void) | undefined): (event: ClientEvent) => void {
  const trace = traceWrite ? new ClientTraceWriter(traceWrite) : undefined;
  return (event) => {
    trace?.event(event);
    if (event.line === undefined) return;
    if (event.kind === 'error') ctx.io.err(event.line);
    else ctx.io.out(event.line);
  };
}

function printResult(ctx: CliContext, result: NotesClientResult, connections: number): NotesClientResult {
  ctx.io.out(result.elapsedLine);
  if (!result.ok) {
    ctx.io.err(`${result.failures.length} of ${connections} connections failed; first: ${result.failures[0].message}`);
  }
  return result;
}

export async function runPrintedClient(ctx: CliContext, options: PrintedClientOptions): Promise<NotesClientResult> {
  const result = await runNotesClient({
    host: options.host,
    port: options.port,
    connections: options.connections,
    signal: options.signal ?? ctx.signal,
    onEvent: printer(ctx, options.traceWrite),
  });
  return printResult(ctx, result, options.connections);
}

export async function runPrintedLesson(ctx: CliContext, options: PrintedLessonOptions): Promise<NotesClientResult> {
  const { scenario } = options;
  ctx.io.out(`lesson scenario of ${scenario.stage}: ${scenario.summary}`);
  const result = await runLessonScenario(scenario, {
    host: options.host,
    port: options.port,
    signal: options.signal ?? ctx.signal,
    onEvent: printer(ctx, options.traceWrite),
  });
  return printResult(ctx, result, scenario.connections.length + (scenario.idle ? 1 : 0));
}

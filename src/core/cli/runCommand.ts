/**
 * `server-models run <stage>`: what the extension's Run Stage does, in a terminal. Builds the
 * stage, starts it (with its lesson scenario's flags), runs the stage's lesson scenario against it
 * (or, with --notes-client, the notes' plain client), prints both sides, stops the stage. With
 * --trace, the stage streams its events to a trace sink (SERVER_MODELS_TRACE) and the client adds
 * its own, so PATH ends up a recording of both on one time axis.
 */
import { resolve } from 'node:path';
import { StageProcess } from '../stageProcess';
import { TRACE_ENV } from '../trace/format';
import { TraceSink } from '../trace/sink';
import { lessonScenario } from '../client/lessonScenarios';
import { flag, optionalInteger, parseCommand, stringValue, UsageError } from './args';
import { CliFailure, type CliContext } from './cliContext';
import { MAX_CLIENT_CONNECTIONS } from './clientCommand';
import { runPrintedClient, runPrintedLesson } from './printedClient';
import { ensureStageBuilt, resolveStage } from './stageBuild';
import { usageOf } from './usage';

export function describeExit(exit: { code: number | null; signal: NodeJS.Signals | null } | undefined): string {
  if (!exit) return 'is still running';
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${String(exit.code)}`;
}

export async function runCommand(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const parsed = parseCommand(
    'run',
    argv,
    {
      connections: { type: 'string', short: 'n' },
      'notes-client': { type: 'boolean' },
      port: { type: 'string' },
      trace: { type: 'string' },
      'build-dir': { type: 'string' },
      cc: { type: 'string' },
    },
    { min: 1, max: 1 },
  );
  if (flag(parsed, 'help')) {
    ctx.io.out(usageOf('run'));
    return 0;
  }
  const stage = resolveStage('run', parsed.positionals[0]);
  const givenConnections = optionalInteger(parsed, 'run', 'connections', 1, MAX_CLIENT_CONNECTIONS);
  const notesClient = flag(parsed, 'notes-client');
  // Silently ignoring -n would leave the user wondering why five clients did not appear.
  if (givenConnections !== undefined && !notesClient) throw new UsageError("-n is for the notes' client: add --notes-client (the lesson scenario has its own clients)", 'run');
  const connections = givenConnections ?? 5;
  const scenario = notesClient ? undefined : lessonScenario(stage.id);
  const port = optionalInteger(parsed, 'run', 'port', 0, 65535) ?? 0;
  const tracePath = stringValue(parsed, 'trace');
  const buildDir = stringValue(parsed, 'build-dir');
  const compiler = stringValue(parsed, 'cc');
  const binary = await ensureStageBuilt(ctx, stage, { ...(buildDir ? { buildDir: resolve(buildDir) } : {}), ...(compiler ? { compiler } : {}) });

  const sink = tracePath
    ? await TraceSink.listen({
        // No socketPath: the sink listens in a private folder of its own under the temp folder.
        recordingPath: resolve(tracePath),
        onError: (e) => ctx.io.err(`trace stream ${e.stream}: ${e.message}`),
      })
    : undefined;
  let server: StageProcess | undefined;
  try {
    server = await StageProcess.start({
      binary,
      port,
      // The scenario's flags first: flags given after `--` come later and win.
      extraArgs: [...(scenario?.stageArgs ?? []), ...parsed.passthrough],
      ...(sink ? { env: { [TRACE_ENV]: sink.socketPath } } : {}),
      onLine: (line) => ctx.io.out(`[${stage.id}] ${line}`),
    });
    const clientStream = sink?.openStream();
    const traceWrite = clientStream ? { traceWrite: (bytes: Uint8Array) => clientStream.write(bytes) } : {};
    const result = scenario
      ? await runPrintedLesson(ctx, { host: server.host, port: server.port, scenario, ...traceWrite })
      : await runPrintedClient(ctx, { host: server.host, port: server.port, connections, ...traceWrite });
    clientStream?.end();
    const died = server.hasExited;
    if (died) ctx.io.err(`${stage.id} ${describeExit(server.exit)} during the run`);
    if (ctx.signal.aborted) return 130;
    return result.ok && !died ? 0 : 1;
  } catch (err) {
    if (err instanceof Error && err.name === 'StageStartError') throw new CliFailure(`${stage.id} did not start: ${err.message}`);
    throw err;
  } finally {
    await server?.stop();
    if (sink) {
      const summary = await sink.close();
      ctx.io.err(`recording written to ${summary.recordingPath}: ${summary.streams} streams, ${summary.records} events`);
      for (const loss of summary.losses) ctx.io.err(loss.message);
    }
  }
}

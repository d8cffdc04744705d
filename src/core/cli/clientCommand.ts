/** `server-models client`: the notes' client against a server that is already running. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { flag, optionalInteger, parseCommand, stringValue, UsageError } from './args';
import type { CliContext } from './cliContext';
import { runPrintedClient } from './printedClient';
import { usageOf } from './usage';

export const MAX_CLIENT_CONNECTIONS = 10_000;

export async function clientCommand(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const parsed = parseCommand(
    'client',
    argv,
    { host: { type: 'string' }, port: { type: 'string' }, connections: { type: 'string', short: 'n' }, trace: { type: 'string' } },
    { min: 0, max: 0 },
  );
  if (flag(parsed, 'help')) {
    ctx.io.out(usageOf('client'));
    return 0;
  }
  const port = optionalInteger(parsed, 'client', 'port', 1, 65535);
  if (port === undefined) throw new UsageError('--port is required', 'client');
  const connections = optionalInteger(parsed, 'client', 'connections', 1, MAX_CLIENT_CONNECTIONS) ?? 5;
  const tracePath = stringValue(parsed, 'trace');
  const file = tracePath ? createWriteStream(tracePath) : undefined;
  if (file) await once(file, 'open');
  try {
    const result = await runPrintedClient(ctx, {
      host: stringValue(parsed, 'host') ?? '127.0.0.1',
      port,
      connections,
      ...(file ? { traceWrite: (bytes: Uint8Array) => file.write(bytes) } : {}),
    });
    return result.ok ? 0 : ctx.signal.aborted ? 130 : 1;
  } finally {
    if (file) {
      await new Promise<void>((resolve) => file.end(() => resolve()));
      ctx.io.err(`trace written to ${tracePath ?? ''}`);
    }
  }
}

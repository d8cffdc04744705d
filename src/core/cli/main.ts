/**
 * The command line's dispatcher: picks the command, and turns every error into one readable line
 * and an exit code: 2 for a usage mistake (with the usage), 1 for a failure, never a stack trace
 * (set SERVER_MODELS_DEBUG=1 to see one).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchOptionError } from '../bench/benchOptions';
import { FdLimitError } from '../bench/runPoint';
import { UsageError } from './args';
import { benchCommand } from './benchCommand';
import { buildCommand } from './buildCommand';
import { CliFailure, type CliContext } from './cliContext';
import { clientCommand } from './clientCommand';
import { runCommand } from './runCommand';
import { stagesCommand } from './stagesCommand';
import { traceCommand } from './traceCommand';
import { COMMANDS, overview, usageOf, type CommandName } from './usage';

const HANDLERS: Readonly<Record<CommandName, (ctx: CliContext, argv: readonly string[]) => Promise<number>>> = {
  stages: stagesCommand,
  build: buildCommand,
  run: runCommand,
  client: clientCommand,
  bench: benchCommand,
  trace: traceCommand,
};

function version(ctx: CliContext): string {
  try {
    const pkg = JSON.parse(readFileSync(join(ctx.packageRoot ?? '.', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function runCli(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) {
      ctx.io.err(overview());
      return 2;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      ctx.io.out(rest[0] ? usageOf(rest[0]) : overview());
      return 0;
    }
    if (command === '--version' || command === '-V') {
      ctx.io.out(version(ctx));
      return 0;
    }
    if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown command '${command}'`);
    return await HANDLERS[command as CommandName](ctx, rest);
  } catch (err) {
    if (err instanceof UsageError || err instanceof BenchOptionError) {
      const which = err instanceof UsageError ? err.command : 'bench';
      ctx.io.err(`server-models: ${err.message}`);
      ctx.io.err('');
      ctx.io.err(usageOf(which));
      return 2;
    }
    if (err instanceof Error && err.name === 'AbortError') return 130;
    const message = err instanceof CliFailure || err instanceof FdLimitError ? err.message : err instanceof Error ? err.message : String(err);
    ctx.io.err(`server-models: ${message}`);
    if (ctx.env.SERVER_MODELS_DEBUG && err instanceof Error && err.stack) ctx.io.err(err.stack);
    return err instanceof CliFailure ? err.exitCode : 1;
  }
}

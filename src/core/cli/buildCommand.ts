/** `server-models build [stage...]`: make, with the install command when a tool is missing. */
import { STAGES } from '../stages';
import { makeInvocation, probeToolchain, runMake } from '../toolchain';
import { flag, parseCommand, stringValue } from './args';
import { CliFailure, type CliContext } from './cliContext';
import { defaultBuildDir } from './paths';
import { missingToolsMessage, resolveStage, serversDirOf } from './stageBuild';
import { usageOf } from './usage';
import { resolve } from 'node:path';

export async function buildCommand(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const parsed = parseCommand('build', argv, { 'build-dir': { type: 'string' }, sanitize: { type: 'boolean' }, cc: { type: 'string' } }, { min: 0, max: STAGES.length });
  if (flag(parsed, 'help')) {
    ctx.io.out(usageOf('build'));
    return 0;
  }
  const stages = parsed.positionals.map((p) => resolveStage('build', p));
  const compiler = stringValue(parsed, 'cc');
  const serversDir = serversDirOf(ctx);
  const status = await probeToolchain({ ...(compiler ? { compiler, onlyCompiler: true } : {}), env: ctx.env });
  // Building everything only needs the compiler and make: the Makefile skips a stage whose
  // library is missing and says so; a stage asked for by name must be buildable.
  const missing = missingToolsMessage(stages.length ? stages : STAGES.filter((s) => s.libraries.length === 0), status, compiler);
  if (missing) throw new CliFailure(missing);
  const buildDirOption = stringValue(parsed, 'build-dir');
  const buildDir = buildDirOption ? resolve(buildDirOption) : defaultBuildDir(serversDir, ctx.env);
  const invocation = makeInvocation(
    { serversDir, buildDir, stages: stages.map((s) => s.id), sanitize: flag(parsed, 'sanitize'), ...(status.compiler ? { compiler: status.compiler } : {}) },
    status.make,
  );
  ctx.io.err(`$ ${invocation.command} ${invocation.args.join(' ')}`);
  const code = await runMake(invocation, (line, stream) => (stream === 'stdout' ? ctx.io.out(line) : ctx.io.err(line)), ctx.signal);
  if (code !== 0) throw new CliFailure(`make exited with ${code}`);
  ctx.io.err(`built into ${buildDir}`);
  return 0;
}

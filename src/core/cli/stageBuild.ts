/**
 * Building a stage before `run` or `bench` uses it, and turning a missing compiler or library into
 * the exact install command instead of a wall of make errors.
 */
import { join } from 'node:path';
import type { StageInfo } from '../stages';
import { findStage, STAGES } from '../stages';
import { makeInvocation, probeToolchain, runMake, stageBinaryPath, stageBuildability, type ToolchainStatus } from '../toolchain';
import { UsageError } from './args';
import { CliFailure, type CliContext } from './cliContext';
import { defaultBuildDir } from './paths';

export function serversDirOf(ctx: CliContext): string {
  if (!ctx.packageRoot) throw new CliFailure('cannot find the servers/ folder next to this command (is the package complete?)');
  return join(ctx.packageRoot, 'servers');
}

export function resolveStage(command: string, idOrNumber: string): StageInfo {
  const stage = findStage(idOrNumber);
  if (!stage) throw new UsageError(`unknown stage '${idOrNumber}'; the stages are ${STAGES.map((s) => s.id).join(', ')}`, command);
  return stage;
}

export interface BuildSettings {
  readonly buildDir?: string;
  readonly compiler?: string;
  readonly sanitize?: boolean;
}

/** Why a stage cannot be built here, or undefined; `chosenCompiler` is the --cc the probe was limited to. */
export function missingToolsMessage(stageIds: readonly StageInfo[], status: ToolchainStatus, chosenCompiler?: string): string | undefined {
  for (const stage of stageIds) {
    const verdict = stageBuildability(stage, status);
    if (verdict.buildable) continue;
    if (chosenCompiler && status.missing.includes('compiler')) {
      return `cannot build ${stage.id}: the C compiler "${chosenCompiler}" (--cc) does not run; install it, or leave out --cc to use $CC, cc, gcc or clang`;
    }
    return `cannot build ${stage.id}: ${verdict.reason ?? 'tools are missing'}`;
  }
  return undefined;
}

/** Builds one stage (make is incremental: quick when nothing changed) and returns its binary. */
export async function ensureStageBuilt(ctx: CliContext, stage: StageInfo, settings: BuildSettings): Promise<string> {
  const serversDir = serversDirOf(ctx);
  const status = await probeToolchain({ ...(settings.compiler ? { compiler: settings.compiler, onlyCompiler: true } : {}), env: ctx.env });
  const missing = missingToolsMessage([stage], status, settings.compiler);
  if (missing) throw new CliFailure(missing);
  const buildDir = settings.buildDir ?? defaultBuildDir(serversDir, ctx.env);
  const invocation = makeInvocation({ serversDir, buildDir, stages: [stage.id], sanitize: settings.sanitize ?? false, ...(status.compiler ? { compiler: status.compiler } : {}) }, status.make);
  const output: string[] = [];
  const code = await runMake(invocation, (line) => output.push(line), ctx.signal);
  if (code !== 0) {
    for (const line of output) ctx.io.err(line);
    throw new CliFailure(`building ${stage.id} failed (make exited with ${code})`);
  }
  return stageBinaryPath(buildDir, stage.id, settings.sanitize ?? false);
}

/**
 * Building a stage from the extension: the sources are synced into a writable place (the
 * extension's global storage, or the user's playground as it is), tools are checked first so a
 * missing compiler or libuv becomes a message with the exact install command, and `make` runs as
 * a VS Code task (src/run/buildTask.ts) so that compiler errors land in the Problems view, on the
 * file they are about.
 */
import * as vscode from 'vscode';
import path from 'node:path';
import { syncTree } from '../core/syncTree';
import { type StageInfo } from '../core/stages';
import { makeInvocation, probeToolchain, stageBinaryPath, stageBuildability, type Tool, type ToolchainStatus } from '../core/toolchain';
import { readSettings, type Settings, toolchainProbeOptions } from '../settings';
import { requireTrust } from '../trust';
import { type Ui } from '../ui';
import { BUILD_TASK_TYPE, type MakeRun, type MakeRunSource, runBuildTask, StageBuildTaskProvider } from './buildTask';

/** A servers/ folder to build from, and where its binaries go. */
export interface StageSources {
  readonly serversDir: string;
  readonly buildDir: string;
  /** The user's own copy (Create Playground): built in place, and its files are the ones annotated. */
  readonly isPlayground: boolean;
}

/** The shipped stages, synced into global storage (the installed extension may be read-only). */
export function bundledSources(context: vscode.ExtensionContext): StageSources {
  const serversDir = path.join(context.globalStorageUri.fsPath, 'servers');
  // Pruned: a file an update removed must not stay behind to be found by the Makefile's
  // wildcards. The build folder lives inside the copy and is excluded, so it is kept.
  syncTree(path.join(context.extensionUri.fsPath, 'servers'), serversDir, { exclude: ['build'], prune: true });
  return { serversDir, buildDir: path.join(serversDir, 'build'), isPlayground: false };
}

export function playgroundSources(serversDir: string): StageSources {
  return { serversDir, buildDir: path.join(serversDir, 'build'), isPlayground: true };
}

export class BuildFailure extends Error {}

export interface BuiltStage {
  readonly binary: string;
  /** The compiler make used (CC), as found by the toolchain probe. */
  readonly compiler?: string;
  readonly make?: string;
}

/** A missing tool as the message names it: the compiler the user set is named as set. */
function toolName(tool: Tool, settings: Settings): string {
  switch (tool) {
    case 'compiler':
      return settings.compiler
        ? vscode.l10n.t('the C compiler "{0}" (setting serverModels.compiler)', settings.compiler)
        : vscode.l10n.t('a C compiler (cc, gcc or clang)');
    case 'make':
    case 'pkg-config':
      return tool;
    case 'libuv':
      return vscode.l10n.t('libuv (its development files)');
  }
}

/** What building one stage runs, or why it cannot be built here (then with the command that installs what is missing). */
type BuildPlan =
  | { readonly buildable: true; readonly run: MakeRun; readonly status: ToolchainStatus }
  | { readonly buildable: false; readonly message: string; readonly installCommand?: string };

async function planBuild(sources: StageSources, stage: StageInfo, settings: Settings): Promise<BuildPlan> {
  const status = await probeToolchain(toolchainProbeOptions(settings));
  const verdict = stageBuildability(stage, status);
  if (!verdict.buildable) {
    const missing = verdict.missing.map((tool) => toolName(tool, settings)).join(', ');
    const message = status.unsupported
      ? vscode.l10n.t('Cannot build {0}: {1}', stage.id, status.unsupported)
      : verdict.installCommand
        ? vscode.l10n.t('Cannot build {0}: not found: {1}. Install with: {2}', stage.id, missing, verdict.installCommand)
        : vscode.l10n.t('Cannot build {0}: not found: {1}.', stage.id, missing);
    return { buildable: false, message, ...(verdict.installCommand ? { installCommand: verdict.installCommand } : {}) };
  }
  const invocation = makeInvocation(
    { serversDir: sources.serversDir, buildDir: sources.buildDir, stages: [stage.id], ...(status.compiler ? { compiler: status.compiler } : {}) },
    status.make,
  );
  return { buildable: true, run: { invocation, serversDir: sources.serversDir }, status };
}

/**
 * Builds one stage and returns its binary. Shows the user what went wrong (missing tools with
 * a button that copies the install command, or a failed build pointing at Problems) and throws
 * BuildFailure so callers stop quietly. The message is not awaited: the command ends while the
 * message stays up.
 */
export async function buildStage(sources: StageSources, stage: StageInfo, settings: Settings, ui: Ui): Promise<BuiltStage> {
  const plan = await planBuild(sources, stage, settings);
  if (!plan.buildable) {
    const copy = vscode.l10n.t('Copy Install Command');
    const { message, installCommand } = plan;
    void ui.showErrorMessage(message, ...(installCommand ? [copy] : [])).then(async (choice) => {
      if (choice === copy && installCommand) await vscode.env.clipboard.writeText(installCommand);
    });
    throw new BuildFailure(message);
  }
  const exitCode = await runBuildTask(stage.id, plan.run);
  if (exitCode !== 0) {
    const message = vscode.l10n.t('Building {0} failed (make exited with {1}). See the Problems view and the build terminal.', stage.id, String(exitCode));
    void ui.showErrorMessage(message);
    throw new BuildFailure(message);
  }
  const { status } = plan;
  return {
    binary: stageBinaryPath(sources.buildDir, stage.id),
    ...(status.compiler ? { compiler: status.compiler } : {}),
    ...(status.make ? { make: status.make } : {}),
  };
}

/**
 * The task provider, for the caller to own: each stage's build, from the sources `sourcesFor`
 * picks when the task starts (the playground the user is in, else the shipped copy). What stops
 * a build is said in its terminal; a refused trust also as the usual message.
 */
export function registerStageBuildTasks(sourcesFor: () => StageSources, ui: Ui): vscode.Disposable {
  const sourceFor =
    (stage: StageInfo): MakeRunSource =>
    async (write) => {
      if (!requireTrust('run', ui)) return undefined;
      const plan = await planBuild(sourcesFor(), stage, readSettings());
      if (plan.buildable) return plan.run;
      write(plan.message);
      return undefined;
    };
  return vscode.tasks.registerTaskProvider(BUILD_TASK_TYPE, new StageBuildTaskProvider(sourceFor));
}

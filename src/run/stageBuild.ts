/**
 * Building a stage from the extension: the sources are synced into a writable place (the
 * extension's global storage, or the user's playground as it is), tools are checked first so a
 * missing compiler or libuv becomes a message with the exact install command, and `make` runs as
 * a VS Code task so that compiler errors land in the Problems view.
 */
import * as vscode from 'vscode';
import path from 'node:path';
import { syncTree } from '../core/syncTree';
import { type StageInfo } from '../core/stages';
import { makeInvocation, probeToolchain, stageBinaryPath, stageBuildability, type Tool } from '../core/toolchain';
import { type Settings, toolchainProbeOptions } from '../settings';
import { type Ui } from '../ui';

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
  syncTree(path.join(context.extensionUri.fsPath, 'servers'), serversDir, { exclude: ['build'] });
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

/**
 * Builds one stage and returns its binary. Shows the user what went wrong (missing tools with
 * a button that copies the install command, or a failed build pointing at Problems) and throws
 * BuildFailure so callers stop quietly. The message is not awaited: the command ends while the
 * message stays up.
 */
export async function buildStage(sources: StageSources, stage: StageInfo, settings: Settings, ui: Ui): Promise<BuiltStage> {
  const status = await probeToolchain(toolchainProbeOptions(settings));
  const verdict = stageBuildability(stage, status);
  if (!verdict.buildable) {
    const copy = vscode.l10n.t('Copy Install Command');
    const missing = verdict.missing.map((tool) => toolName(tool, settings)).join(', ');
    const message = status.unsupported
      ? vscode.l10n.t('Cannot build {0}: {1}', stage.id, status.unsupported)
      : verdict.installCommand
        ? vscode.l10n.t('Cannot build {0}: not found: {1}. Install with: {2}', stage.id, missing, verdict.installCommand)
        : vscode.l10n.t('Cannot build {0}: not found: {1}.', stage.id, missing);
    const installCommand = verdict.installCommand;
    void ui.showErrorMessage(message, ...(installCommand ? [copy] : [])).then(async (choice) => {
      if (choice === copy && installCommand) await vscode.env.clipboard.writeText(installCommand);
    });
    throw new BuildFailure(message);
  }
  const invocation = makeInvocation(
    { serversDir: sources.serversDir, buildDir: sources.buildDir, stages: [stage.id], ...(status.compiler ? { compiler: status.compiler } : {}) },
    status.make,
  );
  const exitCode = await runTask(
    new vscode.Task(
      { type: 'serverModels', stage: stage.id },
      vscode.workspace.workspaceFolders?.[0] ?? vscode.TaskScope.Workspace,
      vscode.l10n.t('build {0}', stage.id),
      'Server Models',
      // An argument array: no shell ever sees these paths.
      new vscode.ProcessExecution(invocation.command, [...invocation.args]),
      '$gcc',
    ),
  );
  if (exitCode !== 0) {
    const message = vscode.l10n.t('Building {0} failed (make exited with {1}). See the Problems view and the build terminal.', stage.id, String(exitCode));
    void ui.showErrorMessage(message);
    throw new BuildFailure(message);
  }
  return {
    binary: stageBinaryPath(sources.buildDir, stage.id),
    ...(status.compiler ? { compiler: status.compiler } : {}),
    ...(status.make ? { make: status.make } : {}),
  };
}

async function runTask(task: vscode.Task): Promise<number | undefined> {
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Silent, clear: true, showReuseMessage: false };
  const ended = new Promise<number | undefined>((resolve) => {
    const subscription = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.definition.stage === task.definition.stage && e.execution.task.source === task.source) {
        subscription.dispose();
        resolve(e.exitCode);
      }
    });
  });
  await vscode.tasks.executeTask(task);
  return ended;
}

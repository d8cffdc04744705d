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
import { makeInvocation, probeToolchain, stageBinaryPath, stageBuildability } from '../core/toolchain';

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

/**
 * Builds one stage and returns its binary. Shows the user what went wrong (missing tools with
 * a button that copies the install command, or a failed build pointing at Problems) and throws
 * BuildFailure so callers stop quietly.
 */
export async function buildStage(sources: StageSources, stage: StageInfo, compilerSetting: string): Promise<BuiltStage> {
  const status = await probeToolchain({ compiler: compilerSetting });
  const verdict = stageBuildability(stage, status);
  if (!verdict.buildable) {
    const copy = vscode.l10n.t('Copy Install Command');
    const message = verdict.installCommand
      ? vscode.l10n.t('Cannot build {0}: {1}. Install it with: {2}', stage.id, verdict.missing.join(', '), verdict.installCommand)
      : vscode.l10n.t('Cannot build {0}: {1}', stage.id, verdict.reason ?? verdict.missing.join(', '));
    const choice = await vscode.window.showErrorMessage(message, ...(verdict.installCommand ? [copy] : []));
    if (choice === copy && verdict.installCommand) await vscode.env.clipboard.writeText(verdict.installCommand);
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
    void vscode.window.showErrorMessage(message);
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

/**
 * The stages' builds as VS Code tasks, one per stage, in the Build group: Run Stage and the
 * benchmark run them, and so do Terminal > Run Build Task and a tasks.json entry
 * `{ "type": "serverModels", "stage": "05-select" }` (the task provider below).
 *
 * Their problem matcher is our own, `$serverModels-gcc` (package.json): VS Code has no `$gcc`
 * of its own (the C/C++ extension contributes it), so a task naming `$gcc` found no problems
 * at all without that extension. make runs as our child process (an argument array, no shell)
 * behind a pseudoterminal, so that the compiler output reaches the matcher with absolute file
 * names (src/run/compilerOutput.ts): `make -C <dir>` names sources relative to <dir>, and a
 * ProcessExecution's matcher cannot be given that folder per task (in VS Code 1.100, `${cwd}`
 * in a matcher's fileLocation is the workspace folder, not the task's cwd).
 */
import * as vscode from 'vscode';
import { spawn, type ChildProcess } from 'node:child_process';
import { STAGES, type StageInfo } from '../core/stages';
import { type MakeInvocation } from '../core/toolchain';
import { CompilerOutputLines } from './compilerOutput';

export const BUILD_TASK_TYPE = 'serverModels';
/** contributes.problemMatchers: gcc's and clang's `file:line:col: error: ...`, files by absolute path. */
export const BUILD_PROBLEM_MATCHER = '$serverModels-gcc';
const TASK_SOURCE = 'Server Models';

/** What one build runs: make's argument array and the folder holding the Makefile. */
export interface MakeRun {
  readonly invocation: MakeInvocation;
  readonly serversDir: string;
}

/**
 * Decides, when the task starts, what it runs (the sources and the compiler can change between
 * providing a task and running it). Undefined ends the task as failed; `write` puts a line in
 * its terminal to say why.
 */
export type MakeRunSource = (write: (line: string) => void) => Promise<MakeRun | undefined>;

interface TaskOptions {
  readonly onExit?: (exitCode: number | undefined) => void;
  readonly reveal?: vscode.TaskRevealKind;
  /** A tasks.json task being resolved keeps its own definition and scope. */
  readonly definition?: vscode.TaskDefinition;
  readonly scope?: vscode.WorkspaceFolder | vscode.TaskScope.Global | vscode.TaskScope.Workspace;
}

export function stageBuildTask(stageId: string, source: MakeRunSource, options: TaskOptions = {}): vscode.Task {
  const task = new vscode.Task(
    options.definition ?? { type: BUILD_TASK_TYPE, stage: stageId },
    options.scope ?? vscode.workspace.workspaceFolders?.[0] ?? vscode.TaskScope.Workspace,
    vscode.l10n.t('build {0}', stageId),
    TASK_SOURCE,
    new vscode.CustomExecution(() => Promise.resolve(new MakeTerminal(source, options.onExit))),
    BUILD_PROBLEM_MATCHER,
  );
  task.group = vscode.TaskGroup.Build;
  task.presentationOptions = { reveal: options.reveal ?? vscode.TaskRevealKind.Always, clear: true, showReuseMessage: false };
  return task;
}

/** Runs one build as a task (its terminal revealed only on failure) and resolves with make's exit code. */
export async function runBuildTask(stageId: string, run: MakeRun): Promise<number | undefined> {
  let reportExit: (exitCode: number | undefined) => void = () => undefined;
  const exited = new Promise<number | undefined>((resolve) => (reportExit = resolve));
  const task = stageBuildTask(stageId, () => Promise.resolve(run), { onExit: reportExit, reveal: vscode.TaskRevealKind.Silent });
  // A task that ends without its terminal reporting (stopped before make started) ends the wait too.
  const ended = new Promise<undefined>((resolve) => {
    const subscription = vscode.tasks.onDidEndTask((e) => {
      if (e.execution.task.definition.type === BUILD_TASK_TYPE && e.execution.task.definition.stage === stageId && e.execution.task.source === TASK_SOURCE) {
        subscription.dispose();
        resolve(undefined);
      }
    });
    void exited.then(() => {
      subscription.dispose();
    });
  });
  await vscode.tasks.executeTask(task);
  return Promise.race([exited, ended]);
}

/** One build's terminal: make's output, with absolute file names, then make's exit code. */
class MakeTerminal implements vscode.Pseudoterminal {
  private readonly writer = new vscode.EventEmitter<string>();
  private readonly closer = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writer.event;
  readonly onDidClose = this.closer.event;
  private child: ChildProcess | undefined;
  private stopped = false;
  private ended = false;

  constructor(
    private readonly source: MakeRunSource,
    private readonly onExit: ((exitCode: number | undefined) => void) | undefined,
  ) {}

  open(): void {
    void this.start().catch((err: unknown) => {
      this.write(err instanceof Error ? err.message : String(err));
      this.end(1);
    });
  }

  /** The user closed the terminal or terminated the task: make goes too (it stops its compilers). */
  close(): void {
    this.stopped = true;
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    else if (!this.child) this.end(undefined);
  }

  private async start(): Promise<void> {
    const run = await this.source((line) => this.write(line));
    if (this.ended) return;
    if (!run || this.stopped) {
      this.end(run ? undefined : 1);
      return;
    }
    const { command, args } = run.invocation;
    this.write([command, ...args].join(' '));
    const child = spawn(command, [...args], { cwd: run.serversDir, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    // One splitter per stream: a line of stderr never joins a half line of stdout.
    for (const stream of [child.stdout, child.stderr]) {
      const lines = new CompilerOutputLines(run.serversDir, (text) => this.writer.fire(text));
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => lines.push(chunk));
      stream.on('end', () => lines.flush());
    }
    child.on('error', (err) => {
      this.write(vscode.l10n.t('{0} did not start: {1}', command, err.message));
      this.end(1);
    });
    child.on('close', (code) => this.end(code ?? undefined));
  }

  private write(line: string): void {
    if (!this.ended) this.writer.fire(`${line}\r\n`);
  }

  private end(exitCode: number | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.onExit?.(exitCode);
    this.closer.fire(exitCode ?? 1);
    this.writer.dispose();
    this.closer.dispose();
  }
}

/** Offers the build of every stage, and fills in tasks.json's `serverModels` tasks. */
export class StageBuildTaskProvider implements vscode.TaskProvider {
  constructor(private readonly sourceFor: (stage: StageInfo) => MakeRunSource) {}

  provideTasks(): vscode.Task[] {
    // VS Code runs no task in an untrusted workspace; offering none says the same.
    if (!vscode.workspace.isTrusted) return [];
    return STAGES.map((stage) => stageBuildTask(stage.id, this.sourceFor(stage)));
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const { stage: stageId } = task.definition as { stage?: unknown };
    const stage = STAGES.find((s) => s.id === stageId);
    if (!stage) return undefined;
    return stageBuildTask(stage.id, this.sourceFor(stage), { definition: task.definition, ...(task.scope !== undefined ? { scope: task.scope } : {}) });
  }
}

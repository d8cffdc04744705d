/**
 * Running the benchmark command in a test: started and not awaited, so that the test can act
 * while it runs (cancel it, crash its stage), with the progress notification observed.
 */
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/commands';
import type { ProgressReport } from '../../../src/ui';

/** The benchmark command, started: `running` resolves to what it returns; `settled` says whether it has. */
export function startBenchmark<T>(stageOrItem: unknown, options: object): { readonly running: Promise<T | undefined>; settled(): boolean } {
  let settled = false;
  const running = Promise.resolve(vscode.commands.executeCommand<T | undefined>(COMMANDS.benchmarkStage, stageOrItem, options)).finally(() => (settled = true));
  return { running, settled: () => settled };
}

/**
 * A progress notification as the extension opens it (the real one stays on screen), whose
 * Cancel the test can press: the task gets a token that is cancelled when the notification's
 * own token is, or when the test calls cancel(). Every report is kept.
 */
export function cancellableProgress() {
  const reports: ProgressReport[] = [];
  const source = new vscode.CancellationTokenSource();
  let opened = 0;
  const withProgress = <R>(
    options: vscode.ProgressOptions,
    task: (progress: vscode.Progress<ProgressReport>, token: vscode.CancellationToken) => Thenable<R>,
  ): Thenable<R> =>
    vscode.window.withProgress(options, (progress, token) => {
      opened++;
      const linked = token.onCancellationRequested(() => source.cancel());
      const report = (value: ProgressReport) => {
        reports.push(value);
        progress.report(value);
      };
      return Promise.resolve(task({ report }, source.token)).finally(() => {
        linked.dispose();
      });
    });
  return {
    withProgress,
    reports,
    get opened() {
      return opened;
    },
    messages: () => reports.map((r) => r.message ?? ''),
    cancel: () => source.cancel(),
    dispose: () => source.dispose(),
  };
}

/**
 * The few parts of `vscode.window` through which the extension asks the user something or shows
 * progress: messages with buttons, the Quick Picks (stages, recordings), the save dialog (Export
 * Trace), and the cancellable
 * progress notification. Every controller goes through one `SwitchableUi` made at activation, which
 * delegates to `vscode.window`; the integration tests replace single methods through the API
 * (`ServerModelsApi.ui`) to answer a prompt, see that a Quick Pick was (not) shown, or press a
 * progress notification's Cancel, without mocking the `vscode` module.
 */
import * as vscode from 'vscode';

export type ProgressReport = { message?: string; increment?: number };

export interface Ui {
  showInformationMessage(message: string, ...items: string[]): Thenable<string | undefined>;
  showWarningMessage(message: string, ...items: string[]): Thenable<string | undefined>;
  showErrorMessage(message: string, ...items: string[]): Thenable<string | undefined>;
  showQuickPick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Thenable<T | undefined>;
  showSaveDialog(options: vscode.SaveDialogOptions): Thenable<vscode.Uri | undefined>;
  withProgress<R>(
    options: vscode.ProgressOptions,
    task: (progress: vscode.Progress<ProgressReport>, token: vscode.CancellationToken) => Thenable<R>,
  ): Thenable<R>;
}

/** A message of the given severity, with its buttons. */
export function showMessage(ui: Ui, severity: 'error' | 'warning' | 'information', message: string, ...items: string[]): Thenable<string | undefined> {
  switch (severity) {
    case 'error': return ui.showErrorMessage(message, ...items);
    case 'warning': return ui.showWarningMessage(message, ...items);
    case 'information': return ui.showInformationMessage(message, ...items);
  }
}

/** The real thing. */
export const windowUi: Ui = {
  showInformationMessage: (message, ...items) => vscode.window.showInformationMessage(message, ...items),
  showWarningMessage: (message, ...items) => vscode.window.showWarningMessage(message, ...items),
  showErrorMessage: (message, ...items) => vscode.window.showErrorMessage(message, ...items),
  showQuickPick: (items, options) => vscode.window.showQuickPick(items, options),
  showSaveDialog: (options) => vscode.window.showSaveDialog(options),
  withProgress: (options, task) => vscode.window.withProgress(options, task),
};

/** `vscode.window`, unless some methods are overridden for a while (tests). */
export class SwitchableUi implements Ui {
  private overrides: Partial<Ui>[] = [];

  private pick<K extends keyof Ui>(name: K): Ui[K] {
    for (let i = this.overrides.length - 1; i >= 0; i--) {
      const method = this.overrides[i][name];
      if (method) return method;
    }
    return windowUi[name];
  }

  /** Uses `methods` instead of `vscode.window`'s until the returned disposable is disposed. */
  override(methods: Partial<Ui>): vscode.Disposable {
    this.overrides.push(methods);
    return new vscode.Disposable(() => {
      this.overrides = this.overrides.filter((o) => o !== methods);
    });
  }

  showInformationMessage(message: string, ...items: string[]): Thenable<string | undefined> {
    return this.pick('showInformationMessage')(message, ...items);
  }

  showWarningMessage(message: string, ...items: string[]): Thenable<string | undefined> {
    return this.pick('showWarningMessage')(message, ...items);
  }

  showErrorMessage(message: string, ...items: string[]): Thenable<string | undefined> {
    return this.pick('showErrorMessage')(message, ...items);
  }

  showQuickPick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Thenable<T | undefined> {
    return this.pick('showQuickPick')(items, options);
  }

  showSaveDialog(options: vscode.SaveDialogOptions): Thenable<vscode.Uri | undefined> {
    return this.pick('showSaveDialog')(options);
  }

  withProgress<R>(
    options: vscode.ProgressOptions,
    task: (progress: vscode.Progress<ProgressReport>, token: vscode.CancellationToken) => Thenable<R>,
  ): Thenable<R> {
    return this.pick('withProgress')(options, task);
  }
}

/**
 * Workspace Trust: building, running and benchmarking stages (and playgrounds, and experiments)
 * compile and run code, so they are refused in an untrusted workspace with a message saying why.
 */
import * as vscode from 'vscode';
import { type Ui } from './ui';

export type TrustedAction = 'run' | 'benchmark' | 'experiment' | 'playground';

function refusal(action: TrustedAction): string {
  switch (action) {
    case 'run': return vscode.l10n.t('Running a stage compiles and runs code: trust this workspace first.');
    case 'benchmark': return vscode.l10n.t('Benchmarking a stage compiles and runs code: trust this workspace first.');
    case 'experiment': return vscode.l10n.t('An experiment compiles and runs the stages: trust this workspace first.');
    case 'playground': return vscode.l10n.t('A playground is code you build and run: trust this workspace first.');
  }
}

/**
 * True when the workspace is trusted; otherwise tells the user why `action` needs trust, offers
 * VS Code's own trust editor, and returns false (the action is not retried: trusting reloads
 * what depends on it, and the user starts the action again).
 */
export function requireTrust(action: TrustedAction, ui: Pick<Ui, 'showWarningMessage'>): boolean {
  if (vscode.workspace.isTrusted) return true;
  const manage = vscode.l10n.t('Manage Workspace Trust');
  void Promise.resolve(ui.showWarningMessage(refusal(action), manage)).then((choice) => {
    if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}

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

/** True when the workspace is trusted; otherwise tells the user why `action` needs trust and returns false. */
export function requireTrust(action: TrustedAction, ui: Pick<Ui, 'showWarningMessage'>): boolean {
  if (vscode.workspace.isTrusted) return true;
  void ui.showWarningMessage(refusal(action));
  return false;
}

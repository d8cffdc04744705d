/**
 * Answers the extension's questions in a test: replaces some methods of the extension's `Ui`
 * (src/ui.ts) through the API, records every call, and hands the rest to `vscode.window`.
 */
import * as vscode from 'vscode';
import type { ServerModelsApi } from '../../../src/extension';
import type { Ui } from '../../../src/ui';

export interface Asked {
  readonly kind: 'information' | 'warning' | 'error' | 'quickPick';
  readonly message: string;
  readonly items: readonly string[];
}

export type Answer = (message: string, items: readonly string[]) => string | undefined | Thenable<string | undefined>;

export interface FakeUi extends vscode.Disposable {
  readonly asked: Asked[];
  of(kind: Asked['kind']): Asked[];
}

/**
 * Messages of the kinds in `answers` are answered by them; a Quick Pick is recorded and
 * dismissed; `more` replaces further methods (e.g. withProgress). Messages of other kinds are
 * recorded and shown as usual.
 */
export function fakeUi(api: ServerModelsApi, answers: Partial<Record<'information' | 'warning' | 'error', Answer>>, more: Partial<Ui> = {}): FakeUi {
  const asked: Asked[] = [];
  const message = (kind: 'information' | 'warning' | 'error', real: (m: string, ...items: string[]) => Thenable<string | undefined>) =>
    (m: string, ...items: string[]): Thenable<string | undefined> => {
      asked.push({ kind, message: m, items });
      const answer = answers[kind];
      return answer ? Promise.resolve(answer(m, items)) : real(m, ...items);
    };
  const window = vscode.window;
  const registration = api.ui.override({
    showInformationMessage: message('information', (m, ...items) => window.showInformationMessage(m, ...items)),
    showWarningMessage: message('warning', (m, ...items) => window.showWarningMessage(m, ...items)),
    showErrorMessage: message('error', (m, ...items) => window.showErrorMessage(m, ...items)),
    showQuickPick: <T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions) => {
      asked.push({ kind: 'quickPick', message: options.placeHolder ?? '', items: items.map((i) => i.label) });
      return Promise.resolve<T | undefined>(undefined);
    },
    ...more,
  });
  return {
    asked,
    of: (kind) => asked.filter((a) => a.kind === kind),
    dispose: () => {
      registration.dispose();
    },
  };
}

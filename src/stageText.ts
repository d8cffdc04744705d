/** Localized names of stages for the UI (the catalog in src/core stays English-only data). */
import * as vscode from 'vscode';
import { type StageInfo } from './core/stages';

export function stageTitle(stage: StageInfo): string {
  switch (stage.id) {
    case '01-sequential': return vscode.l10n.t('Sequential');
    case '02-thread-per-client': return vscode.l10n.t('Thread per client');
    case '03-blocking-io': return vscode.l10n.t('Blocking I/O');
    case '04-nonblocking-polling': return vscode.l10n.t('Non-blocking I/O with polling');
    case '05-select': return vscode.l10n.t('select');
    case '06-epoll': return vscode.l10n.t('epoll / kqueue');
    case '07-libuv': return vscode.l10n.t('libuv');
    case '08-ae': return vscode.l10n.t('ae event loop');
    case '09-green-threads': return vscode.l10n.t('Green threads');
  }
}

/** How a stage is named in lists, terminals and titles: "05 · select". */
export function stageLabel(stage: StageInfo): string {
  return `${String(stage.number).padStart(2, '0')} · ${stageTitle(stage)}`;
}

/** The Stages view: the nine stages in order, each with its status and inline actions. */
import * as vscode from 'vscode';
import { STAGES, type StageInfo } from '../core/stages';
import { COMMANDS } from '../commands';
import { type StageStatusStore } from '../stageStatus';
import { stageLabel, stageTitle } from '../stageText';

export class StagesViewProvider implements vscode.TreeDataProvider<StageInfo>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<StageInfo | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly statuses: StageStatusStore) {
    this.subscription = statuses.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(element?: StageInfo): StageInfo[] {
    return element ? [] : [...STAGES];
  }

  getTreeItem(stage: StageInfo): vscode.TreeItem {
    const status = this.statuses.get(stage.id);
    const isNext = !status.running && this.statuses.nextStage() === stage.id;
    const item = new vscode.TreeItem(stageLabel(stage));
    item.id = stage.id;
    const parts: string[] = [];
    if (status.running) parts.push(vscode.l10n.t('running'));
    else if (isNext) parts.push(vscode.l10n.t('next'));
    else if (status.built) parts.push(vscode.l10n.t('built'));
    if (status.lastBenchmark) parts.push(status.lastBenchmark);
    item.description = parts.join(' · ');
    item.tooltip = new vscode.MarkdownString(`**${stageTitle(stage)}**\n\n${stage.model}`);
    item.iconPath = new vscode.ThemeIcon(status.running ? 'debug-start' : isNext ? 'arrow-right' : status.visited ? 'pass-filled' : status.built ? 'pass' : 'circle-outline');
    item.contextValue = status.running ? 'stage.running' : 'stage';
    item.command = { command: COMMANDS.openNotes, title: vscode.l10n.t('Open Notes'), arguments: [stage.id] };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

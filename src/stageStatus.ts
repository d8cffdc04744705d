/**
 * What the extension knows about each stage right now (built, running, last benchmark figure),
 * shared by the Stages view, the status bar and the CodeLens. Plain state with a change event.
 */
import * as vscode from 'vscode';
import { type StageId } from './core/stages';

export interface StageStatus {
  readonly built?: boolean;
  readonly running?: boolean;
  /** Short figure of the last benchmark, e.g. "41k msg/s @100". */
  readonly lastBenchmark?: string;
}

export class StageStatusStore implements vscode.Disposable {
  private readonly statuses = new Map<StageId, StageStatus>();
  private readonly changed = new vscode.EventEmitter<StageId | undefined>();
  readonly onDidChange = this.changed.event;

  get(id: StageId): StageStatus {
    return this.statuses.get(id) ?? {};
  }

  update(id: StageId, patch: Partial<StageStatus>): void {
    this.statuses.set(id, { ...this.get(id), ...patch });
    this.changed.fire(id);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * What the extension knows about each stage right now (built, running, last benchmark figure),
 * shared by the Stages view, the status bar and the CodeLens. Plain state with a change event.
 */
import * as vscode from 'vscode';
import { nextStage, type StageId } from './core/stages';

export interface StageStatus {
  readonly built?: boolean;
  readonly running?: boolean;
  /** Run at least once (remembered across sessions): the path through the stages. */
  readonly visited?: boolean;
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

  /** The stage after the furthest one run so far (the first stage to begin with). */
  nextStage(): StageId | undefined {
    return nextStage((id) => this.get(id).visited === true)?.id;
  }

  update(id: StageId, patch: Partial<StageStatus>): void {
    this.statuses.set(id, { ...this.get(id), ...patch });
    this.changed.fire(id);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * Which stage a command acts on: the one its argument names (an id, a number, or a Stages view
 * item), or else the one the user picks. Every command that takes a stage goes through here.
 */
import { findStage, STAGES, type StageId, type StageInfo } from './core/stages';
import { stageLabel } from './stageText';
import { type Ui } from './ui';

export function stageFromArgument(arg: unknown): StageInfo | undefined {
  if (typeof arg === 'string') return findStage(arg);
  if (typeof arg === 'object' && arg !== null && 'id' in arg) return findStage(String(arg.id));
  return undefined;
}

export interface PickOptions {
  readonly placeHolder: string;
  /** Listed first and preselected (the last stage run). */
  readonly first?: StageId;
  /** A note beside a stage's name, e.g. why this machine cannot build it. */
  readonly describe?: (stage: StageInfo) => string | undefined;
}

/** The stage `arg` names; only when it names none, a Quick Pick (through `ui`). */
export async function chooseStage(arg: unknown, options: PickOptions, ui: Pick<Ui, 'showQuickPick'>): Promise<StageInfo | undefined> {
  const named = stageFromArgument(arg);
  if (named) return named;
  const items = STAGES.map((stage) => ({ label: stageLabel(stage), description: options.describe?.(stage), detail: stage.model, stage }));
  const first = items.findIndex((i) => i.stage.id === options.first);
  if (first > 0) items.unshift(...items.splice(first, 1));
  const picked = await ui.showQuickPick(items, { placeHolder: options.placeHolder, matchOnDetail: true });
  return picked?.stage;
}

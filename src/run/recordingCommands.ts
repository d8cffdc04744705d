/**
 * "Open Recording" and "Export Trace": the runs kept in the workspace's storage. An opened
 * recording shows the stage's source beside its panel, with each thread's line at the panel's
 * step cursor highlighted, as during a live run.
 */
import * as vscode from 'vscode';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { parseRecordingName, type RecordingStore, type StoredRecording } from '../core/recordingStore';
import { findStage, type StageInfo } from '../core/stages';
import { exportRecordingAsChrome } from '../core/trace/chromeStream';
import { RecordingPanel } from '../panel/recordingPanel';
import { stageLabel, stageTitle } from '../stageText';
import { revealSource } from '../views/notesView';
import { type Ui } from '../ui';
import { annotatedServersRoot, SourceAnnotations } from './sourceAnnotations';
import { type StageSources } from './stageBuild';

async function pickRecording(store: RecordingStore, placeHolder: string, ui: Ui): Promise<StoredRecording | undefined> {
  const recordings = store.list();
  if (recordings.length === 0) {
    void ui.showInformationMessage(vscode.l10n.t('No recordings yet: run a stage with tracing on (Run Stage).'));
    return undefined;
  }
  const picked = await ui.showQuickPick(
    recordings.map((r) => {
      const stage = findStage(r.stageId);
      return {
        label: stage ? stageLabel(stage) : r.stageId,
        description: r.started.toLocaleString(vscode.env.language),
        detail: `${(r.bytes / 1024).toFixed(1)} KiB · ${path.basename(r.path)}`,
        recording: r,
      };
    }),
    { placeHolder },
  );
  return picked?.recording;
}

export interface OpenRecordingDeps {
  readonly extensionUri: vscode.Uri;
  readonly store: RecordingStore;
  readonly ui: Ui;
  /** The sources the user reads (a playground, or the shipped stages): where the source opens. */
  readonly sources: () => StageSources;
}

/** An opened recording: its panel, and the annotations of the source shown beside it. */
export interface OpenedRecording {
  readonly panel: RecordingPanel;
  readonly annotations: SourceAnnotations;
  /** The stage's main source, shown beside the panel (absent for a foreign file). */
  readonly source?: vscode.Uri;
}

/** Opens a recording in a panel of its own, or the file given (a URI from the explorer). */
export async function openRecording(deps: OpenRecordingDeps, fileArg?: unknown): Promise<OpenedRecording | undefined> {
  const { extensionUri, store, ui } = deps;
  const file = fileArg instanceof vscode.Uri ? fileArg.fsPath : typeof fileArg === 'string' ? fileArg : (await pickRecording(store, vscode.l10n.t('Open which recording?'), ui))?.path;
  if (!file) return undefined;
  try {
    await access(file, constants.R_OK);
  } catch (err) {
    void ui.showErrorMessage(vscode.l10n.t('Cannot read the recording {0}: {1}', file, (err as Error).message));
    return undefined;
  }
  const named = parseRecordingName(file);
  const stage = named && findStage(named.stageId);
  const root = annotatedServersRoot(extensionUri, deps.sources());
  // The source first, in the first column, so that the panel opens beside it (as Run Stage does).
  const source = stage ? await showStageSource(root, stage) : undefined;
  const panel = RecordingPanel.create(extensionUri, {
    title: stage ? vscode.l10n.t('Recording: {0}', stageTitle(stage)) : path.basename(file),
    mode: 'recording',
    recording: file,
    ...(stage ? { stage: { id: stage.id, number: stage.number, title: stageTitle(stage), model: stage.model } } : {}),
  });
  const annotations = followInSource(panel, extensionUri, root);
  try {
    await panel.appendFile(file);
  } catch (err) {
    panel.notice('error', vscode.l10n.t('Cannot read the recording {0}: {1}', file, (err as Error).message));
  }
  panel.runEnded();
  return { panel, annotations, ...(source ? { source } : {}) };
}

/**
 * The panel's cursor highlights the threads' lines in the sources under `root`, and a click on an
 * event reveals its line there; the panel owns the annotations. Also for a panel VS Code
 * restored after a restart (the extension's WebviewPanelSerializer).
 */
export function followInSource(panel: RecordingPanel, extensionUri: vscode.Uri, root: string): SourceAnnotations {
  const annotations = new SourceAnnotations(extensionUri, root);
  panel.own(annotations);
  panel.own(panel.onDidMoveCursor((message) => annotations.showCursor(message.lines, message.byUser)));
  panel.own(panel.onDidRequestReveal((message) => void revealSource(root, message.file, message.line)));
  return annotations;
}

async function showStageSource(root: string, stage: StageInfo): Promise<vscode.Uri | undefined> {
  const uri = vscode.Uri.joinPath(vscode.Uri.file(root), ...stage.mainSource.split('/'));
  try {
    await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One, preview: false, preserveFocus: true });
    return uri;
  } catch {
    // A playground without this stage: the recording still opens, without its source.
    return undefined;
  }
}

/**
 * Where Export Trace proposes to save: `<workspace folder>/<stage>-<time>.json` (the time the
 * run started, from the recording's name), else beside the recording.
 */
export function exportTarget(source: string): vscode.Uri {
  const named = parseRecordingName(source);
  const stamp = (named?.started ?? new Date()).toISOString().replace(/\.\d+Z$/, '').replace(/:/g, '-');
  const name = `${named?.stageId ?? path.basename(source).replace(/\.[^.]+$/, '')}-${stamp}.json`;
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri;
  return folder ? vscode.Uri.joinPath(folder, name) : vscode.Uri.file(path.join(path.dirname(source), name));
}

/**
 * Writes a recording as Chrome Trace Event JSON (opens in Perfetto or chrome://tracing): the
 * recording given, else the one in the active recording panel, else one picked from the store.
 */
export async function exportTrace(store: RecordingStore, ui: Ui, recordingArg?: unknown, targetArg?: unknown): Promise<string | undefined> {
  const source =
    typeof recordingArg === 'string'
      ? recordingArg
      : (RecordingPanel.active?.recording ?? (await pickRecording(store, vscode.l10n.t('Export which recording?'), ui))?.path);
  if (!source) return undefined;
  const target =
    typeof targetArg === 'string'
      ? targetArg
      : (
          await ui.showSaveDialog({
            defaultUri: exportTarget(source),
            filters: { [vscode.l10n.t('Chrome Trace Event JSON')]: ['json'] },
            saveLabel: vscode.l10n.t('Export'),
          })
        )?.fsPath;
  if (!target) return undefined;
  // Streamed: memory stays bounded however long the recording is; what a damaged one still holds
  // is exported, and its problems counted in the message.
  const { problemCount } = await exportRecordingAsChrome(source, target, { keepGoing: true });
  const note = problemCount ? ` ${vscode.l10n.t('({0} problems in the recording were skipped.)', String(problemCount))}` : '';
  void ui.showInformationMessage(vscode.l10n.t('Exported the trace to {0}. Open it in Perfetto (ui.perfetto.dev) or chrome://tracing.', target) + note);
  return target;
}

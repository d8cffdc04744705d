/** "Open Recording" and "Export Trace": the runs kept in the workspace's storage. */
import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseRecordingName, type RecordingStore, type StoredRecording } from '../core/recordingStore';
import { findStage } from '../core/stages';
import { loadRecording } from '../core/trace/recordingFile';
import { writeChromeTrace } from '../core/trace/chromeExport';
import { RecordingPanel } from '../panel/recordingPanel';
import { stageLabel, stageTitle } from '../stageText';
import { type Ui } from '../ui';

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

/** Opens a recording in a panel of its own, or the file given (a URI from the explorer). */
export async function openRecording(extensionUri: vscode.Uri, store: RecordingStore, ui: Ui, fileArg?: unknown): Promise<RecordingPanel | undefined> {
  const file = fileArg instanceof vscode.Uri ? fileArg.fsPath : typeof fileArg === 'string' ? fileArg : (await pickRecording(store, vscode.l10n.t('Open which recording?'), ui))?.path;
  if (!file) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    void ui.showErrorMessage(vscode.l10n.t('Cannot read the recording {0}: {1}', file, (err as Error).message));
    return undefined;
  }
  const named = parseRecordingName(file);
  const stage = named && findStage(named.stageId);
  const panel = RecordingPanel.create(extensionUri, {
    title: stage ? vscode.l10n.t('Recording: {0}', stageTitle(stage)) : path.basename(file),
    mode: 'recording',
    recording: file,
    ...(stage ? { stage: { id: stage.id, number: stage.number, title: stageTitle(stage), model: stage.model } } : {}),
  });
  panel.append(bytes);
  panel.runEnded();
  return panel;
}

/** Writes a recording as Chrome Trace Event JSON (opens in Perfetto or chrome://tracing). */
export async function exportTrace(store: RecordingStore, ui: Ui, recordingArg?: unknown, targetArg?: unknown): Promise<string | undefined> {
  const source = typeof recordingArg === 'string' ? recordingArg : (await pickRecording(store, vscode.l10n.t('Export which recording?'), ui))?.path;
  if (!source) return undefined;
  const target =
    typeof targetArg === 'string'
      ? targetArg
      : (
          await vscode.window.showSaveDialog({
            defaultUri: vscode.Uri.file(source.replace(/\.smrec$/, '.trace.json')),
            filters: { [vscode.l10n.t('Chrome Trace Event JSON')]: ['json'] },
            saveLabel: vscode.l10n.t('Export'),
          })
        )?.fsPath;
  if (!target) return undefined;
  const { model, problems } = await loadRecording(source);
  await writeChromeTrace(model, target);
  const note = problems.length ? ` ${vscode.l10n.t('({0} problems in the recording were skipped.)', String(problems.length))}` : '';
  void ui.showInformationMessage(vscode.l10n.t('Exported the trace to {0}. Open it in Perfetto (ui.perfetto.dev) or chrome://tracing.', target) + note);
  return target;
}

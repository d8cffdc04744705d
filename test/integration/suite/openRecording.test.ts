/**
 * Recordings reach the panel's webview intact, in whatever host runs the suite (the served VS
 * Code of runOffline.mjs, or desktop): a real run's recording is read by the CLI's loader and
 * the number of events the webview reports drawing must be the same, for the live panel, for
 * Open Recording with a file and from the picker. Then the opened recording's source shows each
 * thread's line at the panel's step cursor, and Export Trace proposes the workspace folder.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/commands';
import type { ServerModelsApi } from '../../../src/extension';
import type { RecordingPanel } from '../../../src/panel/recordingPanel';
import type { DecoratedCursorLine, SourceAnnotations } from '../../../src/run/sourceAnnotations';
import { loadRecording } from '../../../src/core/trace/recordingFile';
import { syntheticRecording } from '../../../src/core/trace/syntheticRecording';
import { fakeUi } from './fakeUi';
import { waitFor } from './waitFor';

suite('Open Recording', () => {
  let api: ServerModelsApi;
  let recordingPath: string;
  /** What the CLI's loader (server-models trace export) reads from the recording. */
  let expectedEvents: number;
  /** 1-based lines of main.c that trace events name. */
  let tracedLines: Set<number>;

  suiteSetup(async function () {
    this.timeout(120_000);
    api = await vscode.extensions.getExtension<ServerModelsApi>('server-models.server-models')!.activate();
    await vscode.workspace.getConfiguration('serverModels').update('port', 0, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand(COMMANDS.runStage, '01-sequential');
    const session = api.run.currentSession;
    assert.ok(session, 'a run is going');
    await session.whenClientDone();
    await vscode.commands.executeCommand(COMMANDS.stopStage);
    const summary = await session.stop();
    assert.ok(summary, 'the run was recorded');
    recordingPath = summary.recordingPath;
    const { model, problems } = await loadRecording(recordingPath);
    assert.deepEqual(problems, []);
    expectedEvents = model.eventCount;
    assert.ok(expectedEvents > 20, `the recording holds events (${expectedEvents})`);
    tracedLines = new Set();
    for (let e = 0; e < model.eventCount; e++) {
      if (model.files[model.events.file.get(e)]?.endsWith('01-sequential/main.c') && model.events.line.get(e) > 0) tracedLines.add(model.events.line.get(e));
    }
    assert.ok(tracedLines.size > 0, 'events name lines of main.c');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand(COMMANDS.stopStage);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('serverModels').update('port', undefined, vscode.ConfigurationTarget.Global);
  });

  const drawnEvents = async (panel: RecordingPanel): Promise<number> => {
    await waitFor(() => panel.lastDrawn !== undefined, 'the panel to report what it drew', 30_000).catch((err: Error) => {
      throw new Error(`${err.message}; the panel's history: ${panel.history.join(' ')}`);
    });
    assert.deepEqual(panel.reportedErrors, [], 'the webview read the recording without errors');
    if (panel.history.includes('reload')) console.log(`[open recording] the webview was reloaded: ${panel.history.join(' ')}`);
    return panel.lastDrawn!.events;
  };

  test('the live panel drew every event of the recording', async () => {
    const panel = api.run.currentPanel;
    assert.ok(panel && !panel.isDisposed, 'the live panel is open');
    assert.equal(await drawnEvents(panel), expectedEvents);
  });

  /** Every decorated line is the thread's own line in main.c, or the call in main.c that led to it. */
  const assertThreadLines = (lines: readonly DecoratedCursorLine[], source: vscode.Uri): void => {
    const text = readFileSync(source.fsPath, 'utf8').split('\n');
    for (const l of lines) {
      if (l.via) {
        assert.match(text[l.line - 1], new RegExp(`\\b${l.via[0]}\\b`), `main.c:${l.line} (${l.laneName}) calls ${l.via.join(' › ')}`);
      } else {
        assert.ok(tracedLines.has(l.line), `main.c:${l.line} (${l.laneName}) is a line the trace names: ${[...tracedLines].join(', ')}`);
      }
      assert.match(l.themeColor, /^[\w.]+$/);
    }
  };

  const stepBackAndWait = async (panel: RecordingPanel, annotations: SourceAnnotations, source: vscode.Uri): Promise<readonly DecoratedCursorLine[]> => {
    // After loading, the cursor sits on the last event: step back into the run, and wait for the
    // webview to report where the stepped cursor is (not where the run's last event left it).
    const before = panel.lastCursorLines?.cursorNs;
    for (let i = 0; i < 5; i++) panel.control('stepPrevious');
    await waitFor(() => panel.lastCursorLines?.byUser === true && panel.lastCursorLines.cursorNs !== before, 'the webview to report the stepped cursor\'s lines');
    await waitFor(() => annotations.decoratedCursorLines(source).length > 0, 'the threads\' lines at the cursor to be decorated in main.c').catch((err: Error) => {
      throw new Error(`${err.message}; the webview reported ${JSON.stringify(panel.lastCursorLines)}`);
    });
    return annotations.decoratedCursorLines(source);
  };

  test('stepping the live run\'s panel highlights each thread\'s line in main.c', async () => {
    const panel = api.run.currentPanel!;
    const annotations = api.run.currentAnnotations!;
    const source = vscode.window.visibleTextEditors.find((e) => e.document.uri.path.endsWith('/01-sequential/main.c'))?.document.uri;
    assert.ok(source, 'the stage source is shown');
    assertThreadLines(await stepBackAndWait(panel, annotations, source), source);
  });

  test('Open Recording with the file: the webview draws as many events as the CLI reads, beside the stage source', async () => {
    const opened = await vscode.commands.executeCommand<boolean>(COMMANDS.openRecording, recordingPath);
    assert.equal(opened, true);
    const recording = api.lastOpenedRecording;
    assert.ok(recording, 'a recording was opened');
    assert.equal(await drawnEvents(recording.panel), expectedEvents);
    assert.ok(recording.source?.path.endsWith('/01-sequential/main.c'), `the stage source is known: ${recording.source?.toString()}`);
    assert.ok(
      vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === recording.source!.toString()),
      'the stage source is shown beside the panel',
    );
  });

  test('Open Recording from the picker draws the same', async () => {
    const picked: string[] = [];
    const ui = fakeUi(api, {}, {
      showQuickPick: <T extends vscode.QuickPickItem>(items: readonly T[]) => {
        const item = items.find((i) => (i as T & { recording?: { path: string } }).recording?.path === recordingPath);
        picked.push(...items.map((i) => i.label));
        return Promise.resolve(item);
      },
    });
    try {
      assert.equal(await vscode.commands.executeCommand<boolean>(COMMANDS.openRecording), true);
    } finally {
      ui.dispose();
    }
    assert.ok(picked.length > 0, 'the picker offered the recordings');
    const recording = api.lastOpenedRecording!;
    assert.equal(recording.panel.recording, recordingPath);
    assert.equal(await drawnEvents(recording.panel), expectedEvents);
  });

  test('stepping the opened recording highlights each thread\'s line in main.c', async () => {
    const { panel, annotations, source } = api.lastOpenedRecording!;
    assert.ok(source);
    assertThreadLines(await stepBackAndWait(panel, annotations, source), source);
  });

  test('Export Trace proposes <workspace folder>/<stage>-<time>.json and writes it', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(folder, 'the test workspace has a folder');
    const proposed: vscode.Uri[] = [];
    const target = path.join(mkdtempSync(path.join(tmpdir(), 'export-')), 'trace.json');
    const ui = fakeUi(api, { information: () => undefined }, {
      showSaveDialog: (options) => {
        if (options.defaultUri) proposed.push(options.defaultUri);
        return Promise.resolve(vscode.Uri.file(target));
      },
    });
    try {
      // The opened recording's panel is the active one: Export Trace exports what it shows.
      api.lastOpenedRecording!.panel.panel.reveal();
      await waitFor(() => api.lastOpenedRecording!.panel.panel.active, 'the recording panel to be active');
      assert.equal(await vscode.commands.executeCommand<string>(COMMANDS.exportTrace), target);
    } finally {
      ui.dispose();
    }
    assert.equal(proposed.length, 1, 'the save dialog was shown once');
    assert.equal(path.dirname(proposed[0].fsPath), folder.fsPath);
    assert.match(path.basename(proposed[0].fsPath), /^01-sequential-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.json$/);
    assert.ok(existsSync(target));
    const exported = JSON.parse(readFileSync(target, 'utf8')) as { traceEvents: unknown[] };
    assert.ok(exported.traceEvents.length > 0);
    rmSync(path.dirname(target), { recursive: true, force: true });
  });

  test('a large recording arrives whole, in chunks of a few megabytes', async function () {
    this.timeout(120_000);
    const dir = mkdtempSync(path.join(tmpdir(), 'large-recording-'));
    const file = path.join(dir, 'large.smrec');
    const bytes = syntheticRecording({ events: 1_000_000 });
    writeFileSync(file, bytes);
    const { model } = await loadRecording(file);
    const started = Date.now();
    try {
      assert.equal(await vscode.commands.executeCommand<boolean>(COMMANDS.openRecording, file), true);
      const { panel } = api.lastOpenedRecording!;
      assert.equal(await drawnEvents(panel), model.eventCount);
      const records = panel.history.filter((h) => h === 'out:records').length;
      // A figure for people, not a bound: the machine is shared.
      console.log(`[open recording] ${model.eventCount} events, ${(bytes.length / 1e6).toFixed(1)} MB: drawn ${Date.now() - started} ms after the command, ${records} records messages`);
      assert.ok(records >= Math.ceil(bytes.length / (4 << 20)) || panel.history.length >= 60, `sent in chunks: ${panel.history.join(' ')}`);
      panel.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

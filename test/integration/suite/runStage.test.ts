import assert from 'node:assert/strict';
import { readFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/commands';
import { loadRecording } from '../../../src/core/trace/recordingFile';
import type { ServerModelsApi } from '../../../src/extension';
import { waitFor } from './waitFor';
import { screenshot } from './screenshot';
import { processExists } from './processes';

suite('Run Stage', () => {
  let api: ServerModelsApi;

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<ServerModelsApi>('server-models.server-models')!.activate();
    // Port 0: the test must not depend on 8080 being free on the machine.
    await vscode.workspace.getConfiguration('serverModels').update('port', 0, vscode.ConfigurationTarget.Global);
    // With no editor open, Run Stage uses the shipped stages (not a playground).
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // The Concept Notes view follows a run only once it exists (this file may run alone).
    await vscode.commands.executeCommand('serverModels.notes.focus');
    await waitFor(() => api.views.notes, 'the Concept Notes view to resolve');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand(COMMANDS.stopStage);
    await vscode.workspace.getConfiguration('serverModels').update('port', undefined, vscode.ConfigurationTarget.Global);
  });

  for (const stageId of ['01-sequential', '06-epoll']) {
    test(`${stageId}: server and client terminals, the notes' log, a recording, and no process after Stop`, async function () {
      this.timeout(120_000);
      await vscode.commands.executeCommand(COMMANDS.runStage, stageId);
      const session = api.run.currentSession;
      assert.ok(session, 'a run is going');
      const pid = session.serverPid;
      assert.ok(pid && processExists(pid), 'the stage process runs');
      const names = vscode.window.terminals.map((t) => t.name);
      const number = stageId.slice(0, 2);
      assert.ok(names.some((n) => n.startsWith(`${number} · `) && !n.endsWith('client')), `a server terminal named after the stage in ${names.join(', ')}`);
      assert.ok(names.some((n) => n.startsWith(`${number} · `) && n.endsWith('client')), `a client terminal in ${names.join(', ')}`);
      assert.ok(vscode.window.activeTextEditor?.document.uri.path.endsWith(`/${stageId}/main.c`), 'the stage source is open');

      await waitFor(() => api.shownNote?.noteId === stageId, 'the Concept Notes view to follow the running stage');
      await session.whenClientDone();
      await screenshot(`run-${stageId}`);
      assert.ok(processExists(pid) && session.isRunning, 'the server keeps running after the client is done, until Stop');
      const editor = vscode.window.activeTextEditor!;
      await waitFor(() => (api.run.currentAnnotations?.decoratedLines(editor.document.uri).length ?? 0) > 0, 'the stage source to carry the run\'s figures');
      const summary = await vscode.commands.executeCommand(COMMANDS.stopStage).then(() => session.stop());
      assert.ok(!processExists(pid), 'Stop Stage leaves no stage process');
      assert.equal(api.run.currentSession, undefined);
      assert.ok(summary, 'the run was recorded');
      assert.ok(summary.streams >= 2, `server and client streams recorded (${summary.streams})`);
      assert.ok(summary.records > 20, `records were written (${summary.records})`);
      assert.deepEqual(summary.errors, []);

      const panel = api.run.currentPanel;
      assert.ok(panel && !panel.isDisposed, 'the panel is open');
      await waitFor(() => panel.lastDrawn !== undefined, 'the panel to draw the finished recording');
      const lanes = panel.lastDrawn!.lanes;
      // The lesson scenarios talk on two or more connections (01: three, 06: two beside idle ones).
      assert.ok(lanes.filter((l) => l.kind === 'client').length >= 2, `client lanes drawn: ${JSON.stringify(lanes)}`);
      const { model } = await loadRecording(summary.recordingPath);
      assert.equal(panel.lastDrawn!.events, model.eventCount, 'the live panel drew every event of the recording');
      assert.ok(lanes.some((l) => l.kind !== 'client'), 'at least one server lane drawn');

      const target = path.join(mkdtempSync(path.join(tmpdir(), 'export-')), 'trace.json');
      await vscode.commands.executeCommand(COMMANDS.exportTrace, summary.recordingPath, target);
      assert.ok(existsSync(target), 'Export Trace wrote the file');
      const exported = JSON.parse(readFileSync(target, 'utf8')) as { traceEvents: { ph: string; name: string; args?: { name?: string } }[] };
      const threadNames = exported.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args?.name ?? '');
      assert.ok(threadNames.filter((n) => /^conn\d+ \(client\)$/.test(n)).length >= 2, `client lanes in ${threadNames.join(', ')}`);
      assert.ok(threadNames.some((n) => !/^conn\d+ \(client\)$/.test(n)), 'at least one server lane');
    });
  }

  test('a stage run again continues in its two terminals instead of opening two more', async function () {
    this.timeout(120_000);
    const mine = () => vscode.window.terminals.filter((t) => t.name.startsWith('03 · '));
    for (let run = 1; run <= 2; run++) {
      await vscode.commands.executeCommand(COMMANDS.runStage, '03-blocking-io');
      const session = api.run.currentSession;
      assert.ok(session, `run ${run} is going`);
      await session.whenClientDone();
      await vscode.commands.executeCommand(COMMANDS.stopStage);
      await session.stop();
    }
    const names = mine().map((t) => t.name);
    assert.deepEqual(names.sort(), ['03 · Blocking I/O', '03 · Blocking I/O · client'], `one server and one client terminal after two runs (${names.join(', ')})`);
  });
});

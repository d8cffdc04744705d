/**
 * Run Stage when the stage ends on its own while it is in use, for real: the test sends the
 * running stage a real signal (SIGSEGV, as a crash would; SIGKILL, as `kill -9` or the
 * out-of-memory killer would; SIGTERM, as a `kill` would). The user gets one message through
 * the Ui seam that says what happened in words and what to do, the client is stopped, no stage
 * process is left, the recording ends cleanly and opens, and the Stages view says not running.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/commands';
import type { ServerModelsApi } from '../../../src/extension';
import type { RunSession } from '../../../src/run/runSession';
import { fakeUi, type FakeUi } from './fakeUi';
import { processExists, stageChildren } from './processes';
import { waitFor } from './waitFor';

suite('Run Stage: the stage ends on its own while in use', () => {
  let api: ServerModelsApi;

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<ServerModelsApi>('server-models.server-models')!.activate();
    await vscode.workspace.getConfiguration('serverModels').update('port', 0, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand(COMMANDS.stopStage);
    await vscode.workspace.getConfiguration('serverModels').update('port', undefined, vscode.ConfigurationTarget.Global);
  });

  /** The Stages view's item of a stage, as VS Code shows it. */
  async function stageItem(id: string): Promise<vscode.TreeItem> {
    const element = ((await api.stagesView.getChildren()) ?? []).find((e) => e.id === id);
    assert.ok(element, `the Stages view lists ${id}`);
    return api.stagesView.getTreeItem(element);
  }

  /**
   * Starts `stageId` and waits until it is in use: the client is still in its conversation (about
   * 2 s) and the recording has grown past its header. Returns the session, its pid and a flag
   * the client's end sets.
   */
  async function startInUse(stageId: string): Promise<{ session: RunSession; pid: number; client: { done: boolean } }> {
    await vscode.commands.executeCommand(COMMANDS.runStage, stageId);
    const session = api.run.currentSession;
    assert.ok(session, 'a run is going');
    const pid = session.serverPid;
    assert.ok(pid && processExists(pid), 'the stage process runs');
    const client = { done: false };
    void session.whenClientDone().then(() => (client.done = true));
    const recording = session.options.recordingPath;
    assert.ok(recording, 'the run is recorded');
    await waitFor(() => existsSync(recording) && statSync(recording).size > 4096, 'the recording to grow');
    assert.equal(client.done, false, 'the client is still talking to the stage');
    assert.equal((await stageItem(stageId)).contextValue, 'stage.running', 'the Stages view shows it running');
    return { session, pid, client };
  }

  /** What must hold after any unexpected end: nothing runs, the client stopped, the view says so. */
  async function assertEnded(stageId: string, session: RunSession, pid: number, client: { done: boolean }): Promise<void> {
    await waitFor(() => !session.isRunning && api.run.currentSession === undefined, 'the run to end');
    await waitFor(() => client.done, 'the client to stop', 5_000);
    assert.ok(!processExists(pid), 'the stage process is gone');
    assert.deepEqual(stageChildren(), [], 'no stage process is left');
    const item = await stageItem(stageId);
    assert.equal(item.contextValue, 'stage', 'the Stages view no longer shows it running');
    assert.ok(!String(item.description ?? '').includes('running'), `the item's description: ${String(item.description)}`);
  }

  /** The recording of the run: closed without damage, with the client's and the stage's lanes, and it opens. */
  async function assertRecordingOpens(session: RunSession): Promise<void> {
    const summary = await session.stop();
    assert.ok(summary, 'the run was recorded');
    assert.deepEqual(summary.errors, [], 'the recording ended cleanly');
    assert.ok(summary.streams >= 2, `the stage's and the client's streams are in it (${summary.streams})`);
    const opened = await vscode.commands.executeCommand<boolean>(COMMANDS.openRecording, summary.recordingPath);
    assert.equal(opened, true, 'Open Recording opens it');
    const target = path.join(mkdtempSync(path.join(tmpdir(), 'crash-export-')), 'trace.json');
    await vscode.commands.executeCommand(COMMANDS.exportTrace, summary.recordingPath, target);
    const exported = JSON.parse(readFileSync(target, 'utf8')) as { traceEvents: { ph: string; name: string; args?: { name?: string } }[] };
    const threads = exported.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args?.name ?? '');
    assert.ok(threads.some((n) => /^conn\d+ \(client\)$/.test(n)), `client lanes in ${threads.join(', ')}`);
    assert.ok(threads.some((n) => !/^conn\d+ \(client\)$/.test(n)), `a stage lane in ${threads.join(', ')}`);
  }

  function only(ui: FakeUi, kind: 'information' | 'warning' | 'error'): { message: string; items: readonly string[] } {
    const shown = ui.asked.filter((a) => a.kind !== 'quickPick');
    assert.equal(shown.length, 1, `one message: ${JSON.stringify(ui.asked)}`);
    assert.equal(shown[0].kind, kind, `a message of kind ${kind}: ${JSON.stringify(shown[0])}`);
    return shown[0];
  }

  test('06-epoll crashes with SIGSEGV while the client talks to it: one error in words, Show Terminal, nothing left, the recording opens', async function () {
    this.timeout(120_000);
    const ui = fakeUi(api, { error: (_message, items) => items.find((i) => i === 'Show Terminal') });
    try {
      const { session, pid, client } = await startInUse('06-epoll');
      // The client's terminal in front, so that Show Terminal has something to change.
      const clientTerminal = vscode.window.terminals.find((t) => t.name.startsWith('06 · ') && t.name.endsWith('client'));
      assert.ok(clientTerminal, 'the client terminal');
      clientTerminal.show(true);
      await waitFor(() => vscode.window.activeTerminal === clientTerminal, 'the client terminal to be active');

      process.kill(pid, 'SIGSEGV');
      await waitFor(() => ui.asked.length > 0, 'the message about the crash');
      await assertEnded('06-epoll', session, pid, client);
      const { message, items } = only(ui, 'error');
      assert.ok(message.startsWith('06-epoll crashed: segmentation fault (SIGSEGV).'), message);
      assert.ok(message.includes('The client was stopped and nothing is left running.'), message);
      assert.ok(message.includes('The recording up to that moment is kept (Open Recording).'), message);
      assert.ok(message.includes('Its terminal shows what it printed last: fix the cause, then run it again (Run Stage).'), message);
      assert.deepEqual(items, ['Show Terminal', 'Run Again']);
      assert.deepEqual(session.ending, { kind: 'crashed', signal: 'SIGSEGV' });
      // The answer above: the stage's own terminal comes to the front.
      await waitFor(() => {
        const name = vscode.window.activeTerminal?.name ?? '';
        return name.startsWith('06 · ') && !name.endsWith('client');
      }, `Show Terminal to bring the stage's terminal forward (active: ${vscode.window.activeTerminal?.name})`);

      const panel = api.run.currentPanel;
      assert.ok(panel && !panel.isDisposed, 'the panel is still open');
      assert.deepEqual(panel.shownNotices.map((n) => [n.level, n.text]), [['error', '06-epoll crashed: segmentation fault (SIGSEGV).']], 'the panel says it too');
      await waitFor(() => panel.lastDrawn !== undefined, 'the panel to draw the recording up to the crash');
      assert.ok(panel.lastDrawn!.lanes.some((l) => l.kind === 'client'), `client lanes drawn: ${JSON.stringify(panel.lastDrawn!.lanes)}`);
      await assertRecordingOpens(session);
    } finally {
      ui.dispose();
    }
  });

  test('02-thread-per-client killed with SIGKILL from outside: a warning that it did not crash by itself, and Run Again starts it again', async function () {
    this.timeout(120_000);
    const ui = fakeUi(api, { warning: (_message, items) => items.find((i) => i === 'Run Again') });
    try {
      const { session, pid, client } = await startInUse('02-thread-per-client');
      process.kill(pid, 'SIGKILL');
      await waitFor(() => ui.asked.length > 0, 'the message about the kill');
      assert.ok(!processExists(pid), 'the stage process is gone');
      await waitFor(() => client.done, 'the client to stop', 5_000);
      const { message, items } = only(ui, 'warning');
      assert.ok(message.startsWith('02-thread-per-client was ended by kill (SIGKILL), sent from outside the extension'), message);
      assert.ok(message.includes('it did not crash by itself.'), message);
      assert.ok(message.includes('The client was stopped and nothing is left running.'), message);
      assert.ok(message.endsWith('Run Stage starts it again.'), message);
      assert.deepEqual(items, ['Show Terminal', 'Run Again']);
      await assertRecordingOpens(session);

      // The answer above: a new run of the same stage.
      await waitFor(() => api.run.currentSession !== undefined && api.run.currentSession !== session, 'Run Again to start the stage again');
      const again = api.run.currentSession!;
      assert.equal(again.options.stage.id, '02-thread-per-client');
      const newPid = again.serverPid;
      assert.ok(newPid && newPid !== pid && processExists(newPid), 'a new stage process runs');
      await again.whenClientDone();
      const askedBefore = ui.asked.length;
      await vscode.commands.executeCommand(COMMANDS.stopStage);
      await again.stop();
      assert.equal(again.ending?.kind, 'requested', 'Stop is a stop the user asked for');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(ui.asked.slice(askedBefore), [], 'Stop Stage says nothing');
      assert.deepEqual(stageChildren(), [], 'no stage process is left');
    } finally {
      ui.dispose();
    }
  });

  test('06-epoll stopped with SIGTERM from outside: it exits with code 0, and the message says so without calling it a crash', async function () {
    this.timeout(120_000);
    const ui = fakeUi(api, { information: () => undefined, warning: () => undefined, error: () => undefined });
    try {
      const { session, pid, client } = await startInUse('06-epoll');
      process.kill(pid, 'SIGTERM');
      await waitFor(() => ui.asked.length > 0, 'the message about the stop');
      await assertEnded('06-epoll', session, pid, client);
      const { message } = only(ui, 'information');
      assert.ok(message.startsWith('06-epoll stopped by itself with exit code 0, as a stage does on SIGINT or SIGTERM from outside the extension'), message);
      assert.ok(!/crash/i.test(message), `not called a crash: ${message}`);
      assert.deepEqual(session.ending, { kind: 'stopped' });
      await assertRecordingOpens(session);
    } finally {
      ui.dispose();
    }
  });
});

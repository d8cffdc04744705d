import assert from 'node:assert/strict';
import { createServer, connect, type Server } from 'node:net';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/commands';
import type { ServerModelsApi } from '../../../src/extension';
import { installCommandFor, linuxDistro } from '../../../src/core/toolchain';
import { fakeUi } from './fakeUi';
import { processExists, stageChildren } from './processes';

const config = () => vscode.workspace.getConfiguration('serverModels');

/** A real listener on 127.0.0.1 holding a port, the way another server would. */
async function occupyPort(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return { server, port: address.port };
}

/** The first byte a stage sends on accept (`*`), read from host:port. */
function greeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(5_000, () => socket.destroy(new Error(`no greeting from port ${port} within 5 s`)));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString('latin1', 0, 1));
    });
    socket.once('error', reject);
  });
}

const PORT_BUSY = /^Port (\d+) on 127\.0\.0\.1 is already in use/;

suite('Run Stage: a busy port, a missing compiler', () => {
  let api: ServerModelsApi;
  let blocker: { server: Server; port: number };

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<ServerModelsApi>('server-models.server-models')!.activate();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    blocker = await occupyPort();
    await config().update('port', blocker.port, vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand(COMMANDS.stopStage);
    await config().update('port', undefined, vscode.ConfigurationTarget.Global);
    await config().update('compiler', undefined, vscode.ConfigurationTarget.Global);
    await new Promise((resolve) => blocker.server.close(resolve));
  });

  test('the configured port is busy: the user is asked, and accepting the free port starts the stage there', async function () {
    this.timeout(120_000);
    const ui = fakeUi(api, { warning: (_message, items) => items.find((i) => /^Use Port \d+$/.test(i)) });
    try {
      await vscode.commands.executeCommand(COMMANDS.runStage, '06-epoll');
      const warnings = ui.of('warning');
      assert.equal(warnings.length, 1, `one question: ${JSON.stringify(ui.asked)}`);
      assert.equal(PORT_BUSY.exec(warnings[0].message)?.[1], String(blocker.port), `the message names the busy port: ${warnings[0].message}`);
      const offered = Number(/^Use Port (\d+)$/.exec(warnings[0].items.find((i) => i.startsWith('Use Port')) ?? '')?.[1]);
      assert.ok(offered > 0 && offered !== blocker.port, `a different port is offered: ${warnings[0].items.join(', ')}`);

      const session = api.run.currentSession;
      assert.ok(session, 'the stage was started');
      assert.equal(session.port, offered, 'the stage listens on the offered port');
      const pid = session.serverPid;
      assert.ok(pid && processExists(pid), 'the stage process runs');
      assert.equal(await greeting(offered), '*', 'the stage answers on the offered port');
      assert.deepEqual(ui.of('error'), [], 'no error was shown');

      await session.whenClientDone();
      await vscode.commands.executeCommand(COMMANDS.stopStage);
      await session.stop();
      assert.ok(!processExists(pid), 'Stop Stage leaves no stage process');
    } finally {
      ui.dispose();
    }
  });

  test('the configured port is busy: dismissing the question starts nothing', async function () {
    this.timeout(120_000);
    const terminals = vscode.window.terminals.length;
    const ui = fakeUi(api, { warning: () => undefined });
    try {
      const result = await vscode.commands.executeCommand<unknown>(COMMANDS.runStage, '01-sequential');
      const warnings = ui.of('warning');
      assert.equal(warnings.length, 1, `one question: ${JSON.stringify(ui.asked)}`);
      assert.equal(PORT_BUSY.exec(warnings[0].message)?.[1], String(blocker.port), `the message names the busy port: ${warnings[0].message}`);
      assert.equal(result, undefined, 'the command started no run');
      assert.equal(api.run.currentSession, undefined, 'no run is going');
      assert.equal(vscode.window.terminals.length, terminals, 'no terminal was opened');
      assert.deepEqual(stageChildren(), [], 'no stage process runs');
      assert.deepEqual(ui.of('error'), [], 'no error was shown');
    } finally {
      ui.dispose();
    }
  });

  test('the compiler set in serverModels.compiler does not exist: the message names it and the install command, and nothing runs', async function () {
    this.timeout(120_000);
    const missing = 'server-models-no-such-cc';
    await config().update('compiler', missing, vscode.ConfigurationTarget.Global);
    const terminals = vscode.window.terminals.length;
    const tasksStarted: string[] = [];
    const taskWatch = vscode.tasks.onDidStartTask((e) => tasksStarted.push(e.execution.task.name));
    // The message stays up until the user answers; the command must end all the same.
    let answer: (choice: string | undefined) => void = () => undefined;
    const ui = fakeUi(api, { error: () => new Promise<string | undefined>((resolve) => (answer = resolve)) });
    try {
      const result = await vscode.commands.executeCommand<unknown>(COMMANDS.runStage, '01-sequential');
      assert.equal(result, undefined, 'the command started no run');
      const errors = ui.of('error');
      assert.equal(errors.length, 1, `one error: ${JSON.stringify(ui.asked)}`);
      const { message, items } = errors[0];
      assert.ok(message.startsWith('Cannot build 01-sequential'), message);
      assert.ok(message.includes(`"${missing}"`), `the message names the missing compiler: ${message}`);
      const install = installCommandFor(['compiler'], process.platform, process.platform === 'linux' ? await linuxDistro() : undefined);
      if (install) {
        assert.ok(message.includes(`Install with: ${install}`), `the message gives the install command "${install}": ${message}`);
        assert.deepEqual(items, ['Copy Install Command']);
      } else {
        assert.ok(!message.includes('Install with'), `no install command is known here, and none is made up: ${message}`);
      }
      assert.deepEqual(tasksStarted, [], 'no build task was started');
      assert.equal(vscode.tasks.taskExecutions.filter((t) => t.task.definition.type === 'serverModels').length, 0, 'no build task runs');
      assert.equal(api.run.currentSession, undefined, 'no run is going');
      assert.equal(vscode.window.terminals.length, terminals, 'no terminal was opened');
      assert.deepEqual(stageChildren(), [], 'no stage process runs');
    } finally {
      answer(undefined);
      taskWatch.dispose();
      ui.dispose();
      await config().update('compiler', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});

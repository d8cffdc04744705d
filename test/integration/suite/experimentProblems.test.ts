/**
 * A note's experiment when the compiler set in `serverModels.compiler` does not exist: the
 * experiment honours the setting as Run Stage does (that compiler alone, not quietly `$CC` or
 * `cc`), and the failure reaches the user through the Ui seam.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/commands';
import type { ServerModelsApi } from '../../../src/extension';
import { fakeUi } from './fakeUi';
import { stageChildren } from './processes';
import { waitFor } from './waitFor';

const config = () => vscode.workspace.getConfiguration('serverModels');

suite('Concept Notes experiments: a compiler that does not exist', () => {
  test('the experiment stops with a message naming the compiler setting; nothing is built or run', async function () {
    this.timeout(120_000);
    const api = await vscode.extensions.getExtension<ServerModelsApi>('server-models.server-models')!.activate();
    await vscode.commands.executeCommand(COMMANDS.openNotes, '01-sequential');
    await waitFor(() => api.shownNote?.noteId === '01-sequential', 'the 01 note on screen');
    const missing = 'server-models-no-such-cc';
    await config().update('compiler', missing, vscode.ConfigurationTarget.Global);
    const figureBefore = api.experiments.figures('en')['sequential-vs-threads'];
    const progress: string[] = [];
    const ui = fakeUi(api, { error: () => undefined }, {
      withProgress: (options, task) =>
        vscode.window.withProgress(options, (real, token) =>
          task({ report: (value) => (progress.push(value.message ?? ''), real.report(value)) }, token)),
    });
    try {
      const figure = await api.experiments.run('sequential-vs-threads', api.notes);
      assert.equal(figure, undefined, 'no figure: the experiment did not run');
      assert.ok(progress.includes('checking the compiler'), `the progress went through the Ui seam: ${JSON.stringify(progress)}`);
      assert.ok(!progress.some((m) => m.startsWith('building')), `nothing was built: ${JSON.stringify(progress)}`);
      const errors = ui.of('error');
      assert.equal(errors.length, 1, `one error: ${JSON.stringify(ui.asked)}`);
      const { message } = errors[0];
      assert.ok(message.startsWith('The experiment did not finish: cannot build 01-sequential: missing a C compiler'), message);
      assert.ok(message.includes(`The setting serverModels.compiler is "${missing}": only that compiler is used.`), `the message names the setting: ${message}`);
      assert.equal(api.experiments.figures('en')['sequential-vs-threads'], figureBefore, 'the kept figure is unchanged');
      assert.deepEqual(stageChildren(), [], 'no stage process runs');
    } finally {
      ui.dispose();
      await config().update('compiler', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});

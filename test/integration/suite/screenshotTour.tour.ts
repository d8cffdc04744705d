/**
 * The screenshot tour (`npm run screenshots`, scripts/screenshots.mjs; not part of `npm test`):
 * a default Run Stage of each stage in turn, in the served VS Code at the size the runner's
 * VIEWPORT gives, and a picture of the workbench once the stage's client has finished and the
 * panel has drawn the run, into the runner's SCREENSHOT_DIR. index.ts loads it only when
 * SERVER_MODELS_SCREENSHOT_TOUR=1 (and then no test file). SERVER_MODELS_TOUR_STAGES (comma-separated ids) picks stages;
 * SERVER_MODELS_TOUR_SUFFIX is added to every picture's name (e.g. `-ko`).
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/commands';
import { STAGES } from '../../../src/core/stages';
import type { ServerModelsApi } from '../../../src/extension';
import { screenshot } from './screenshot';
import { waitFor } from './waitFor';

const chosen = (process.env.SERVER_MODELS_TOUR_STAGES ?? '').split(',').filter(Boolean);
const suffix = process.env.SERVER_MODELS_TOUR_SUFFIX ?? '';

suite('Screenshot tour', function () {
  let api: ServerModelsApi;

  suiteSetup(async function () {
    api = await vscode.extensions.getExtension<ServerModelsApi>('server-models.server-models')!.activate();
    // Port 0: 8080 may be taken on this machine; everything else is what a user gets.
    await vscode.workspace.getConfiguration('serverModels').update('port', 0, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('serverModels.notes.focus');
    await waitFor(() => api.views.notes, 'the Concept Notes view to resolve');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand(COMMANDS.stopStage);
    await vscode.workspace.getConfiguration('serverModels').update('port', undefined, vscode.ConfigurationTarget.Global);
  });

  for (const stage of STAGES.filter((s) => chosen.length === 0 || chosen.includes(s.id))) {
    test(`${stage.id}: a default Run Stage, once its client is done`, async function () {
      this.timeout(240_000);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand(COMMANDS.runStage, stage.id);
      const session = api.run.currentSession;
      assert.ok(session, `${stage.id} runs`);
      await session.whenClientDone();
      // Stopping makes the panel a recording of the whole run and report that it drew it.
      await vscode.commands.executeCommand(COMMANDS.stopStage);
      await session.stop();
      const panel = api.run.currentPanel;
      assert.ok(panel && !panel.isDisposed, 'the panel is open');
      await waitFor(() => panel.lastDrawn !== undefined, 'the panel to draw the run', 60_000);
      const file = await screenshot(`${stage.id}${suffix}`);
      console.log(`[tour] ${stage.id}: ${panel.lastDrawn!.events} events, ${panel.lastDrawn!.lanes.length} lanes drawn${file ? ` -> ${file}` : ''}`);
    });
  }
});

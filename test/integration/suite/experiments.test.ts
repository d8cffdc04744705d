import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/commands';
import type { ServerModelsApi } from '../../../src/extension';
import { waitFor } from './waitFor';

suite('Concept Notes experiments', () => {
  test('"5 clients on 01 vs 02" runs from the note and writes its figure', async function () {
    this.timeout(120_000);
    const api = await vscode.extensions.getExtension<ServerModelsApi>('server-models.server-models')!.activate();
    await vscode.commands.executeCommand(COMMANDS.openNotes, '01-sequential');
    await waitFor(() => api.shownNote?.noteId === '01-sequential', 'the 01 note on screen');
    const figure = await api.experiments.run('sequential-vs-threads', api.notes);
    assert.ok(figure, 'the experiment finished');
    assert.match(figure.en, /^On this machine: 5 clients took \d+\.\d s one at a time, \d\.\d\d s with a thread each\.$/);
    const seconds = [...figure.en.matchAll(/(\d+\.\d+) s/g)].map((m) => Number(m[1]));
    assert.ok(seconds[0] >= 3 * seconds[1], `one at a time is much slower: ${figure.en}`);
    assert.equal(api.experiments.figures('en')['sequential-vs-threads'], figure.en, 'the figure is kept for next time');
    assert.ok(api.experiments.figures('ko')['sequential-vs-threads'].length > 10, 'and in Korean');
  });
});

/**
 * The notes' experiment buttons: runs the experiment (src/core/experimentRunner) with a
 * cancellable progress notification, writes the measured figure into the note, and keeps it in
 * the workspace's state so the note shows it next time ("on this machine: …").
 */
import * as vscode from 'vscode';
import { findExperiment } from '../core/experiments';
import { runExperiment } from '../core/experimentRunner/runExperiment';
import { ExperimentError, type ExperimentProgress } from '../core/experimentRunner/types';
import { type Localized, type NoteLanguage } from '../core/notes/language';
import { readSettings, toolchainProbeOptions } from '../settings';
import { type StageSources } from '../run/stageBuild';
import { requireTrust } from '../trust';
import { type Ui } from '../ui';

const FIGURES_KEY = 'serverModels.experimentFigures';

export interface ExperimentView {
  showFigure(experimentId: string, text: string, running?: boolean): void;
  readonly language: NoteLanguage;
}

export class ExperimentController {
  private running = new Set<string>();

  constructor(
    private readonly state: vscode.Memento,
    private readonly sources: () => StageSources,
    /** The error message and the cancellable progress notification go through here. */
    private readonly ui: Ui,
  ) {}

  /** The last figure of every experiment measured here, in `language`. */
  figures(language: NoteLanguage): Record<string, string> {
    const stored = this.state.get<Record<string, Localized>>(FIGURES_KEY, {});
    return Object.fromEntries(Object.entries(stored).map(([id, figure]) => [id, figure[language]]));
  }

  async run(experimentId: string, view: ExperimentView): Promise<Localized | undefined> {
    const experiment = findExperiment(experimentId);
    if (!experiment || this.running.has(experimentId)) return undefined;
    if (!requireTrust('experiment', this.ui)) return undefined;
    this.running.add(experimentId);
    view.showFigure(experimentId, vscode.l10n.t('Running the experiment…'), true);
    const previous = this.figures(view.language)[experimentId];
    const settings = readSettings();
    try {
      const result = await this.ui.withProgress(
        { location: vscode.ProgressLocation.Notification, cancellable: true, title: experiment.title[view.language] },
        async (progress, token) => {
          const abort = new AbortController();
          const cancel = token.onCancellationRequested(() => abort.abort());
          let done = 0;
          try {
            const sources = this.sources();
            return await runExperiment(experiment, {
              serversDir: sources.serversDir,
              buildDir: sources.buildDir,
              // The compiler setting is honoured as Run Stage honours it: when set, only that one.
              toolchain: toolchainProbeOptions(settings),
              host: settings.host,
              signal: abort.signal,
              onProgress: (p) => {
                const percent = Math.round(p.fraction * 100);
                progress.report({ message: describeProgress(p), increment: Math.max(0, percent - done) });
                done = Math.max(done, percent);
              },
            });
          } finally {
            cancel.dispose();
          }
        },
      );
      const stored = this.state.get<Record<string, Localized>>(FIGURES_KEY, {});
      await this.state.update(FIGURES_KEY, { ...stored, [experimentId]: result.figure });
      view.showFigure(experimentId, result.figure[view.language]);
      return result.figure;
    } catch (err) {
      view.showFigure(experimentId, previous ?? vscode.l10n.t('Not measured on this machine yet.'));
      if (err instanceof ExperimentError && err.failure === 'cancelled') return undefined;
      const detail = err instanceof ExperimentError && err.output ? `\n${err.output.split('\n').slice(-5).join('\n')}` : '';
      // "missing a C compiler" alone would not say that the compiler the user set is the one missing.
      const chosen = err instanceof ExperimentError && err.missing?.includes('compiler') && settings.compiler
        ? ` ${vscode.l10n.t('The setting serverModels.compiler is "{0}": only that compiler is used.', settings.compiler)}`
        : '';
      void this.ui.showErrorMessage(vscode.l10n.t('The experiment did not finish: {0}', err instanceof Error ? err.message : String(err)) + chosen + detail);
      return undefined;
    } finally {
      this.running.delete(experimentId);
    }
  }
}

function describeProgress(p: ExperimentProgress): string {
  const what = p.run ? ` ${p.run}` : '';
  switch (p.phase) {
    case 'checking-toolchain': return vscode.l10n.t('checking the compiler');
    case 'building': return vscode.l10n.t('building{0}', what);
    case 'starting-stage': return vscode.l10n.t('starting {0}', p.stage ?? what);
    case 'running-clients': return vscode.l10n.t('run {0} of {1}: clients at work', String((p.runIndex ?? 0) + 1), String(p.runCount));
    case 'stopping-stage': return vscode.l10n.t('stopping {0}', p.stage ?? what);
    case 'done': return vscode.l10n.t('done');
  }
}

/**
 * Runs one experiment of experiments.ts exactly as declared (build, then each run in order) and
 * returns every measured value with the figure phrased in English and Korean: what a Concept
 * Notes button does. Cancel with options.signal; follow with options.onProgress.
 */
import { EXPERIMENTS, findExperiment, formatFigure, type Experiment } from '../experiments';
import { NOTE_LANGUAGES, type Localized, type NoteLanguage } from '../notes/language';
import { buildExperimentStages } from './buildStages';
import { runOnce } from './runOnce';
import { scaleRun } from './timeScale';
import {
  ExperimentError,
  outcomeValue,
  type ExperimentPhase,
  type ExperimentResult,
  type ExperimentRunnerOptions,
  type MeasureOutcome,
  type RunReport,
} from './types';

/** Where each phase of a run sits inside the run's share of the progress bar. */
const PHASE_SHARE: Readonly<Record<'starting-stage' | 'running-clients' | 'stopping-stage', number>> = {
  'starting-stage': 0,
  'running-clients': 0.1,
  'stopping-stage': 0.9,
};
/** The share of the bar that building takes. */
const BUILD_SHARE = 0.1;

/** The figure in every note language. */
export function phraseFigure(experiment: Experiment, outcomes: Readonly<Record<string, MeasureOutcome>>): Localized {
  const phrase = (language: NoteLanguage) =>
    formatFigure(experiment, language, Object.fromEntries(Object.entries(outcomes).map(([id, o]) => [id, outcomeValue(o, language)])));
  return Object.fromEntries(NOTE_LANGUAGES.map((language) => [language, phrase(language)])) as Record<NoteLanguage, string>;
}

export async function runExperiment(experimentOrId: Experiment | string, options: ExperimentRunnerOptions): Promise<ExperimentResult> {
  const experiment = typeof experimentOrId === 'string' ? findExperiment(experimentOrId) : experimentOrId;
  if (!experiment) {
    throw new ExperimentError('unknown-experiment', `no experiment "${experimentOrId as string}"; known: ${EXPERIMENTS.map((e) => e.id).join(', ')}`);
  }
  const startedAt = new Date().toISOString();
  const runCount = experiment.runs.length;
  const progress = (phase: ExperimentPhase, fraction: number, message: string, runIndex?: number) => {
    const run = runIndex === undefined ? undefined : experiment.runs[runIndex];
    options.onProgress?.({ phase, runCount, fraction, message, ...(run ? { run: run.label, stage: run.stage, runIndex } : {}) });
  };
  if (options.signal?.aborted) throw new ExperimentError('cancelled', 'cancelled');

  const binaries = await buildExperimentStages(experiment, options, (message) =>
    progress(message.startsWith('building') ? 'building' : 'checking-toolchain', 0, message),
  );
  const outcomes: Record<string, MeasureOutcome> = {};
  const reports: RunReport[] = [];
  for (const [index, declared] of experiment.runs.entries()) {
    const run = scaleRun(declared, options.timeScale ?? 1);
    const result = await runOnce(
      run,
      experiment.measures.filter((m) => m.run === run.label),
      {
        binary: binaries.get(run.label)!,
        host: options.host ?? '127.0.0.1',
        ...(options.signal ? { signal: options.signal } : {}),
        onMessage: (phase, message) =>
          progress(phase, BUILD_SHARE + ((1 - BUILD_SHARE) * (index + PHASE_SHARE[phase])) / runCount, `${run.label}: ${message}`, index),
      },
    );
    for (const [id, outcome] of result.outcomes) outcomes[id] = outcome;
    reports.push(result.report);
  }
  const figure = phraseFigure(experiment, outcomes);
  progress('done', 1, figure.en);
  return { experimentId: experiment.id, startedAt, outcomes, figure, runs: reports };
}

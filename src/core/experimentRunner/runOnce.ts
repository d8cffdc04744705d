/**
 * One run of an experiment: start the stage on a free port, watch it from the OS, run every
 * client group on its schedule, then stop the stage and measure. The stage is stopped on every
 * path (done, deadline, cancel, crash), and every client connection is closed before this returns.
 */
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { checkFdLimit, readFdLimits } from '../bench/fdLimit';
import { type ExperimentRun, type Measure } from '../experiments';
import { TRACE_ENV } from '../trace/format';
import { StageProcess, StageStartError } from '../stageProcess';
import { type GroupOutcome } from './clients/groupOutcome';
import { runGroup } from './clients/runGroup';
import { measureOutcome, SAMPLE_OF } from './measures';
import { ServerSampler, type SamplerNeeds } from './server/serverSampler';
import { LOG_METRICS } from './stageLog';
import { ExperimentError, type MeasureOutcome, type RunReport } from './types';

export interface RunOnceOptions {
  readonly binary: string;
  readonly host: string;
  readonly signal?: AbortSignal;
  readonly onMessage: (phase: 'starting-stage' | 'running-clients' | 'stopping-stage', message: string) => void;
}

export interface RunOnceResult {
  readonly outcomes: ReadonlyMap<string, MeasureOutcome>;
  readonly report: RunReport;
}

const PROBLEMS_KEPT = 5;
const OUTPUT_KEPT = 30;

function samplerNeeds(measures: readonly Measure[]): SamplerNeeds {
  const needed = new Set(measures.map((m) => SAMPLE_OF[m.metric]));
  return { cpu: needed.has('cpu'), threads: needed.has('threads'), memory: needed.has('memory'), switches: needed.has('switches'), fdTable: needed.has('fdTable') };
}

/** The stage's flags: its own, plus --quiet unless a measure reads its log (log lines cost the server CPU). */
export function stageArgs(run: ExperimentRun, measures: readonly Measure[]): string[] {
  const readsLog = measures.some((m) => LOG_METRICS.has(m.metric));
  return [...(run.args ?? []), ...(readsLog ? [] : ['--quiet'])];
}

function problemsOf(groups: readonly GroupOutcome[]): string[] {
  const problems: string[] = [];
  for (const group of groups) {
    group.connections.forEach((record, i) => {
      if (record.problem && problems.length < PROBLEMS_KEPT) problems.push(`${group.label} #${i}: ${record.problem}`);
    });
  }
  return problems;
}

function tail(lines: readonly string[]): string {
  return lines.slice(-OUTPUT_KEPT).join('\n');
}

export async function runOnce(run: ExperimentRun, measures: readonly Measure[], options: RunOnceOptions): Promise<RunOnceResult> {
  const connections = run.clients.reduce((n, g) => n + g.count, 0);
  const fdVerdict = checkFdLimit(connections, readFdLimits());
  if (!fdVerdict.ok) throw new ExperimentError('fd-limit', fdVerdict.message, run.label);
  if (options.signal?.aborted) throw new ExperimentError('cancelled', 'cancelled', run.label);

  const args = stageArgs(run, measures);
  options.onMessage('starting-stage', `starting ${run.stage} ${args.join(' ')}`.trim());
  let stage: StageProcess;
  try {
    // An empty trace variable: the stage runs untraced even if the caller's environment names a sink.
    stage = await StageProcess.start({ binary: options.binary, host: options.host, port: 0, extraArgs: args, env: { [TRACE_ENV]: '' } });
  } catch (err) {
    if (err instanceof StageStartError) throw new ExperimentError('stage-start', err.message, run.label, err.output);
    throw err;
  }

  const stop = new AbortController();
  // Every notes connection of the run listens to it (the socket scripts share one listener per group).
  setMaxListeners(0, stop.signal);
  const stopWith = (reason: 'deadline' | 'cancelled' | 'stage-exited') => {
    if (!stop.signal.aborted) stop.abort(reason);
  };
  const onCancel = () => stopWith('cancelled');
  options.signal?.addEventListener('abort', onCancel);
  const deadline = setTimeout(() => stopWith('deadline'), run.deadlineMs);
  void stage.whenExited().then(() => stopWith('stage-exited'));
  let sampler: ServerSampler | undefined;
  let groups: GroupOutcome[] = [];
  try {
    sampler = await ServerSampler.start(stage.pid!, samplerNeeds(measures));
    options.onMessage('running-clients', `${connections} client${connections === 1 ? '' : 's'} against ${run.stage}`);
    const runStartMs = performance.now();
    groups = await Promise.all(
      run.clients.map((group) =>
        runGroup(group, {
          host: stage.host, port: stage.port, signal: stop.signal, runStartMs,
          onConnected: (label, connected) => options.onMessage('running-clients', `${label}: ${connected} of ${group.count} connected`),
        }),
      ),
    );
    const clientSeconds = (performance.now() - runStartMs) / 1000;
    const reason = stop.signal.aborted ? (stop.signal.reason as 'deadline' | 'cancelled' | 'stage-exited') : undefined;
    const samples = await sampler.stop();
    sampler = undefined;
    if (reason === 'deadline') throw new ExperimentError('deadline', `run "${run.label}" did not finish within ${run.deadlineMs} ms`, run.label, tail(stage.lines));
    if (reason === 'cancelled') throw new ExperimentError('cancelled', 'cancelled', run.label);
    if (reason === 'stage-exited') {
      const exit = stage.exit;
      throw new ExperimentError('stage-exited', `${run.stage} exited during the run (${exit?.signal ?? `code ${String(exit?.code)}`})`, run.label, tail(stage.lines));
    }
    const measurements = { run, groups, samples, lines: stage.lines };
    const outcomes = new Map(measures.map((m) => [m.id, measureOutcome(m, measurements)]));
    return { outcomes, report: { label: run.label, stage: run.stage, args, clientSeconds, problems: problemsOf(groups) } };
  } finally {
    clearTimeout(deadline);
    options.signal?.removeEventListener('abort', onCancel);
    stop.abort('done'); // ends any client still waiting
    if (sampler) await sampler.stop();
    options.onMessage('stopping-stage', `stopping ${run.stage}`);
    await stage.stop();
    for (const group of groups) group.release();
  }
}

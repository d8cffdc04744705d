/**
 * Builds the stages an experiment runs, through the toolchain module (probe, make invocation).
 * A run with `make` variables (08: BACKEND=select) builds into a folder of its own under the build
 * directory, because make does not rebuild when only a variable changes (servers/08-ae/stage.mk).
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { type Experiment, type ExperimentRun } from '../experiments';
import { findStage } from '../stages';
import { makeInvocation, probeToolchain, runMake, stageBinaryPath, stageBuildability, type MakeInvocation } from '../toolchain';
import { ExperimentError, type ExperimentRunnerOptions } from './types';

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const VARIABLE_VALUE = /^[A-Za-z0-9_.-]+$/;
const MAKE_OUTPUT_KEPT = 40;

function makeVariables(run: ExperimentRun): string[] {
  return Object.entries(run.make ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => {
      if (!VARIABLE.test(name) || !VARIABLE_VALUE.test(value)) throw new Error(`bad make variable ${name}=${value} in run "${run.label}"`);
      return `${name}=${value}`;
    });
}

/** The build folder of a run: the build directory, or a subfolder named after its make variables. */
export function runBuildDir(buildDir: string, run: ExperimentRun): string {
  const variables = makeVariables(run);
  return variables.length === 0 ? buildDir : join(buildDir, `make-${variables.join('-').replace(/=/g, '-')}`);
}

/** make with the run's variables added: command-line variables override the Makefile's wherever they stand. */
function withVariables(invocation: MakeInvocation, variables: readonly string[]): MakeInvocation {
  return { ...invocation, args: [...invocation.args, ...variables] };
}

/** Builds (unless options.build is false) and returns each run's binary, by run label. */
export async function buildExperimentStages(
  experiment: Experiment,
  options: ExperimentRunnerOptions,
  onMessage: (message: string) => void,
): Promise<Map<string, string>> {
  const binaries = new Map(experiment.runs.map((run) => [run.label, stageBinaryPath(runBuildDir(options.buildDir, run), run.stage)]));
  if (options.build === false) {
    for (const [label, binary] of binaries) {
      await access(binary).catch(() => {
        throw new ExperimentError('build', `${binary} does not exist: build the stages first`, label);
      });
    }
    return binaries;
  }
  onMessage('checking the compiler and make');
  const status = await probeToolchain(options.toolchain ?? {});
  for (const run of experiment.runs) {
    const stage = findStage(run.stage);
    const verdict = stage && stageBuildability(stage, status);
    if (verdict && !verdict.buildable) throw new ExperimentError('toolchain', `cannot build ${run.stage}: ${verdict.reason ?? 'missing tools'}`, run.label, undefined, verdict.missing);
  }
  // One make per build folder, with every stage it needs.
  const byFolder = new Map<string, { variables: string[]; stages: Set<string> }>();
  for (const run of experiment.runs) {
    const folder = runBuildDir(options.buildDir, run);
    const entry = byFolder.get(folder) ?? { variables: makeVariables(run), stages: new Set<string>() };
    entry.stages.add(run.stage);
    byFolder.set(folder, entry);
  }
  for (const [folder, { variables, stages }] of byFolder) {
    onMessage(`building ${[...stages].join(', ')}${variables.length ? ` with ${variables.join(' ')}` : ''}`);
    const invocation = withVariables(
      makeInvocation({ serversDir: options.serversDir, buildDir: folder, stages: [...stages], ...(status.compiler ? { compiler: status.compiler } : {}) }, status.make),
      variables,
    );
    const output: string[] = [];
    const code = await runMake(invocation, (line) => output.push(line) > MAKE_OUTPUT_KEPT && output.shift(), options.signal).catch((err: Error) => {
      if (options.signal?.aborted) throw new ExperimentError('cancelled', 'cancelled while building');
      throw new ExperimentError('build', `make could not run: ${err.message}`);
    });
    if (options.signal?.aborted) throw new ExperimentError('cancelled', 'cancelled while building');
    if (code !== 0) throw new ExperimentError('build', `make failed (exit code ${code})`, undefined, output.join('\n'));
  }
  return binaries;
}

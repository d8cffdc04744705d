/**
 * A shorter version of a run for tests (ExperimentRunnerOptions.timeScale): holds, ping-pong
 * durations, echo counts and group start times shrink; send intervals, the notes' conversation,
 * work requests and deadlines stay, so each figure keeps its meaning (rates, ratios, who waits
 * for whom), only over less time.
 */
import { type ClientGroup, type ClientScript, type ExperimentRun } from '../experiments';

function scaleScript(script: ClientScript, scale: number): ClientScript {
  const ms = (value: number | undefined) => (value === undefined ? undefined : Math.round(value * scale));
  switch (script.kind) {
    case 'notes':
      return script.holdMs === undefined ? script : { ...script, holdMs: ms(script.holdMs) };
    case 'idle':
      return { ...script, holdMs: ms(script.holdMs)! };
    case 'echo':
      return { ...script, count: Math.max(1, Math.ceil(script.count * scale)), ...(script.holdMs === undefined ? {} : { holdMs: ms(script.holdMs) }) };
    case 'ping-pong':
      return { ...script, durationMs: ms(script.durationMs)! };
    case 'work':
      return script.holdMs === undefined ? script : { ...script, holdMs: ms(script.holdMs) };
  }
}

export function scaleRun(run: ExperimentRun, scale: number): ExperimentRun {
  if (!(scale > 0 && scale <= 1)) throw new RangeError(`timeScale must be in (0, 1], got ${scale}`);
  if (scale === 1) return run;
  const clients = run.clients.map(
    (group): ClientGroup => ({
      ...group,
      script: scaleScript(group.script, scale),
      ...(group.startAtMs === undefined ? {} : { startAtMs: Math.round(group.startAtMs * scale) }),
    }),
  );
  return { ...run, clients };
}

/** `server-models trace export <recording> --chrome OUT.json`: a recording for Perfetto. */
import { resolve } from 'node:path';
import { writeChromeTrace } from '../trace/chromeExport';
import { loadRecording } from '../trace/recordingFile';
import { flag, parseCommand, stringValue, UsageError } from './args';
import { CliFailure, type CliContext } from './cliContext';
import { usageOf } from './usage';

export async function traceCommand(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const parsed = parseCommand('trace', argv, { chrome: { type: 'string' } }, { min: 0, max: 2 });
  if (flag(parsed, 'help')) {
    ctx.io.out(usageOf('trace'));
    return 0;
  }
  const [action, recording] = parsed.positionals;
  if (action !== 'export') throw new UsageError(action ? `unknown trace action '${action}'` : 'missing action: trace export', 'trace');
  if (!recording) throw new UsageError('missing the recording to export', 'trace');
  const out = stringValue(parsed, 'chrome');
  if (!out) throw new UsageError('--chrome OUT.json is required (the only export format so far)', 'trace');
  let loaded: Awaited<ReturnType<typeof loadRecording>>;
  try {
    loaded = await loadRecording(resolve(recording));
  } catch (err) {
    throw new CliFailure(`cannot read ${recording}: ${err instanceof Error ? err.message : String(err)}`);
  }
  for (const problem of loaded.problems) ctx.io.err(`${recording}: ${problem}`);
  if (loaded.model.eventCount === 0 && loaded.problems.length > 0) throw new CliFailure(`${recording} holds no events`);
  await writeChromeTrace(loaded.model, resolve(out));
  ctx.io.err(`wrote ${out}: ${loaded.model.eventCount} events`);
  return 0;
}

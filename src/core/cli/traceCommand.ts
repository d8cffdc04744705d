/**
 * `server-models trace export <recording> --chrome OUT.json [--keep-going]`: a recording for
 * Perfetto, streamed (memory does not grow with the recording). A damaged recording is refused
 * in one line that says what is wrong and at which byte (exit 1, nothing written); with
 * --keep-going what can be read is written, the problem is still reported, and the exit code is
 * 3 so that a script can tell a partial export from a whole one.
 */
import { resolve } from 'node:path';
import { exportRecordingAsChrome, ExportFileError, RecordingChangedError, type ChromeExportResult } from '../trace/chromeStream';
import { flag, parseCommand, stringValue, UsageError } from './args';
import { CliFailure, type CliContext } from './cliContext';
import { traceRequestsCommand } from './traceRequestsCommand';
import { usageOf } from './usage';

/** Exit code of an export that wrote what it could of a damaged recording (--keep-going). */
export const EXIT_EXPORTED_DAMAGED = 3;

/** The one line about a damaged recording: what, where, how many more, and what to do. */
function damageLine(recording: string, result: ChromeExportResult, keepGoing: boolean): string {
  const first = result.problems[0];
  const more = result.problemCount > 1 ? ` (and ${result.problemCount - 1} more problems)` : '';
  const cause = first.kind === 'truncated' ? 'the file ends early (an unfinished copy, or a writer that stopped mid-write)' : 'the file is damaged';
  const todo = keepGoing ? `exported what could be read (${result.events} events)` : 're-record it, or add --keep-going to export what can be read';
  return `${recording}, byte ${first.offset}: ${first.message}${more}; ${cause}: ${todo}`;
}

export async function traceCommand(ctx: CliContext, argv: readonly string[]): Promise<number> {
  if (argv[0] === 'requests') return traceRequestsCommand(ctx, argv.slice(1));
  const parsed = parseCommand('trace', argv, { chrome: { type: 'string' }, 'keep-going': { type: 'boolean' } }, { min: 0, max: 2 });
  if (flag(parsed, 'help')) {
    ctx.io.out(usageOf('trace'));
    return 0;
  }
  const [action, recording] = parsed.positionals;
  if (action !== 'export') throw new UsageError(action ? `unknown trace action '${action}'` : 'missing action: trace export', 'trace');
  if (!recording) throw new UsageError('missing the recording to export', 'trace');
  const out = stringValue(parsed, 'chrome');
  if (!out) throw new UsageError('--chrome OUT.json is required (the only export format so far)', 'trace');
  const keepGoing = flag(parsed, 'keep-going');
  let result: ChromeExportResult;
  try {
    result = await exportRecordingAsChrome(resolve(recording), resolve(out), { keepGoing });
  } catch (err) {
    if (err instanceof ExportFileError || err instanceof RecordingChangedError) throw new CliFailure(err.message);
    throw err;
  }
  if (!result.written) throw new CliFailure(damageLine(recording, result, false));
  if (result.problemCount > 0) ctx.io.err(`server-models: warning: ${damageLine(recording, result, true)}`);
  ctx.io.err(`wrote ${out}: ${result.events} events`);
  return result.problemCount > 0 ? EXIT_EXPORTED_DAMAGED : 0;
}

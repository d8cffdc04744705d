/** `server-models stages`: the stages in order, their model, and whether this machine can build them. */
import { STAGES } from '../stages';
import { probeToolchain, stageBuildability } from '../toolchain';
import { flag, parseCommand } from './args';
import type { CliContext } from './cliContext';
import { usageOf } from './usage';

export async function stagesCommand(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const parsed = parseCommand('stages', argv, { json: { type: 'boolean' } }, { min: 0, max: 0 });
  if (flag(parsed, 'help')) {
    ctx.io.out(usageOf('stages'));
    return 0;
  }
  const status = await probeToolchain({ env: ctx.env });
  const rows = STAGES.map((stage) => ({ stage, verdict: stageBuildability(stage, status) }));
  if (flag(parsed, 'json')) {
    ctx.io.out(
      JSON.stringify(
        rows.map(({ stage, verdict }) => ({
          id: stage.id,
          title: stage.title,
          model: stage.model,
          notes_section: stage.notesSection,
          buildable: verdict.buildable,
          missing: verdict.missing,
          install_command: verdict.installCommand ?? null,
        })),
        null,
        2,
      ),
    );
    return 0;
  }
  const idWidth = Math.max(...STAGES.map((s) => s.id.length));
  for (const { stage, verdict } of rows) {
    ctx.io.out(`${stage.id.padEnd(idWidth)}  ${verdict.buildable ? 'buildable' : 'missing  '}  ${stage.model}`);
    if (!verdict.buildable) ctx.io.out(`${''.padEnd(idWidth + 13)}${verdict.reason ?? ''}`);
  }
  return 0;
}

/**
 * `server-models bench <stage | host:port>`: the load generator from a terminal. A stage is built
 * and started on a free port for the whole sweep; a host:port is used as it is.
 */
import { resolve } from 'node:path';
import { DEFAULT_CONNECTIONS, DEFAULT_DURATION_S, type BenchPointOptions } from '../bench/benchOptions';
import { checkFdLimit, readFdLimits } from '../bench/fdLimit';
import { formatJson, formatProgress, formatTable } from '../bench/report';
import { brokenErrors, type BenchRow } from '../bench/result';
import { runSweep } from '../bench/sweep';
import { stageExitShows } from '../benchmark/pointGuard';
import { StageProcess } from '../stageProcess';
import { flag, optionalInteger, parseCommand, parseInteger, parseIntegerList, parsePositive, stringValue, UsageError } from './args';
import { CliFailure, type CliContext } from './cliContext';
import { describeExit } from './runCommand';
import { ensureStageBuilt, resolveStage } from './stageBuild';
import { usageOf } from './usage';

const MAX_CONNECTIONS = 1_000_000;

/** `127.0.0.1:8080`, `localhost:8080`, `[::1]:8080`. */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  return port >= 1 && port <= 65535 ? { host: m[1] ?? m[2], port } : undefined;
}

export function parseWorkNumber(text: string): bigint {
  if (!/^\d{1,19}$/.test(text) || BigInt(text) > (1n << 63n) - 1n) throw new UsageError(`--work-number must be a whole number from 0 to 2^63-1, got '${text}'`, 'bench');
  return BigInt(text);
}

export async function benchCommand(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const parsed = parseCommand(
    'bench',
    argv,
    {
      connections: { type: 'string', short: 'c' },
      duration: { type: 'string', short: 'd' },
      rate: { type: 'string', short: 'r' },
      closed: { type: 'boolean' },
      payload: { type: 'string' },
      work: { type: 'string' },
      'work-number': { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'boolean' },
      'build-dir': { type: 'string' },
      cc: { type: 'string' },
    },
    { min: 1, max: 1 },
  );
  if (flag(parsed, 'help')) {
    ctx.io.out(usageOf('bench'));
    return 0;
  }
  const target = parsed.positionals[0];
  const connectionsText = stringValue(parsed, 'connections');
  const connections = connectionsText ? parseIntegerList('bench', 'connections', connectionsText, 1, MAX_CONNECTIONS) : [DEFAULT_CONNECTIONS];
  const durationText = stringValue(parsed, 'duration');
  const durationS = durationText ? parsePositive('bench', 'duration', durationText, 86_400) : DEFAULT_DURATION_S;
  const rateText = stringValue(parsed, 'rate');
  const closed = flag(parsed, 'closed');
  if (closed && rateText) throw new UsageError('--rate and --closed exclude each other: a closed loop has no rate', 'bench');
  const rate = rateText ? parsePositive('bench', 'rate', rateText, 100_000_000) : undefined;
  const payloadBytes = optionalInteger(parsed, 'bench', 'payload', 3, 1 << 20);
  const workEvery = optionalInteger(parsed, 'bench', 'work', 1, MAX_CONNECTIONS);
  const workNumberText = stringValue(parsed, 'work-number');
  const workNumber = workNumberText ? parseWorkNumber(workNumberText) : undefined;
  const threadsText = stringValue(parsed, 'threads');
  const threads = threadsText ? parseInteger('bench', 'threads', threadsText, 1, 64) : undefined;
  const json = flag(parsed, 'json');
  const endpoint = parseHostPort(target);
  const stage = endpoint ? undefined : resolveStage('bench', target);

  const most = Math.max(...connections);
  const fd = checkFdLimit(most, readFdLimits());
  if (!fd.ok) {
    if (fd.raisable && ctx.relaunchWithFdLimit) return ctx.relaunchWithFdLimit(fd.needed);
    throw new CliFailure(fd.message);
  }

  let server: StageProcess | undefined;
  if (stage) {
    const buildDir = stringValue(parsed, 'build-dir');
    const compiler = stringValue(parsed, 'cc');
    const binary = await ensureStageBuilt(ctx, stage, { ...(buildDir ? { buildDir: resolve(buildDir) } : {}), ...(compiler ? { compiler } : {}) });
    try {
      server = await StageProcess.start({ binary, port: 0, extraArgs: parsed.passthrough });
    } catch (err) {
      throw new CliFailure(`${stage.id} did not start: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const rows: BenchRow[] = [];
  let died: string | undefined;
  try {
    const host = server?.host ?? endpoint?.host ?? '127.0.0.1';
    const port = server?.port ?? endpoint?.port ?? 0;
    const common: Omit<BenchPointOptions, 'connections'> = {
      host,
      port,
      label: stage?.id ?? target,
      durationS,
      mode: closed ? 'closed' : 'open',
      ...(rate !== undefined ? { rate } : {}),
      ...(payloadBytes !== undefined ? { payloadBytes } : {}),
      ...(workEvery !== undefined ? { workEvery } : {}),
      ...(workNumber !== undefined ? { workNumber } : {}),
      ...(threads !== undefined ? { threads } : {}),
      ...(ctx.worker ? { worker: ctx.worker } : {}),
      signal: ctx.signal,
      ...(ctx.io.isTTY ? { onProgress: (p) => ctx.io.status(formatProgress(p)) } : {}),
    };
    await runSweep({
      ...common,
      connections,
      onPoint: (row) => {
        rows.push(row);
        if (ctx.io.isTTY) ctx.io.status('');
      },
      // A stage that died fails every later point at once; stop there and say why.
      continueAfter: async (row) => {
        if (!server || brokenErrors(row.errors) === 0) return true;
        if (await stageExitShows(server)) died = `${stage?.id ?? target} ${describeExit(server.exit)} during the run`;
        return died === undefined;
      },
    });
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') return 130;
    if (rows.length) printRows(ctx, rows, json, connections.length > 1);
    throw err;
  } finally {
    await server?.stop();
  }
  printRows(ctx, rows, json, connections.length > 1);
  if (died) throw new CliFailure(died);
  return rows.some((r) => brokenErrors(r.errors) > 0) ? 1 : 0;
}

function printRows(ctx: CliContext, rows: readonly BenchRow[], json: boolean, sweep: boolean): void {
  ctx.io.out(json ? formatJson(rows, sweep) : formatTable(rows));
}

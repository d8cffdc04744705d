/**
 * `server-models trace requests <recording> [--json]`: every request of a recording with its
 * latency cut into where it waited (src/core/trace/requests.ts), as a table in microseconds or as
 * JSON, then where the run's requests spent their time.
 */
import { resolve } from 'node:path';
import { loadRecording } from '../trace/recordingFile';
import { requestJourneys, SEGMENT_MEANINGS, SEGMENTS, type ConnectionMatch, type RequestJourneys, type SegmentName } from '../trace/requests';
import { flag, parseCommand } from './args';
import { CliFailure, type CliContext } from './cliContext';
import { usageOf } from './usage';

export async function traceRequestsCommand(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const parsed = parseCommand('trace', argv, { json: { type: 'boolean' } }, { min: 1, max: 1 });
  if (flag(parsed, 'help')) {
    ctx.io.out(usageOf('trace'));
    return 0;
  }
  const [recording] = parsed.positionals;
  let loaded: Awaited<ReturnType<typeof loadRecording>>;
  try {
    loaded = await loadRecording(resolve(recording));
  } catch (err) {
    throw new CliFailure(`cannot read ${recording}: ${err instanceof Error ? err.message : String(err)}`);
  }
  // A damaged recording would give journeys that look right and are not: say so, give none.
  const { problems } = loaded;
  if (problems.length > 0) {
    throw new CliFailure(`${recording}: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ''}`);
  }
  const journeys = requestJourneys(loaded.model);
  if (journeys.connections.length === 0) {
    throw new CliFailure(`${recording} holds no client connections: record the client's side too (server-models run <stage> --trace PATH)`);
  }
  if (flag(parsed, 'json')) ctx.io.out(JSON.stringify(asJson(journeys), null, 2));
  else for (const line of asTable(journeys)) ctx.io.out(line);
  return 0;
}

/** ns as µs, to the ns. */
function us(ns: number): number {
  return Math.round(ns) / 1000;
}

function nonZero(segments: Readonly<Record<SegmentName, number>>): Partial<Record<SegmentName, number>> {
  const out: Partial<Record<SegmentName, number>> = {};
  for (const name of SEGMENTS) if (segments[name] > 0) out[name] = us(segments[name]);
  return out;
}

function asJson(journeys: RequestJourneys): unknown {
  const { summary } = journeys;
  return {
    requests: journeys.requests.map((r) => ({
      connection: r.connection,
      index: r.index,
      start_us: us(r.startNs),
      latency_us: us(r.latencyNs),
      ...(r.clientNs > 0 ? { client_us: us(r.clientNs) } : {}),
      segments: nonZero(r.segments),
    })),
    unanswered: journeys.unanswered.map((u) => ({ connection: u.connection, index: u.index, sent_us: us(u.sentNs), reason: u.reason })),
    connections: journeys.connections.map((c) => ({ connection: c.connection, server_fd: c.serverFd ?? null, reads: c.reads, replies: c.replies })),
    summary: {
      requests: summary.requests,
      unanswered: summary.unanswered,
      latency_us: us(summary.latencyNs),
      median_latency_us: summary.medianLatencyNs === undefined ? null : us(summary.medianLatencyNs),
      segments: Object.fromEntries(summary.segments.map((s) => [s.segment, { total_us: us(s.totalNs), share: s.share }])),
    },
  };
}

function asTable(journeys: RequestJourneys): string[] {
  const { requests, summary } = journeys;
  const shown = SEGMENTS.filter((name) => requests.some((r) => r.segments[name] > 0));
  const header = ['connection', 'index', 'latency_us', ...shown];
  const rows = requests.map((r) => [r.connection, String(r.index), String(Math.round(r.latencyNs / 1000)), ...shown.map((name) => String(Math.round(r.segments[name] / 1000)))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  // Names to the left, figures to the right.
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  const out = [line(header), ...rows.map(line)];
  out.push('');
  const total = `${summary.requests} request${summary.requests === 1 ? '' : 's'}`;
  if (summary.requests > 0) {
    out.push(`${total}, median latency ${ms(summary.medianLatencyNs ?? 0)}; where their ${ms(summary.latencyNs)} went:`);
    const nameWidth = Math.max(...summary.segments.map((s) => s.segment.length));
    for (const s of summary.segments) {
      out.push(`  ${s.segment.padEnd(nameWidth)}  ${ms(s.totalNs).padStart(12)}  ${(s.share * 100).toFixed(1).padStart(5)} %  ${SEGMENT_MEANINGS[s.segment]}`);
    }
    out.push("  (a connection's first message counts from its connect, less the client's own pause after the '*')");
  } else {
    out.push(`${total}: no message got its reply`);
  }
  const notes = [
    ...journeys.unanswered.map((u) => `${u.connection} #${u.index}: ${u.reason === 'not read' ? 'the server never read it' : 'no reply reached the client'}`),
    ...matchNotes(journeys),
  ];
  if (notes.length > 0) out.push('', ...notes);
  return out;
}

function ms(ns: number): string {
  return `${(ns / 1e6).toFixed(3)} ms`;
}

/** Where the trace could not follow a request by its bytes, which connections and why. */
function matchNotes(journeys: RequestJourneys): string[] {
  const talked = new Set([...journeys.requests, ...journeys.unanswered].map((r) => r.connection));
  const notes = new Map<string, string[]>();
  const note = (text: string, c: ConnectionMatch) => notes.set(text, [...(notes.get(text) ?? []), c.connection]);
  for (const c of journeys.connections) {
    if (!talked.has(c.connection)) continue;
    if (c.serverFd === undefined) note('no server connection with its port in the recording: its time is untraced', c);
    else if (c.reads === 'none') note('the server traced no reads for it: its time after the greeting is untraced', c);
    else if (c.reads === 'time') note("reads matched by time: the stage traces no recv byte counts, so coalesced and split reads are not told apart", c);
    else if (c.reads === 'green thread') note('reads matched by time: when its green thread ran (the stage traces no reads)', c);
    if (c.serverFd !== undefined && c.reads !== 'none' && c.replies === 'time') note("replies matched by time: the stage traces no sends, so the send path starts at the server's last traced act", c);
  }
  return [...notes].map(([text, connections]) => `${connections.join(', ')}: ${text}`);
}

/**
 * Builders for the trace model tests: headers, records, random event streams, and snapshots
 * keyed by lane (lane indices differ between models fed in different orders).
 */
import fc from 'fast-check';
import { Kind, TraceSource, TRACE_KINDS, type TraceHeader, type TraceNames, type TraceRecord } from '../../src/core/trace/format';
import type { LaneSnapshot, ModelSnapshot, TraceModel } from '../../src/core/trace/model';
import { LaneState } from '../../src/core/trace/states';

export function header(source: 'server' | 'client', pid = 100): TraceHeader {
  return {
    version: 1,
    headerSize: 64,
    recordSize: 32,
    source: source === 'client' ? TraceSource.client : TraceSource.server,
    pid,
    startNs: 0n,
    startUnixNs: 0n,
    clock: 'CLOCK_MONOTONIC',
  };
}

export function names(): TraceNames {
  return { files: new Map([[1, 'stage/main.c']]), lanes: new Map(), process: undefined };
}

export function record(timeNs: number, lane: number, kind: number, value = 0, fd = -1, line = 0): TraceRecord {
  return { timeNs, lane, kind, fileId: line > 0 ? 1 : 0, fd, line, value };
}

/** A record together with the stream it belongs to. */
export interface StreamRecord {
  readonly stream: 0 | 1;
  readonly record: TraceRecord;
}

const SERVER_KINDS = (Object.values(TRACE_KINDS) as unknown as [number, string][])
  .map(([n]) => n)
  .filter((n) => n >= 16 && n < 128);
const CLIENT_KINDS = [Kind.CLIENT_CONNECT, Kind.CLIENT_CONNECTED, Kind.CLIENT_ACK, Kind.CLIENT_SEND, Kind.CLIENT_RECEIVE, Kind.CLIENT_CLOSE];

interface Step {
  readonly kind: number;
  readonly gap: number;
  readonly value: number;
  readonly line: number;
}

function serverStep(kinds: readonly number[]): fc.Arbitrary<Step> {
  return fc.record({
    kind: fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...kinds) }, { weight: 1, arbitrary: fc.constant(999) }),
    gap: fc.integer({ min: 0, max: 1000 }),
    // Small values: green thread ids repeat, so green lanes get several events.
    value: fc.integer({ min: -1, max: 4 }),
    line: fc.integer({ min: 0, max: 50 }),
  });
}
const clientStep = fc.record({
  kind: fc.constantFrom(...CLIENT_KINDS),
  gap: fc.integer({ min: 0, max: 1000 }),
  value: fc.integer({ min: 0, max: 64 }),
  line: fc.constant(0),
});

/**
 * A run: per lane, a sequence of events with non-decreasing times (a thread's own events come in
 * order), interleaved across lanes and streams in a random arrival order, as per-thread buffers
 * flushing at different moments deliver them. `gapFloor` < 0 lets a lane's clock go backwards
 * (garbage).
 */
export function arbitraryRun(
  options: { gapFloor?: number; maxLanes?: number; serverKinds?: readonly number[] } = {},
): fc.Arbitrary<StreamRecord[]> {
  const maxLanes = options.maxLanes ?? 4;
  const step = fc.oneof(serverStep(options.serverKinds ?? SERVER_KINDS), clientStep);
  const lanes = fc.array(
    fc.record({
      stream: fc.constantFrom<0 | 1>(0, 0, 1),
      steps: fc.array(step, { maxLength: 40 }),
    }),
    { minLength: 1, maxLength: maxLanes },
  );
  return fc.tuple(lanes, fc.array(fc.nat(), { maxLength: 400 }), fc.integer({ min: options.gapFloor ?? 0, max: 0 })).map(
    ([laneList, picks, floor]) => {
      const queues = laneList.map((lane, i) => {
        let time = 1000 + i;
        return lane.steps.map((step: Step): StreamRecord => {
          time += step.gap + (step.gap % 7 === 0 ? floor : 0);
          const kind = lane.stream === 1 && !CLIENT_KINDS.includes(step.kind as never) ? Kind.CLIENT_SEND : step.kind;
          return { stream: lane.stream, record: record(time, i + 1, kind, step.value, step.value + 3, step.line) };
        });
      });
      const out: StreamRecord[] = [];
      let p = 0;
      while (queues.some((q) => q.length > 0)) {
        const live = queues.filter((q) => q.length > 0);
        const q = live[(picks[p++ % Math.max(1, picks.length)] ?? 0) % live.length];
        out.push(q.shift()!);
      }
      return out;
    },
  );
}

export function feed(model: TraceModel, run: readonly StreamRecord[]): TraceModel {
  model.addStream(0, header('server'), names());
  model.addStream(1, header('client', 101), names());
  for (const { stream, record: r } of run) model.add(stream, r);
  return model;
}

export interface PlainLaneState {
  readonly state: number;
  readonly depth: number;
  readonly value: number;
  readonly since: number;
}

/** A snapshot as lane key -> state, leaving out lanes that are gone (absent lanes are gone too). */
export function byKey(model: TraceModel, snapshot: ModelSnapshot): Record<string, PlainLaneState> {
  const out: Record<string, PlainLaneState> = {};
  snapshot.lanes.forEach((s: LaneSnapshot, i) => {
    if (s.state === LaneState.gone) return;
    out[model.lanes[i].key] = { state: s.state, depth: s.depth, value: s.value, since: s.since };
  });
  return out;
}

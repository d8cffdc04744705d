/**
 * Which lesson counters the timeline draws as tracks of their own (a step chart per counter,
 * under the lanes), and the carriers-busy series, which the model derives per cursor but does
 * not keep as a series: it is built here from the carriers' mount spans.
 */
import { upperBound } from '../../src/core/trace/columns';
import type { CounterName, TraceModel } from '../../src/core/trace/model';
import { Kind } from '../../src/core/trace/format';
import { LaneKind, LaneState } from '../../src/core/trace/states';
import type { PanelStringKey } from '../../src/core/panel/protocol';

/** A step function of time: value[i] holds from time[i] until the next point. */
export interface StepSeries {
  readonly length: number;
  readonly times: Float64Array;
  readonly values: Float64Array;
  /** The largest value (0 when empty), for the track's scale. */
  readonly max: number;
}

export interface CounterTrack {
  readonly label: PanelStringKey;
  readonly series: StepSeries;
}

/** The counters each stage is about; other recordings (a playground) get every one they have. */
const STAGE_TRACKS: Readonly<Record<string, readonly (CounterName | 'carriersBusy')[]>> = {
  '02-thread-per-client': ['threads'],
  '04-nonblocking-polling': ['emptyPolls'],
  '05-select': ['fdsWatched'],
  '06-epoll': ['fdsWatched'],
  '07-libuv': ['queuedWork'],
  '08-ae': [],
  '09-green-threads': ['carriersBusy'],
};
const ANY_STAGE: readonly (CounterName | 'carriersBusy')[] = ['emptyPolls', 'fdsWatched', 'queuedWork', 'carriersBusy'];

const LABEL: Readonly<Record<CounterName | 'carriersBusy', PanelStringKey>> = {
  threads: 'counterThreads',
  emptyPolls: 'counterEmptyPolls',
  fdsWatched: 'counterSelectFds',
  connections: 'counterClients',
  queuedWork: 'counterPoolQueue',
  dropped: 'counterDropped',
  carriersBusy: 'counterCarriersBusy',
};

/** The value of a series after every point at or before `time` (undefined before the first). */
export function valueAt(series: StepSeries, time: number): number | undefined {
  const i = upperBound(series.times, series.length, time) - 1;
  return i < 0 ? undefined : series.values[i];
}

/** Builds the tracks for a model, caching each series until the model changes. */
export class CounterTracks {
  private version = -1;
  private stageKey = '';
  private tracks: CounterTrack[] = [];

  /** `stage`: the stage id the panel was given, if any (else the server process's name). */
  of(model: TraceModel, stage: string | undefined): readonly CounterTrack[] {
    const id = stage ?? [...model.processes.values()].find((p) => p.source === 'server')?.name ?? '';
    if (model.version === this.version && id === this.stageKey) return this.tracks;
    this.version = model.version;
    this.stageKey = id;
    const names = STAGE_TRACKS[id] ?? ANY_STAGE;
    const tracks: CounterTrack[] = [];
    for (const name of names) {
      if (name === 'carriersBusy') {
        const series = carriersBusy(model);
        if (series.length > 0) tracks.push({ label: LABEL.carriersBusy, series });
        continue;
      }
      const counter = model.counters[name];
      if (counter.length === 0) continue;
      tracks.push({ label: name === 'fdsWatched' ? fdsLabel(model) : LABEL[name], series: this.counterSeries(name, model) });
    }
    this.tracks = tracks;
    return tracks;
  }

  private counterSeries(name: CounterName, model: TraceModel): StepSeries {
    const counter = model.counters[name];
    const length = counter.length;
    const values = counter.value.data;
    // Once per change of the model: linear, like decoding the chunk that changed it.
    let max = 0;
    for (let i = 0; i < length; i++) if (values[i] > max) max = values[i];
    return { length, times: counter.time.data, values, max };
  }
}

/** select's fds are handed to it per call; epoll's and kqueue's are registered in the kernel. */
function fdsLabel(model: TraceModel): PanelStringKey {
  const kind = model.events.kind.get(model.counters.fdsWatched.event.get(0));
  return kind === Kind.EPOLL_WAIT_BEGIN || kind === Kind.KEVENT_BEGIN ? 'counterRegisteredFds' : 'counterSelectFds';
}

/** How many carriers have a green thread mounted, over time (from their depth-1 mount spans). */
function carriersBusy(model: TraceModel): StepSeries {
  const points: number[] = [];
  for (const lane of model.lanes) {
    if (lane.kind !== LaneKind.carrier || lane.levels.length < 2) continue;
    const level = lane.levels[1];
    for (let i = 0; i < level.length; i++) {
      if (level.state.get(i) !== LaneState.mounted) continue;
      points.push(level.start.get(i), 1);
      const end = level.end.get(i);
      if (!Number.isNaN(end)) points.push(end, -1);
    }
  }
  const count = points.length / 2;
  const order = Array.from({ length: count }, (_, k) => k);
  // An unmount and a mount at the same ns: the unmount first, so the count never overshoots.
  order.sort((a, b) => points[2 * a] - points[2 * b] || points[2 * a + 1] - points[2 * b + 1]);
  const times = new Float64Array(count);
  const values = new Float64Array(count);
  let value = 0;
  let max = 0;
  order.forEach((k, i) => {
    times[i] = points[2 * k];
    value += points[2 * k + 1];
    values[i] = value;
    if (value > max) max = value;
  });
  return { length: count, times, values, max };
}

/** Words for what the model holds: a lane's kind, a state, an event; all from the host's strings. */
import { kindName } from '../../src/core/trace/format';
import type { Lane } from '../../src/core/trace/lane';
import type { LaneSnapshot, TraceModel } from '../../src/core/trace/model';
import { LaneState, laneKindStringKey, shownState, stateStringKey, valueStringKey, type LaneStateId } from '../../src/core/trace/states';
import { formatNs, type Strings } from './text';

/** States whose span value is a number of fds worth saying. */
const FD_COUNT_STATES = new Set<LaneStateId>([LaneState.waitSelect, LaneState.waitEpoll, LaneState.waitKevent]);

export function laneKindWords(strings: Strings, lane: Lane): string {
  return strings.get(laneKindStringKey(lane.kind));
}

export function stateWords(strings: Strings, lane: Lane, snap: LaneSnapshot): string {
  const state = shownState(lane.kind, snap.depth, snap.state);
  const words = strings.get(stateStringKey(state));
  return FD_COUNT_STATES.has(state) ? strings.get('withFds', words, snap.value) : words;
}

export interface EventFacts {
  readonly kind: string;
  readonly lane: string;
  readonly fd: string;
  readonly value: string;
  readonly time: string;
  readonly file: string;
  readonly line: number;
}

export function eventFacts(strings: Strings, model: TraceModel, event: number): EventFacts {
  const e = model.events;
  const kind = e.kind.get(event);
  const lane = model.lanes[e.lane.get(event)];
  const fd = e.fd.get(event);
  const value = e.value.get(event);
  const words = valueStringKey(kind, value);
  return {
    kind: kindName(kind) ?? `#${kind}`,
    lane: `${lane.name} (${laneKindWords(strings, lane)})`,
    fd: fd >= 0 ? String(fd) : '—',
    value: words ? strings.get('valueWords', value, strings.get(words)) : String(value),
    time: formatNs(e.time.get(event) - (Number.isNaN(model.minTime) ? 0 : model.minTime)),
    file: model.files[e.file.get(event)],
    line: e.line.get(event),
  };
}

/**
 * Where playback puts the cursor after a frame. In true time the cursor moves at the chosen speed
 * in true time; on the collapsed axis it moves at an even pace across the axis instead, taking as
 * long for the whole recording as true time would: a burst of microseconds plays over as many
 * frames as its width on screen, and a one-second pause goes by in the moment its gap takes,
 * rather than flashing past the one and sitting out the other. Plain TypeScript, no DOM.
 */
import { TRUE_TIME, type AxisMap } from '../../src/core/trace/timeAxis';

export interface PlaybackClock {
  /** The axis the timeline draws on (TRUE_TIME when true time is on). */
  readonly axis: AxisMap;
  /** The recording's first and last event times, true ns. */
  readonly minNs: number;
  readonly maxNs: number;
  /** Playback speed: 1 plays the recording in the time it took. */
  readonly speed: number;
}

/** The cursor's true time `elapsedMs` of playback after `fromNs`; maxNs or later: the end. */
export function playbackAdvance(clock: PlaybackClock, fromNs: number, elapsedMs: number): number {
  const trueStep = elapsedMs * 1e6 * clock.speed;
  const span = clock.maxNs - clock.minNs;
  if (clock.axis === TRUE_TIME || !(span > 0)) return fromNs + trueStep;
  const { axis } = clock;
  const units = axis.unitsAt(clock.maxNs) - axis.unitsAt(clock.minNs);
  const to = axis.unitsAt(fromNs) + trueStep * (units / span);
  return to >= axis.unitsAt(clock.maxNs) ? clock.maxNs : axis.nsAt(to);
}

/**
 * Playback's pace (webview/panel/playback.ts): true time at the chosen speed on the true axis;
 * on the collapsed axis an even pace across the axis, the whole recording in the same time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kind } from '../../src/core/trace/format';
import { TraceModel } from '../../src/core/trace/model';
import { TimeAxis, TRUE_TIME } from '../../src/core/trace/timeAxis';
import { playbackAdvance } from '../../webview/panel/playback';
import { header, names, record } from './trace-model.support';

const S = 1e9;

/** A 10 µs burst, a one-second pause, another 10 µs burst. */
function twoBursts(): { axis: TimeAxis; min: number; max: number } {
  const times = [0, 2000, 4000, 6000, 8000, 10_000, S + 10_000, S + 12_000, S + 14_000, S + 16_000, S + 18_000, S + 20_000];
  const model = new TraceModel();
  model.addStream(0, header('server'), names());
  model.addBatch(0, times.map((t) => record(t, 1, Kind.RECV_BEGIN)));
  return { axis: TimeAxis.of(model), min: model.minTime, max: model.maxTime };
}

describe('playback', () => {
  it('moves in true time at the chosen speed on the true axis', () => {
    const clock = { axis: TRUE_TIME, minNs: 0, maxNs: 10 * S, speed: 0.5 };
    assert.equal(playbackAdvance(clock, 1 * S, 1000), 1.5 * S);
  });

  it('crosses the collapsed axis at an even pace, taking as long in all as true time', () => {
    const { axis, min, max } = twoBursts();
    const clock = { axis, minNs: min, maxNs: max, speed: 1 };
    const wholeMs = (max - min) / 1e6;
    // Halfway through the playing time, the cursor is halfway across the axis: on the pause's
    // gap, not (as in true time) still 10 µs into the first burst's second.
    const half = playbackAdvance(clock, min, wholeMs / 2);
    const middle = (axis.unitsAt(min) + axis.unitsAt(max)) / 2;
    assert.ok(Math.abs(axis.unitsAt(half) - middle) < 1e-6 * middle, `at ${axis.unitsAt(half)} units, middle ${middle}`);
    // The first burst, 10 µs of a second's recording, gets its share of the axis in playing time.
    const burstShare = (axis.unitsAt(10_000) - axis.unitsAt(min)) / (axis.unitsAt(max) - axis.unitsAt(min));
    assert.ok(burstShare > 0.3, `the burst is a third of the axis or more (${burstShare})`);
    const afterBurst = playbackAdvance(clock, min, wholeMs * burstShare * 0.99);
    assert.ok(afterBurst < 10_000, `still inside the first burst after ${(wholeMs * burstShare * 0.99).toFixed(0)} ms (${afterBurst} ns)`);
    // The end is the end, however far past it the frame lands.
    assert.equal(playbackAdvance(clock, min, wholeMs * 2), max);
  });
});

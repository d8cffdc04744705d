/**
 * The collapsed time axis (src/core/trace/timeAxis.ts): which stretches collapse, that ns -> units
 * and back are inverse and monotonic, how wide a gap is at the fit, that a burst of µs spans gets
 * the width, and that an axis fed in chunks (late batches included) equals one built at once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Kind } from '../../src/core/trace/format';
import { TraceModel } from '../../src/core/trace/model';
import { GAP_SHARE_EACH, GAP_SHARE_TOTAL, GAP_THRESHOLD_NS, TimeAxis } from '../../src/core/trace/timeAxis';
import { header, names, record } from './trace-model.support';

const S = 1e9;

/** A model of one server stream with events at `times` (any order within the one batch). */
function modelOf(times: readonly number[], batches: readonly (readonly number[])[] = [times]): TraceModel {
  const model = new TraceModel();
  model.addStream(0, header('server'), names());
  for (const batch of batches) model.addBatch(0, batch.map((t) => record(t, 1, Kind.RECV_BEGIN)));
  return model;
}

/** A thread's life: a 1 s pause, five 2 µs spans, a 1 s pause. */
function burstBetweenPauses(): number[] {
  const burst = [S, S + 2000, S + 4000, S + 6000, S + 8000, S + 10_000];
  return [0, ...burst, 2 * S + 10_000];
}

describe('the collapsed time axis', () => {
  it('collapses only stretches without events longer than the threshold', () => {
    const axis = TimeAxis.of(modelOf([0, 1000, GAP_THRESHOLD_NS, GAP_THRESHOLD_NS + 2000 + GAP_THRESHOLD_NS, 5 * S]));
    // 1000 -> 1e6 is 999,000 ns (not over the threshold); 1e6 -> 2e6+2000 and on to 5 s are.
    assert.equal(axis.gapCount, 2);
    assert.equal(axis.gapFromNs(0), GAP_THRESHOLD_NS);
    assert.equal(axis.gapToNs(1), 5 * S);
  });

  it('is the identity without gaps', () => {
    const axis = TimeAxis.of(modelOf([0, 10, 40_000]));
    assert.equal(axis.gapCount, 0);
    for (const t of [-5, 0, 7, 40_000, 9e9]) {
      assert.equal(axis.unitsAt(t), t);
      assert.equal(axis.nsAt(t), t);
    }
  });

  it('maps a µs burst between two 1 s pauses onto most of the fit, each pause onto a narrow gap', () => {
    const times = burstBetweenPauses();
    const axis = TimeAxis.of(modelOf(times));
    assert.equal(axis.gapCount, 2);
    const extent = axis.unitsAt(times[times.length - 1]) - axis.unitsAt(0);
    const gapShare = axis.gapWidthUnits(0) / extent;
    assert.ok(gapShare <= GAP_SHARE_EACH + 1e-9 && gapShare > GAP_SHARE_EACH / 2, `a gap is ${gapShare} of the fit`);
    // On an 800 px panel's plot (~600 px), each 2 µs span is well over 10 px.
    const px = (ns: number) => (ns / extent) * 600;
    for (let k = 1; k < 6; k++) {
      const width = px(axis.unitsAt(times[k + 1]) - axis.unitsAt(times[k]));
      assert.ok(width > 50, `span ${k}: ${width.toFixed(1)} px`);
      // Inside the burst the axis is true time: one unit per ns.
      assert.ok(Math.abs(axis.unitsAt(times[k + 1]) - axis.unitsAt(times[k]) - 2000) < 1e-6);
    }
    // In true time the same span is a thousandth of a pixel.
    assert.ok((2000 / (2 * S + 10_000)) * 600 < 0.001);
  });

  it('keeps all gaps together under their share of the fit however many there are', () => {
    const times: number[] = [];
    for (let k = 0; k < 300; k++) times.push(k * 200e6, k * 200e6 + 5000, k * 200e6 + 9000, k * 200e6 + 90_000 + (k % 7) * 1e6);
    const axis = TimeAxis.of(modelOf(times));
    assert.equal(axis.gapCount, 599);
    const extent = axis.unitsAt(times[times.length - 1]) - axis.unitsAt(times[0]);
    let gapUnits = 0;
    for (let i = 0; i < axis.gapCount; i++) gapUnits += axis.gapWidthUnits(i);
    const share = gapUnits / extent;
    assert.ok(share <= GAP_SHARE_TOTAL + 1e-9, `gaps take ${share} of the fit`);
  });

  it('gives a longer pause a wider gap, within the shares', () => {
    const times = [0, 1000, 1000 + 2 * GAP_THRESHOLD_NS, 3 * GAP_THRESHOLD_NS, 3 * GAP_THRESHOLD_NS + S, 3 * GAP_THRESHOLD_NS + S + 5000];
    const axis = TimeAxis.of(modelOf(times));
    assert.equal(axis.gapCount, 2);
    assert.ok(axis.gapWidthUnits(1) > 3 * axis.gapWidthUnits(0), `${axis.gapWidthUnits(1)} vs ${axis.gapWidthUnits(0)}`);
    const extent = axis.unitsAt(times[5]) - axis.unitsAt(0);
    assert.ok(axis.gapWidthUnits(1) / extent <= GAP_SHARE_EACH + 1e-9);
  });

  it('maps true time and axis units both ways, monotonic and continuous', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 2, maxLength: 60 }), fc.array(fc.double({ min: -1, max: 1.2, noNaN: true }), { maxLength: 30 }), (steps, probes) => {
        // Steps in ms-ish units: some under the threshold, some over it.
        let t = 0;
        const times = steps.map((s) => (t += s * 2000));
        const axis = TimeAxis.of(modelOf(times));
        const last = times[times.length - 1];
        const samples = [...times, ...probes.map((p) => p * last)].sort((a, b) => a - b);
        let previous = -Infinity;
        for (const ns of samples) {
          const u = axis.unitsAt(ns);
          assert.ok(u >= previous - 1e-6, 'monotonic');
          previous = u;
          assert.ok(Math.abs(axis.nsAt(u) - ns) <= 1e-6 * Math.max(1, Math.abs(ns)), `nsAt(unitsAt(${ns})) = ${axis.nsAt(u)}`);
        }
        for (let i = 0; i < axis.gapCount; i++) {
          const start = axis.gapStartUnits(i);
          assert.ok(Math.abs(axis.unitsAt(axis.gapFromNs(i)) - start) < 1e-6);
          assert.ok(Math.abs(axis.unitsAt(axis.gapToNs(i)) - start - axis.gapWidthUnits(i)) < 1e-6);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('is the same fed chunk by chunk, with late batches, as built at once', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 2, maxLength: 80 }), fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 10 }), fc.boolean(), (steps, cuts, late) => {
        let t = 0;
        const times = steps.map((s) => (t += s * 1000));
        // Chunks of the sorted times; with `late`, every other chunk arrives after the next one.
        const chunks: number[][] = [];
        for (let at = 0, k = 0; at < times.length; k++) {
          const size = cuts[k % cuts.length];
          chunks.push(times.slice(at, at + size));
          at += size;
        }
        if (late) for (let k = 0; k + 1 < chunks.length; k += 2) [chunks[k], chunks[k + 1]] = [chunks[k + 1], chunks[k]];
        const model = new TraceModel();
        model.addStream(0, header('server'), names());
        const live = new TimeAxis();
        for (const chunk of chunks) {
          model.addBatch(0, chunk.map((x) => record(x, 1, Kind.RECV_BEGIN)));
          live.update(model);
        }
        const whole = TimeAxis.of(modelOf(times));
        assert.equal(live.gapCount, whole.gapCount);
        assert.equal(live.gapUnits, whole.gapUnits);
        for (const ns of times) assert.equal(live.unitsAt(ns), whole.unitsAt(ns));
      }),
      { numRuns: 200 },
    );
  });

  it('lists the stretches and gaps of a window in order', () => {
    const axis = TimeAxis.of(modelOf(burstBetweenPauses()));
    const seen: string[] = [];
    const end = axis.unitsAt(2 * S + 10_000);
    axis.pieces(-100, end + 100, (kind, from, to, gap) => seen.push(`${kind}${gap >= 0 ? gap : ''}:${Math.round(to - from)}`));
    assert.deepEqual(seen, [`linear:100`, `gap0:${Math.round(axis.gapWidthUnits(0))}`, 'linear:10000', `gap1:${Math.round(axis.gapWidthUnits(1))}`, 'linear:100']);
    const inside: string[] = [];
    axis.pieces(axis.unitsAt(S + 3000), axis.unitsAt(S + 5000), (kind, from, to) => inside.push(`${kind}:${Math.round(to - from)}`));
    assert.deepEqual(inside, ['linear:2000']);
  });
});

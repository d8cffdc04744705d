/**
 * The panel's collapsed time axis and counter tracks, in headless Chromium: a burst of µs spans
 * between two 1 s pauses is readable at the default fit (and a speck in true time, which is why
 * the axis exists), each pause is a hatched gap labelled with how long it was, the step keys put
 * the cursor on the next event's true time at its x on the collapsed axis, a click there hits
 * the span, zooming and panning stay within the recording on both axes, the T key and the
 * toolbar switch axes and the choice survives a reload, and a counter is drawn as a track.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeHeader, encodeRecords, Kind, TraceSource, type RecordFields } from '../../src/core/trace/format';
import { concatBytes, encodeBlock, encodeRecordingHeader, readRecording } from '../../src/core/trace/recording';
import { STAGES } from '../../src/core/stages';
import { cssVariable, LaneState, STATE_THEME_COLOR } from '../../src/core/trace/states';
import { TimeAxis } from '../../src/core/trace/timeAxis';
import { AXIS_HEIGHT, ROW_HEIGHT, TRACK_HEIGHT } from '../../webview/panel/geometry';
import { formatNs } from '../../webview/panel/text';
import { canvasPixel, coveredColumns, PanelHarness, plotX, rowPixels, TRUE_TIME_STATE, viewWindow, type PanelPage } from './panelHarness';

const S = 1e9;
const MAGENTA = [255, 0, 255];
const CURSOR = [0, 200, 255];
const HATCH = [250, 250, 0];
/** Each send span of the burst on the collapsed axis at the fit, at least (CSS px). */
const MIN_SPAN_PX = 20;

const head = (source: number, pid: number) => encodeHeader({ source, pid, startNs: 0n, startUnixNs: 0n, clock: 'CLOCK_MONOTONIC' });
const rec = (timeNs: number, lane: number, kind: number, value = 0, fd = 0): RecordFields => ({ timeNs, lane, kind, value, fd });

function serverOnly(records: RecordFields[]): Uint8Array {
  return concatBytes([encodeRecordingHeader(), encodeBlock(0, concatBytes([head(TraceSource.server, 7), encodeRecords(records)]))]);
}

/**
 * One thread: waits in recv for 1 s, then a burst of 8 µs (two 2 µs sends with a 2 µs recv
 * between), then waits in recv for another second.
 */
const BURST = [
  rec(0, 1, Kind.THREAD_STARTED),
  rec(0, 1, Kind.RECV_BEGIN, 0, 4),
  rec(S, 1, Kind.RECV_END, 16, 4),
  rec(S, 1, Kind.SEND_BEGIN, 16, 4),
  rec(S + 2000, 1, Kind.SEND_END, 16, 4),
  rec(S + 2000, 1, Kind.RECV_BEGIN, 0, 4),
  rec(S + 4000, 1, Kind.RECV_END, 16, 4),
  rec(S + 4000, 1, Kind.SEND_BEGIN, 16, 4),
  rec(S + 6000, 1, Kind.SEND_END, 16, 4),
  rec(S + 6000, 1, Kind.RECV_BEGIN, 0, 4),
  rec(2 * S + 6000, 1, Kind.RECV_END, 16, 4),
  rec(2 * S + 8000, 1, Kind.THREAD_EXITED),
];
const burstBytes = serverOnly(BURST);
const burstModel = readRecording(burstBytes).model;

async function setColours(panel: PanelPage, colours: Record<string, readonly number[]>): Promise<void> {
  const calls = Object.entries(colours).map(([id, rgb]) => `s.setProperty('${cssVariable(id)}', 'rgb(${rgb.join(', ')})');`);
  await panel.page.evaluate(`(() => { const s = document.body.style; ${calls.join(' ')} })()`);
}

/** Pixels of the canvas in a rectangle (CSS px) that are exactly `rgb` (null: all of them). */
function countColour(panel: PanelPage, x: number, y: number, w: number, h: number, rgb: readonly number[] | null): Promise<number> {
  if (rgb === null) rgb = [-1, -1, -1];
  return panel.page.evaluate<number>(`(() => {
    const canvas = document.querySelector('canvas.timeline');
    const dpr = canvas.width / canvas.clientWidth;
    const d = canvas.getContext('2d').getImageData(Math.round(${x} * dpr), Math.round(${y} * dpr), Math.max(1, Math.round(${w} * dpr)), Math.max(1, Math.round(${h} * dpr))).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (${rgb[0]} < 0 || (d[i] === ${rgb[0]} && d[i + 1] === ${rgb[1]} && d[i + 2] === ${rgb[2]})) n++;
    return n;
  })()`);
}

/** The columns (CSS px of the canvas) of the ruler where the cursor's colour is. */
function cursorColumns(panel: PanelPage): Promise<number[]> {
  return panel.page.evaluate<number[]>(`(() => {
    const canvas = document.querySelector('canvas.timeline');
    const dpr = canvas.width / canvas.clientWidth;
    const d = canvas.getContext('2d').getImageData(0, Math.round(2 * dpr), canvas.width, 1).data;
    const out = [];
    for (let x = 0; x < canvas.width; x++) if (d[x * 4] === ${CURSOR[0]} && d[x * 4 + 1] === ${CURSOR[1]} && d[x * 4 + 2] === ${CURSOR[2]}) out.push(x / dpr);
    return out;
  })()`);
}

describe('the collapsed time axis in the panel', () => {
  let harness: PanelHarness;
  before(async () => {
    harness = await PanelHarness.start();
  });
  after(async () => {
    await harness?.close();
  });

  it('gives a µs burst between two 1 s pauses readable widths at the fit, which true time cannot', async () => {
    const widths: Record<string, number> = {};
    for (const [name, savedState] of [['collapsed', undefined], ['true', TRUE_TIME_STATE]] as const) {
      await harness.with({ width: 800, height: 400, savedState }, async (panel) => {
        await setColours(panel, { [STATE_THEME_COLOR.waitSend]: MAGENTA });
        await panel.init();
        await panel.load(burstBytes, burstModel.eventCount);
        assert.equal((await panel.dataset()).axis, name);
        const { plotWidth, rows } = await rowPixels(panel, 1, MAGENTA);
        widths[name] = rows[0].matchingColumns;
        // The panel draws where the axis says, which the harness rebuilds from the same bytes.
        const { x } = await plotX(panel, burstModel);
        const expected = coveredColumns(burstModel.lanes[0], LaneState.waitSend, x, plotWidth, burstModel.maxTime);
        assert.ok(rows[0].matchingColumns >= expected - 2, `${name}: sends over ${rows[0].matchingColumns} of ${expected} columns`);
      });
    }
    assert.ok(widths.collapsed >= 2 * MIN_SPAN_PX, `collapsed: the two 2 µs sends over ${widths.collapsed} columns`);
    assert.ok(widths.true <= 2, `true time: the sends over ${widths.true} columns`);
  });

  it('draws each pause as a hatched gap with a ruler label saying how long it was', () =>
    harness.with({ width: 800, height: 400 }, async (panel) => {
      await setColours(panel, { descriptionForeground: HATCH, [STATE_THEME_COLOR.waitRecv]: MAGENTA });
      await panel.init();
      await panel.load(burstBytes, burstModel.eventCount);
      await panel.waitFor(`document.body.dataset.gapLabels === '⋯ 1.00 s idle|⋯ 1.00 s idle'`, 'two gap labels');
      const { x, labels } = await plotX(panel, burstModel);
      const axis = TimeAxis.of(burstModel);
      assert.equal(axis.gapCount, 2);
      for (let gap = 0; gap < 2; gap++) {
        const centre = labels + x((axis.gapFromNs(gap) + axis.gapToNs(gap)) / 2);
        // The thread waits in recv through the gap: its bar is drawn there, hatched over.
        const top = AXIS_HEIGHT + 4;
        const bar = await countColour(panel, centre - 1, top, 2, ROW_HEIGHT - 8, MAGENTA);
        assert.ok(bar > 4, `gap ${gap}: the wait drawn through it (${bar} px)`);
        assert.ok(bar < 2 * (ROW_HEIGHT - 8) * 4 * 0.9, `gap ${gap}: and hatched (${bar} px of the wait's colour)`);
      }
      // The 2 µs recv in the burst is not hatched: all of it in its colour.
      const recv = labels + x(S + 3000);
      const box = await countColour(panel, recv - 1, AXIS_HEIGHT + 5, 2, ROW_HEIGHT - 10, MAGENTA);
      const total = await countColour(panel, recv - 1, AXIS_HEIGHT + 5, 2, ROW_HEIGHT - 10, null);
      assert.equal(box, total, 'the recv in the burst drawn whole');
      // True time has no gaps.
      await panel.page.focus('canvas.timeline');
      await panel.page.keyboard.press('t');
      await panel.waitFor(`document.body.dataset.axis === 'true' && document.body.dataset.gapLabels === ''`, 'true time, no gaps');
      assert.deepEqual(panel.errors, []);
    }));

  it('steps to the next event’s true time, the cursor at its x on the collapsed axis, and a click there hits the span', () =>
    harness.with({ width: 800, height: 400 }, async (panel) => {
      await setColours(panel, { focusBorder: CURSOR });
      await panel.init();
      await panel.load(burstBytes, burstModel.eventCount);
      await panel.page.focus('canvas.timeline');
      await panel.page.keyboard.press('Home');
      await panel.cursorAt(0, 'the first event');
      const { x, labels } = await plotX(panel, burstModel);
      for (let position = 1; position < burstModel.eventCount; position++) {
        await panel.page.keyboard.press('ArrowRight');
        await panel.cursorAt(position, `event ${position}`);
        const t = burstModel.timeAt(position);
        const status = await panel.page.evaluate<string>(`document.querySelector('.toolbar .status').textContent`);
        assert.ok(status.includes(formatNs(t)), `event ${position}: the status says its true time ${formatNs(t)} (${status})`);
        await panel.waitFor(`Number(document.body.dataset.draws) > 0`, 'a frame');
        // The cursor is drawn 2 px wide around its column.
        const columns = await cursorColumns(panel);
        const want = labels + Math.round(x(t));
        assert.ok(columns.some((c) => Math.abs(c - want) <= 1.5), `event ${position} at ${t} ns: cursor at ${columns.join(',')}, expected ~${want}`);
      }
      // Click the middle of the second send (a 2 µs span): the cursor goes to its begin event.
      const second = BURST.findIndex((r, i) => r.kind === Kind.SEND_BEGIN && i > 4);
      const begin = burstModel.lanes[0].levels[1].beginEvent;
      let span = -1;
      for (let i = 0; i < burstModel.lanes[0].levels[1].length; i++) if (burstModel.events.time.get(begin.get(i)) === BURST[second].timeNs) span = i;
      const event = begin.get(span);
      const middle = labels + x(Number(BURST[second].timeNs) + 1000);
      await panel.page.click('canvas.timeline', { position: { x: middle, y: AXIS_HEIGHT + ROW_HEIGHT / 2 } });
      await panel.cursorAt(burstModel.positionOf(event), 'the send clicked');
      assert.deepEqual(panel.errors, []);
    }));

  it('never zooms or pans to negative time or past the end, on either axis', async () => {
    for (const savedState of [undefined, TRUE_TIME_STATE]) {
      await harness.with({ width: 800, height: 400, savedState }, async (panel) => {
        await panel.init();
        await panel.load(burstBytes, burstModel.eventCount);
        const [fitStart, fitEnd] = await viewWindow(panel);
        assert.ok(fitStart < 0 && fitStart > -0.05 * 2 * S, `the fit's margin (${fitStart})`);
        await panel.page.focus('canvas.timeline');
        for (let i = 0; i < 5; i++) await panel.page.keyboard.press('-');
        const box = (await panel.page.locator('canvas.timeline').boundingBox())!;
        for (let i = 0; i < 10; i++) await panel.page.mouse.wheel(0, 400);
        await panel.page.mouse.move(box.x + box.width * 0.3, box.y + 60);
        for (let i = 0; i < 10; i++) await panel.page.mouse.wheel(0, 400);
        assert.deepEqual(await viewWindow(panel), [fitStart, fitEnd], 'zooming out stops at the fit');
        // Zoom in at the left edge, then drag far to the right (back in time) and far left.
        await panel.page.mouse.move(box.x + box.width * 0.3, box.y + 60);
        for (let i = 0; i < 3; i++) await panel.page.mouse.wheel(0, -300);
        const drag = async (dx: number) => {
          await panel.page.mouse.move(box.x + box.width / 2, box.y + 60);
          await panel.page.mouse.down();
          await panel.page.mouse.move(box.x + box.width / 2 + dx, box.y + 60, { steps: 5 });
          await panel.page.mouse.up();
        };
        await drag(400);
        await drag(400);
        const [start] = await viewWindow(panel);
        assert.equal(start, fitStart, 'panned back to the start, and no further');
        for (let i = 0; i < 16; i++) await drag(-400);
        const [, end] = await viewWindow(panel);
        assert.equal(end, fitEnd, 'panned to the end, and no further');
        assert.deepEqual(panel.errors, []);
      });
    }
  });

  it('switches axes with T and the toolbar, keeps the choice over a reload', async () => {
    let saved;
    await harness.with({ width: 800, height: 400 }, async (panel) => {
      await panel.init();
      await panel.load(burstBytes, burstModel.eventCount);
      const toggle = panel.page.locator('vscode-toolbar-button[toggleable]');
      assert.equal(await toggle.getAttribute('label'), 'Collapse idle time (T): stretches where nothing happens are drawn as a narrow gap');
      await panel.waitFor(`document.querySelector('vscode-toolbar-button[toggleable]').checked === true`, 'the switch on');
      await toggle.click();
      await panel.waitFor(`document.body.dataset.axis === 'true'`, 'true time');
      await panel.waitFor(`document.querySelector('vscode-toolbar-button[toggleable]').checked === false`, 'the switch off');
      await panel.waitFor(`window.__state()?.axis === 'true'`, 'saved');
      saved = await panel.savedState();
    });
    await harness.with({ width: 800, height: 400, savedState: saved }, async (panel) => {
      await panel.init();
      await panel.load(burstBytes, burstModel.eventCount);
      assert.equal((await panel.dataset()).axis, 'true');
      await panel.page.focus('canvas.timeline');
      await panel.page.keyboard.press('t');
      await panel.waitFor(`document.body.dataset.axis === 'collapsed'`, 'collapsed again');
    });
  });

  it('draws a stage’s lesson counter as a track under the lanes, clear of the lanes', () =>
    harness.with({ width: 800, height: 400 }, async (panel) => {
      // 04's loop: three empty passes 200 ms apart, the counter rising by one each time.
      const records: RecordFields[] = [rec(0, 1, Kind.THREAD_STARTED)];
      for (let k = 0; k < 6; k++) {
        const t = 1000 + k * 200e6;
        records.push(rec(t, 1, Kind.RECV_BEGIN, 0, 5), rec(t + 1500, 1, Kind.RECV_END, -1, 5), rec(t + 1600, 1, Kind.EAGAIN, 1, 5));
        records.push(rec(t + 2000, 1, Kind.COUNT_EMPTY_POLLS, k + 1), rec(t + 2100, 1, Kind.SLEEP_BEGIN, 200e6), rec(t + 2100 + 200e6 - 5000, 1, Kind.SLEEP_END, 200e6));
      }
      const bytes = serverOnly(records);
      const model = readRecording(bytes).model;
      await setColours(panel, { focusBorder: CURSOR });
      await panel.initStage(STAGES.find((s) => s.id === '04-nonblocking-polling')!, 'recording');
      await panel.load(bytes, model.eventCount);
      await panel.waitFor(`Number(document.body.dataset.draws) > 0`, 'a frame');
      const top = AXIS_HEIGHT + ROW_HEIGHT;
      const { labels, plotWidth } = await plotX(panel, model);
      const track = await countColour(panel, labels, top, plotWidth, TRACK_HEIGHT, CURSOR);
      assert.ok(track > 100, `the empty polls' step chart (${track} px)`);
      // Six steps: the chart's line at six heights or more.
      const heights = await panel.page.evaluate<number>(`(() => {
        const canvas = document.querySelector('canvas.timeline');
        const dpr = canvas.width / canvas.clientWidth;
        const x0 = Math.round(${labels} * dpr), w = canvas.width - x0, y0 = Math.round(${top} * dpr), h = Math.round(${TRACK_HEIGHT} * dpr);
        const d = canvas.getContext('2d').getImageData(x0, y0, w, h).data;
        const rows = new Set();
        for (let i = 0; i < d.length; i += 4) if (d[i] === ${CURSOR[0]} && d[i + 1] === ${CURSOR[1]} && d[i + 2] === ${CURSOR[2]}) rows.add(Math.floor(i / 4 / w));
        return rows.size;
      })()`);
      assert.ok(heights >= 6, `the line at ${heights} heights`);
      // The lane's row has none of it (but the cursor, on the last event at the right), and a
      // click in the track selects no lane.
      assert.equal(await countColour(panel, labels, AXIS_HEIGHT + 3, plotWidth * 0.8, ROW_HEIGHT - 6, CURSOR), 0);
      await panel.page.click('canvas.timeline', { position: { x: labels + plotWidth / 2, y: top + TRACK_HEIGHT / 2 } });
      await panel.page.click('canvas.timeline', { position: { x: labels + plotWidth / 2, y: top + TRACK_HEIGHT / 2 } });
      assert.equal((await panel.savedState())?.selectedLane, undefined, 'no lane selected by a click in the track');
      // The label column names it.
      assert.notDeepEqual(await canvasPixel(panel, 20, top + TRACK_HEIGHT / 2), await canvasPixel(panel, 20, top + TRACK_HEIGHT + 40));
      assert.deepEqual(panel.errors, []);
    }));
});

/**
 * What the recording panel's timeline draws, row by row, from small recordings built here: rows
 * in laneOrder() however the recording arrives in chunks (a lane's name and kind are often
 * learned after the lane first appears), the selection following its lane when rows move, a
 * long slice drawn whole right after a short one, no blank frame on a resize, deeper slices over
 * their thread's life whatever their colours, and a client awaiting its reply in a colour of its
 * own, as the legend says.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PANEL_STRINGS_EN } from '../../src/core/panel/strings';
import { encodeHeader, encodeName, encodeRecords, Kind, TraceSource, type RecordFields } from '../../src/core/trace/format';
import { concatBytes, encodeBlock, encodeRecordingHeader, readRecording, RecordingReader } from '../../src/core/trace/recording';
import {
  cssVariable,
  LANE_STATE_NAMES,
  LANE_THEME_COLORS,
  laneKindStringKey,
  LaneState,
  STATE_THEME_COLOR,
} from '../../src/core/trace/states';
import { laneOrder } from '../../webview/panel/laneOrder';
import { canvasPixel, coveredColumns, PanelHarness, rowPixels, TRUE_TIME_STATE, viewWindow, type PanelPage } from './panelHarness';

const AXIS = 22;
const ROW = 20;
const MAGENTA = [255, 0, 255];

const head = (source: number, pid: number) => encodeHeader({ source, pid, startNs: 0n, startUnixNs: 0n, clock: 'CLOCK_MONOTONIC' });
const rec = (timeNs: number, lane: number, kind: number, value = 0, fd = 0): RecordFields => ({ timeNs, lane, kind, value, fd });

/** A recording of one server stream holding `records`. */
function serverOnly(records: RecordFields[]): Uint8Array {
  return concatBytes([encodeRecordingHeader(), encodeBlock(0, concatBytes([head(TraceSource.server, 7), encodeRecords(records)]))]);
}

/** Sets theme colours the way VS Code does: variables on the body. */
async function setColours(panel: PanelPage, colours: Record<string, readonly number[]>): Promise<void> {
  const calls = Object.entries(colours).map(([id, rgb]) => `s.setProperty('${cssVariable(id)}', 'rgb(${rgb.join(', ')})');`);
  await panel.page.evaluate(`(() => { const s = document.body.style; ${calls.join(' ')} })()`);
}

/** The width of the label column and of the plot (CSS px), as the timeline lays them out. */
async function plotGeometry(panel: PanelPage): Promise<{ labels: number; plotWidth: number }> {
  const width = await panel.page.evaluate<number>(`document.querySelector('canvas.timeline').clientWidth`);
  const labels = Math.min(190, Math.floor(width * 0.3));
  return { labels, plotWidth: width - labels };
}

/** Where time `t` is on the canvas (CSS px). */
async function xOf(panel: PanelPage, t: number): Promise<number> {
  const [start, end] = await viewWindow(panel);
  const { labels, plotWidth } = await plotGeometry(panel);
  return labels + Math.round(((t - start) / (end - start)) * plotWidth);
}

describe('what the recording panel draws', () => {
  let harness: PanelHarness;
  before(async () => {
    harness = await PanelHarness.start();
  });
  after(async () => {
    await harness?.close();
  });

  it('draws its rows in laneOrder() after every chunk, and the selection follows its lane', () =>
    harness.with({ height: 800 }, async (panel) => {
      const chunks = [
        // A server thread not named yet, two client connections.
        concatBytes([
          encodeRecordingHeader(),
          encodeBlock(0, concatBytes([head(TraceSource.server, 7), encodeRecords([rec(1000, 2, Kind.THREAD_STARTED)])])),
          encodeBlock(1, concatBytes([head(TraceSource.client, 8), encodeRecords([rec(2000, 1, Kind.CLIENT_CONNECT), rec(2100, 2, Kind.CLIENT_CONNECT)])])),
        ]),
        // Thread 2 gets its name and turns out to be a pool thread (work, no socket waits); after
        // the clients come main (not named yet) and a thread that becomes a carrier of green 7.
        concatBytes([
          encodeBlock(
            0,
            concatBytes([
              encodeName(Kind.NAME_LANE, 2, 'worker 1', 3000),
              encodeRecords([
                rec(3000, 2, Kind.WORK_STARTED),
                rec(3100, 1, Kind.THREAD_STARTED),
                rec(3200, 3, Kind.THREAD_STARTED),
                rec(3300, 3, Kind.GREEN_STARTED, 7),
                rec(3400, 3, Kind.GREEN_MOUNTED, 7),
                rec(3500, 2, Kind.WORK_DONE),
              ]),
            ]),
          ),
          encodeBlock(1, concatBytes([encodeName(Kind.NAME_LANE, 1, 'conn0', 3600), encodeRecords([rec(3600, 1, Kind.CLIENT_ACK)])])),
        ]),
        // Main gets its name and accepts; a third client connects.
        concatBytes([
          encodeBlock(0, concatBytes([encodeName(Kind.NAME_LANE, 1, 'main', 4000), encodeRecords([rec(4000, 1, Kind.ACCEPT_BEGIN, 0, 3), rec(4500, 1, Kind.ACCEPT_END, 5, 3)])])),
          encodeBlock(1, encodeRecords([rec(4200, 3, Kind.CLIENT_CONNECT)])),
        ]),
      ];
      // Every lane's swatch in a colour of its own (there are fewer than eight lanes).
      const laneRgb = LANE_THEME_COLORS.map((_, i) => [10 + 20 * i, 250 - 20 * i, 77]);
      const selectionRgb = [200, 30, 90];
      await setColours(panel, {
        ...Object.fromEntries(LANE_THEME_COLORS.map((id, i) => [id, laneRgb[i]])),
        'list.activeSelectionBackground': selectionRgb,
      });
      await panel.init('live');

      const reader = new RecordingReader();
      /** Delivers a chunk, then checks the table and the canvas against laneOrder() of the same bytes read here. */
      const deliver = async (chunk: Uint8Array, pieces = 1): Promise<number[]> => {
        const cut = Math.floor(chunk.length / 2) + 3;
        if (pieces === 2) await panel.deliver({ type: 'records', bytes: chunk.subarray(0, cut) });
        await panel.deliver({ type: 'records', bytes: pieces === 2 ? chunk.subarray(cut) : chunk });
        reader.push(chunk);
        const model = reader.model;
        const order = laneOrder(model);
        const listed = order.map((i) => [i, `${model.lanes[i].name} (${PANEL_STRINGS_EN[laneKindStringKey(model.lanes[i].kind)]})`]);
        await panel.waitFor(
          `JSON.stringify([...document.querySelectorAll('table.lanes tbody tr')].map((tr) => [Number(tr.dataset.lane), tr.cells[0].textContent])) === ${JSON.stringify(JSON.stringify(listed))}`,
          `the lane table ${JSON.stringify(listed)}`,
        );
        assert.equal((await panel.dataset()).events, String(model.eventCount));
        // The canvas's rows, by their label swatch: the same lanes in the same order.
        for (let r = 0; r < order.length; r++) {
          assert.deepEqual(await canvasPixel(panel, 6, AXIS + r * ROW + 10), laneRgb[order[r] % laneRgb.length], `row ${r} is lane ${order[r]}`);
        }
        return order;
      };
      const selectedRows = async (rows: number) => {
        const selected: number[] = [];
        for (let r = 0; r < rows; r++) {
          const rgb = await canvasPixel(panel, 2, AXIS + r * ROW + 10);
          if (rgb.every((v, i) => v === selectionRgb[i])) selected.push(r);
        }
        return selected;
      };

      assert.deepEqual(await deliver(chunks[0]), [0, 1, 2]);
      // Select the third row, the second client.
      await panel.page.focus('canvas.timeline');
      for (let i = 0; i < 3; i++) await panel.page.keyboard.press('ArrowDown');
      await panel.waitFor(`window.__state()?.selectedLane === 2`, 'the second client selected');
      assert.deepEqual(await selectedRows(3), [2]);

      // Main, the carrier and green 7 go above the clients; the selection moves with its lane.
      const order = await deliver(chunks[1], 2);
      assert.deepEqual(order, [0, 3, 4, 5, 1, 2]);
      assert.deepEqual(await selectedRows(order.length), [5]);
      assert.deepEqual(await deliver(chunks[2]), [0, 3, 4, 5, 1, 2, 6]);

      const final = readRecording(concatBytes(chunks)).model;
      assert.deepEqual(final.lanes.map((l) => `${l.name}/${l.kind}`), ['worker 1/1', 'conn0/4', 'conn 2/4', 'main/0', 'thread 3/2', 'green 7/3', 'conn 3/4']);
      assert.deepEqual(
        await panel.page.evaluate<number[]>(`[...document.querySelectorAll('table.lanes tbody tr')].map((tr) => Number(tr.dataset.lane))`),
        laneOrder(final),
      );
      assert.deepEqual(await selectedRows(7), [5]);
      await panel.page.keyboard.press('ArrowUp');
      await panel.waitFor(`window.__state()?.selectedLane === 1`, 'the row above it: the first client');
      assert.deepEqual(panel.errors, []);
    }));

  // In true time, like the two below: on the collapsed axis each 0.9 ms wait without an event is a gap.
  it('draws a long wait whole when a short call starts in the same pixel column', () =>
    harness.with({ savedState: TRUE_TIME_STATE }, async (panel) => {
      // Twenty cycles of 1 ms: a 10 ns send, then a 0.9 ms wait in recv beginning 10 ns later.
      const records = [rec(0, 1, Kind.THREAD_STARTED)];
      for (let k = 0; k < 20; k++) {
        const t = 1000 + k * 1_000_000;
        records.push(rec(t, 1, Kind.SEND_BEGIN, 16, 4), rec(t + 10, 1, Kind.SEND_END, 16, 4), rec(t + 20, 1, Kind.RECV_BEGIN, 0, 4), rec(t + 900_000, 1, Kind.RECV_END, 16, 4));
      }
      const bytes = serverOnly(records);
      const model = readRecording(bytes).model;
      await setColours(panel, { [STATE_THEME_COLOR.waitRecv]: MAGENTA });
      await panel.init();
      await panel.load(bytes, model.eventCount);
      const { plotWidth, rows } = await rowPixels(panel, 1, MAGENTA);
      const covered = coveredColumns(model.lanes[0], LaneState.waitRecv, await viewWindow(panel), plotWidth, model.maxTime);
      assert.ok(covered > plotWidth * 0.8, `the waits cover most of the plot (${covered} of ${plotWidth} columns)`);
      assert.ok(rows[0].matchingColumns >= covered - 2, `waitRecv drawn over ${rows[0].matchingColumns} of ${covered} columns`);
    }));

  it('never leaves the timeline blank when it is resized', () =>
    harness.with({ savedState: TRUE_TIME_STATE }, async (panel) => {
      const bytes = serverOnly([rec(0, 1, Kind.THREAD_STARTED), rec(1000, 1, Kind.RECV_BEGIN, 0, 4), rec(900_000, 1, Kind.RECV_END, 16, 4)]);
      await setColours(panel, { [STATE_THEME_COLOR.waitRecv]: MAGENTA });
      await panel.init();
      await panel.load(bytes, 3);
      // Resizing a canvas clears it. Narrow the page, and look at the canvas from a resize
      // observer made after the panel's: it runs after the panel's, before the frame is painted.
      const seen = await panel.page.evaluate<{ before: number; after: number; magenta: number }>(`new Promise((resolve) => {
        const canvas = document.querySelector('canvas.timeline');
        const before = canvas.width;
        document.body.style.width = Math.round(document.body.clientWidth * 0.8) + 'px';
        const observer = new ResizeObserver(() => {
          observer.disconnect();
          const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          let magenta = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i] === 255 && d[i + 1] === 0 && d[i + 2] === 255) magenta++;
          resolve({ before, after: canvas.width, magenta });
        });
        observer.observe(document.querySelector('.plot'));
      })`);
      assert.ok(seen.after < seen.before, `the canvas was resized (${seen.before} -> ${seen.after} px)`);
      assert.ok(seen.magenta > 1000, `and drawn again at once (${seen.magenta} px of the wait)`);
    }));

  it('draws a pool thread’s work over its idle life', () =>
    harness.with({ savedState: TRUE_TIME_STATE }, async (panel) => {
      // A thread that only works is a pool thread: idle (charts.lines) around its work (charts.red).
      const bytes = serverOnly([rec(0, 2, Kind.THREAD_STARTED), rec(1_000_000, 2, Kind.WORK_STARTED, 97), rec(15_000_000, 2, Kind.WORK_DONE, 1), rec(16_000_000, 2, Kind.THREAD_EXITED)]);
      const model = readRecording(bytes).model;
      await setColours(panel, { [STATE_THEME_COLOR.work]: MAGENTA });
      await panel.init();
      await panel.load(bytes, model.eventCount);
      await panel.waitFor(`document.querySelector('table.lanes tbody th')?.textContent === 'thread 2 (pool thread)'`, 'a pool thread');
      const { plotWidth, rows } = await rowPixels(panel, 1, MAGENTA);
      const covered = coveredColumns(model.lanes[0], LaneState.work, await viewWindow(panel), plotWidth, model.maxTime);
      assert.ok(covered > plotWidth * 0.7, `the work covers most of the plot (${covered} of ${plotWidth} columns)`);
      assert.ok(rows[0].matchingColumns >= covered - 2, `work drawn over ${rows[0].matchingColumns} of ${covered} columns`);
    }));

  it('draws a client awaiting its reply in its own colour, the one the legend shows', () =>
    harness.with({}, async (panel) => {
      // No other state that is ever drawn shares it.
      for (const name of LANE_STATE_NAMES) {
        if (name === 'awaitingReply' || name === 'done' || name === 'gone') continue;
        assert.notEqual(STATE_THEME_COLOR[name], STATE_THEME_COLOR.awaitingReply, `${name} and awaitingReply share a colour`);
      }
      const bytes = concatBytes([
        encodeRecordingHeader(),
        encodeBlock(0, concatBytes([head(TraceSource.server, 7), encodeRecords([rec(0, 1, Kind.THREAD_STARTED), rec(1000, 1, Kind.RECV_BEGIN, 0, 4), rec(20_000, 1, Kind.RECV_END, 16, 4)])])),
        encodeBlock(
          1,
          concatBytes([
            head(TraceSource.client, 8),
            encodeRecords([rec(500, 1, Kind.CLIENT_CONNECT), rec(600, 1, Kind.CLIENT_CONNECTED), rec(700, 1, Kind.CLIENT_ACK), rec(2000, 1, Kind.CLIENT_SEND, 16), rec(18_000, 1, Kind.CLIENT_RECEIVE, 16), rec(19_000, 1, Kind.CLIENT_CLOSE)]),
          ]),
        ),
      ]);
      const awaitingRgb = [0, 255, 127];
      await setColours(panel, { [STATE_THEME_COLOR.waitRecv]: MAGENTA, [STATE_THEME_COLOR.awaitingReply]: awaitingRgb });
      await panel.init();
      await panel.load(bytes, 9);
      await panel.waitFor(`document.querySelectorAll('table.lanes tbody tr').length === 2`, 'two rows');
      // Half-way through the client's wait for its reply: the server waits in recv (row 0), the
      // client awaits its reply (row 1), each in its own colour.
      const x = await xOf(panel, 10_000);
      assert.deepEqual(await canvasPixel(panel, x, AXIS + 10), MAGENTA, 'the server waiting in recv');
      assert.deepEqual(await canvasPixel(panel, x, AXIS + ROW + 10), awaitingRgb, 'the client awaiting its reply');
      const swatch = (words: string) =>
        panel.page.evaluate<string>(
          `getComputedStyle([...document.querySelectorAll('.legend li')].find((li) => li.textContent === ${JSON.stringify(words)}).querySelector('.swatch')).backgroundColor`,
        );
      assert.equal(await swatch(PANEL_STRINGS_EN.stateAwaitingReply), `rgb(${awaitingRgb.join(', ')})`);
      assert.equal(await swatch(PANEL_STRINGS_EN.stateWaitRecv), `rgb(${MAGENTA.join(', ')})`);
      assert.deepEqual(panel.errors, []);
    }));
});

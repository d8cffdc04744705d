/**
 * Every stage's lesson, drawn at the panel's default view: each stage is built, run with its
 * trace going to the sink and driven by its lesson scenario (src/core/client/lessonScenarios.ts,
 * started with the scenario's stageArgs; the client's events join the recording), and the
 * recording is opened in the panel at the size it has beside the source in a 1600×1000 window
 * (~620×560). Without zooming, the pixels must show what the model is about: later clients
 * queued behind the first (01), several client threads at once (02), a client starved while the
 * one thread sleeps in recv (03), the empty polls piling up (04), select handed its fds (05),
 * epoll with many registered (06), the pool working while the loop echoes (07), the loop working
 * while the clients wait (08), green threads run on two carriers (09).
 *
 * Each recording must also list the moments of its notes, found by the panel itself.
 *
 * The colour a check looks for is made unique for the page (a theme variable set to a colour
 * nothing else uses), so a pixel of it is that state and nothing else. Each stage is recorded once.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ClientTraceWriter } from '../../src/core/client/clientTrace';
import { lessonScenario, runLessonScenario } from '../../src/core/client/lessonScenarios';
import { detectMoments } from '../../src/core/notes/momentDetector';
import { StageProcess } from '../../src/core/stageProcess';
import { STAGES, type StageId, type StageInfo } from '../../src/core/stages';
import { readRecording } from '../../src/core/trace/recording';
import { TraceSink } from '../../src/core/trace/sink';
import type { TraceModel } from '../../src/core/trace/model';
import { cssVariable, LaneKind, LaneState, STATE_THEME_COLOR, type LaneKindId, type LaneStateName } from '../../src/core/trace/states';
import { laneOrder } from '../../webview/panel/laneOrder';
import { bandPixels, PanelHarness, rowColumns, type PanelPage } from './panelHarness';
import { applyTheme, DARK_MODERN } from './themes';

const SERVERS = join(__dirname, '..', '..', 'servers');
/**
 * The panel as Run Stage lays it out in a 1600×1000 window (the screenshot tour measures it):
 * beside main.c, above the terminals, with the side bar open.
 */
const WIDTH = 620;
const HEIGHT = 560;
/** The timeline's geometry (webview/panel/geometry.ts): ruler, counter track; a lane row's height is the frame's. */
const AXIS_HEIGHT = 22;
const TRACK_HEIGHT = 28;
/** A span "readable" at the default view: at least this many columns in a row. */
const READABLE_PX = 4;

/** Colours nothing in the panel uses, for the states a check looks for. */
const A = [255, 0, 255] as const;
const B = [0, 255, 0] as const;
const C = [255, 255, 0] as const;
const key = (rgb: readonly number[]) => rgb.join(',');

async function record(buildDir: string, stageId: StageId, dir: string): Promise<Uint8Array> {
  const scenario = lessonScenario(stageId);
  const sink = await TraceSink.listen({ socketPath: join(dir, `${stageId.slice(0, 2)}.sock`), recordingPath: join(dir, `${stageId}.smrec`) });
  let stage: StageProcess | undefined;
  try {
    const stream = sink.openStream();
    const writer = new ClientTraceWriter((bytes) => stream.write(bytes));
    stage = await StageProcess.start({ binary: join(buildDir, stageId), extraArgs: scenario.stageArgs, env: { SERVER_MODELS_TRACE: sink.socketPath } });
    const result = await runLessonScenario(scenario, { port: stage.port, onEvent: (e) => writer.event(e) });
    assert.ok(result.ok, `${stageId}: the scenario failed: ${result.failures.map((f) => f.message).join('; ')}`);
    stream.end();
  } finally {
    await stage?.stop();
  }
  const summary = await sink.close();
  assert.deepEqual(summary.errors, [], `${stageId}: trace streams`);
  return new Uint8Array(await readFile(summary.recordingPath));
}

/** What a check gets: the model, its rows in the panel's order, and the plot's columns row by row. */
interface Drawn {
  readonly model: TraceModel;
  /** Lane index per row. */
  readonly rows: readonly number[];
  readonly plotWidth: number;
  /** Per row, the colour of every column ("r,g,b"). */
  readonly columns: readonly (readonly string[])[];
  /** Top of the counter tracks (CSS px from the canvas's top). */
  readonly tracksTop: number;
  readonly panel: PanelPage;
}

/** The rows of lanes of one kind, optionally filtered by name. */
function rowsOf(d: Drawn, kind: LaneKindId, name?: RegExp): number[] {
  return d.rows.flatMap((lane, row) => (d.model.lanes[lane].kind === kind && (!name || name.test(d.model.lanes[lane].name)) ? [row] : []));
}

/** The row of the lane with the most spans of `state` (the loop, the acceptor, ...). */
function busiestRow(d: Drawn, state: LaneStateName, kind?: LaneKindId): number {
  let best = -1;
  let most = 0;
  d.rows.forEach((lane, row) => {
    const l = d.model.lanes[lane];
    if (kind !== undefined && l.kind !== kind) return;
    let n = 0;
    for (const level of l.levels) for (let i = 0; i < level.length; i++) if (level.state.get(i) === LaneState[state]) n++;
    if (n > most) {
      most = n;
      best = row;
    }
  });
  assert.ok(best >= 0, `a lane with ${state} spans`);
  return best;
}

/** Columns of `row` in one of `colours`. */
function columnsIn(d: Drawn, row: number, ...colours: (readonly number[])[]): boolean[] {
  const keys = new Set(colours.map(key));
  return d.columns[row].map((c) => keys.has(c));
}

/** The longest run of consecutive true columns. */
function longestRun(columns: readonly boolean[]): number {
  let best = 0;
  let run = 0;
  for (const c of columns) {
    run = c ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

const count = (columns: readonly boolean[]) => columns.filter(Boolean).length;

interface Lesson {
  /** Theme colours made unique for the check: state -> test colour. */
  readonly colours: Partial<Record<LaneStateName, readonly number[]>>;
  /** Counter tracks drawn in this test colour (their stroke is the focus colour). */
  readonly trackColour?: readonly number[];
  readonly check: (d: Drawn) => Promise<void> | void;
}

const LESSONS: Record<StageId, Lesson> = {
  '01-sequential': {
    colours: { queued: A },
    check: async (d) => {
      const clients = rowsOf(d, LaneKind.client);
      assert.ok(clients.length >= 3, `three clients (${clients.length})`);
      // conn1 and conn2 wait in the backlog while conn0 is served.
      for (const row of clients.slice(1)) {
        const queued = longestRun(columnsIn(d, row, A));
        assert.ok(queued >= READABLE_PX, `${d.model.lanes[d.rows[row]].name} queued over ${queued} px`);
      }
      // Where the requests waited: the backlog, most of all; and a click on conn2's wait
      // follows its first request, which spent most of its time there.
      await d.panel.waitFor(`document.querySelector('.journeys .shares li')?.dataset.segment === 'backlog'`, 'the backlog first among where requests waited');
      const row = clients[clients.length - 1];
      const queued = columnsIn(d, row, A);
      const x = (queued.indexOf(true) + queued.lastIndexOf(true)) / 2;
      const box = (await d.panel.page.locator('canvas.timeline').boundingBox())!;
      const rowHeight = await d.panel.page.evaluate<number>(`Number(document.body.dataset.rowHeight)`);
      await d.panel.page.mouse.click(box.x + box.width - d.plotWidth + x, box.y + AXIS_HEIGHT + row * rowHeight + rowHeight / 2);
      const name = d.model.lanes[d.rows[row]].name;
      await d.panel.waitFor(`document.querySelector('.journeys h3.picked')?.textContent.startsWith('${name}, message 0')`, `${name}'s first request followed`);
      assert.equal(await d.panel.page.evaluate<string>(`document.querySelector('.journeys h3.picked + .stack + .shares li').dataset.segment`), 'backlog');
      if (SCREENSHOTS) await d.panel.page.screenshot({ path: join(SCREENSHOTS, '01-sequential-journey.png') });
    },
  },
  '02-thread-per-client': {
    colours: { waitRecv: A, running: B },
    check: (d) => {
      // The client threads: every thread lane but the one that accepts.
      const acceptor = busiestRow(d, 'waitAccept', LaneKind.thread);
      const threads = rowsOf(d, LaneKind.thread).filter((row) => row !== acceptor);
      let most = 0;
      for (let x = 0; x < d.plotWidth; x++) {
        const alive = threads.filter((row) => [key(A), key(B)].includes(d.columns[row][x])).length;
        most = Math.max(most, alive);
      }
      assert.ok(most >= 4, `four client threads drawn at once (at most ${most} of ${threads.length} thread lanes)`);
    },
  },
  '03-blocking-io': {
    colours: { waitRecv: A, queued: B, awaitingReply: C },
    check: (d) => {
      const main = busiestRow(d, 'waitRecv', LaneKind.thread);
      const conn1 = rowsOf(d, LaneKind.client, /1$/)[0];
      assert.ok(conn1 !== undefined, 'conn1');
      const inRecv = columnsIn(d, main, A);
      const starved = columnsIn(d, conn1, B, C);
      const both = inRecv.map((r, x) => r && starved[x]);
      assert.ok(count(both) >= READABLE_PX, `conn1 waiting while the thread is in recv for conn0: ${count(both)} columns (recv ${count(inRecv)}, conn1 ${count(starved)})`);
    },
  },
  '04-nonblocking-polling': {
    colours: { sleepPoll: A },
    trackColour: B,
    check: async (d) => {
      assert.ok(d.model.counters.emptyPolls.length >= 2, `empty polls reported (${d.model.counters.emptyPolls.length})`);
      // The stage reports its count once a second: the track starts at the first report.
      const track = await bandPixels(d.panel, d.tracksTop, TRACK_HEIGHT, B);
      assert.ok(track.columns >= d.plotWidth * 0.1, `the empty-poll track drawn over ${track.columns} of ${d.plotWidth} columns`);
      assert.ok(track.heights >= 3, `the empty-poll track rises (${track.heights} heights)`);
      const poller = busiestRow(d, 'sleepPoll');
      assert.ok(count(columnsIn(d, poller, A)) >= READABLE_PX, 'the poller sleeping between passes');
    },
  },
  '05-select': {
    colours: { waitSelect: A },
    trackColour: B,
    check: async (d) => {
      const loop = busiestRow(d, 'waitSelect');
      // Most of its time is the pauses, drawn as hatched gaps: the waits inside the bursts must read.
      const waits = columnsIn(d, loop, A);
      assert.ok(count(waits) >= d.plotWidth * 0.1 && longestRun(waits) >= READABLE_PX, `waiting in select over ${count(waits)} columns (longest ${longestRun(waits)} px)`);
      const track = await bandPixels(d.panel, d.tracksTop, TRACK_HEIGHT, B);
      assert.ok(track.columns >= d.plotWidth * 0.3, `the fds-per-select track drawn over ${track.columns} of ${d.plotWidth} columns`);
      assert.ok(track.heights >= 3, `the fds handed to select grow (${track.heights} heights)`);
    },
  },
  '06-epoll': {
    colours: { waitEpoll: A, waitKevent: A },
    trackColour: B,
    check: async (d) => {
      const loop = busiestRow(d, process.platform === 'linux' ? 'waitEpoll' : 'waitKevent');
      // Most of its time is the pauses, drawn as hatched gaps: the waits inside the bursts must read.
      const waits = columnsIn(d, loop, A);
      assert.ok(count(waits) >= d.plotWidth * 0.1 && longestRun(waits) >= READABLE_PX, `waiting in epoll_wait over ${count(waits)} columns (longest ${longestRun(waits)} px)`);
      const fds = d.model.counters.fdsWatched;
      let registered = 0;
      for (let i = 0; i < fds.length; i++) registered = Math.max(registered, fds.value.get(i));
      assert.ok(registered >= 100, `many registered (${registered})`);
      const track = await bandPixels(d.panel, d.tracksTop, TRACK_HEIGHT, B);
      assert.ok(track.columns >= d.plotWidth * 0.3, `the registered-fds track drawn over ${track.columns} of ${d.plotWidth} columns`);
    },
  },
  '07-libuv': {
    colours: { work: A, callback: B },
    check: async (d) => {
      const pools = rowsOf(d, LaneKind.pool);
      const working = pools.map((row) => columnsIn(d, row, A));
      const best = working.reduce((b, w, i) => (count(w) > count(working[b]) ? i : b), 0);
      assert.ok(pools.length > 0 && longestRun(working[best]) >= READABLE_PX, `a pool thread working (${pools.length} pool lanes, ${count(working[best] ?? [])} columns)`);
      // Meanwhile the loop runs the other clients' callbacks: echoes served during the work.
      const loop = busiestRow(d, 'callback', LaneKind.thread);
      const callbacks = columnsIn(d, loop, B).map((c, x) => c && columnsWithin(working[best], x));
      assert.ok(count(callbacks) >= 2, `callbacks on the loop while the pool works: ${count(callbacks)} columns`);
      // Follow the slow request: from its client to the loop, to the pool thread, back to the
      // loop and to the client, one arrow per hand-over.
      const asker = rowsOf(d, LaneKind.client, /3$/)[0];
      const box = (await d.panel.page.locator('canvas.timeline').boundingBox())!;
      const rowHeight = await d.panel.page.evaluate<number>(`Number(document.body.dataset.rowHeight)`);
      const x = (working[best].indexOf(true) + working[best].lastIndexOf(true)) / 2;
      await d.panel.page.mouse.click(box.x + box.width - d.plotWidth + x, box.y + AXIS_HEIGHT + asker * rowHeight + rowHeight / 2);
      const lane = (row: number) => d.rows[row];
      const path = [lane(asker), lane(loop), lane(pools[best]), lane(loop), lane(asker)].join(',');
      await d.panel.waitFor(`document.body.dataset.journeyPath === '${path}'`, `the slow request's path ${path}`);
      if (SCREENSHOTS) await d.panel.page.screenshot({ path: join(SCREENSHOTS, '07-libuv-journey.png') });
    },
  },
  '08-ae': {
    colours: { work: A, awaitingReply: B },
    check: (d) => {
      const loop = busiestRow(d, 'work', LaneKind.thread);
      const working = columnsIn(d, loop, A);
      assert.ok(longestRun(working) >= READABLE_PX, `the loop working over ${longestRun(working)} px`);
      const clients = rowsOf(d, LaneKind.client);
      const waiting = working.map((w, x) => w && clients.filter((row) => d.columns[row][x] === key(B)).length >= 2);
      assert.ok(count(waiting) >= READABLE_PX, `two clients awaiting replies while the loop works: ${count(waiting)} columns`);
    },
  },
  '09-green-threads': {
    colours: { mounted: A },
    check: async (d) => {
      const carriers = rowsOf(d, LaneKind.carrier);
      // A green thread's work is drawn nested in its mounted slice (itself nested in the
      // carrier's life): the mounted colour shows in the rows' upper edge, a few px down.
      const edges = await Promise.all([2, 3, 4, 5].map(async (y) => (await rowColumns(d.panel, d.rows.length, y)).rows));
      const runs = carriers.map((row) => longestRun(d.columns[row].map((_, x) => edges.some((rows) => rows[row][x] === key(A)))));
      assert.ok(runs.filter((r) => r >= READABLE_PX).length >= 2, `two carriers running a green thread over ${READABLE_PX} px or more (longest runs: ${runs.join(', ')})`);
    },
  },
};

/** True if column x lies between the first and the last true column of `columns`. */
function columnsWithin(columns: readonly boolean[], x: number): boolean {
  return columns.indexOf(true) <= x && x <= columns.lastIndexOf(true) && columns.includes(true);
}

/**
 * With PANEL_LESSON_SCREENSHOTS=<folder>, each recording is also opened as a user sees it (Dark
 * Modern, no test colours) and saved as <folder>/<stage>.png, to look at; nothing is asserted.
 */
const SCREENSHOTS = process.env.PANEL_LESSON_SCREENSHOTS;

async function screenshot(harness: PanelHarness, stage: StageInfo, bytes: Uint8Array, events: number): Promise<void> {
  await harness.with({ width: WIDTH, height: HEIGHT }, async (panel) => {
    await applyTheme(panel.page, DARK_MODERN);
    await panel.initStage(stage, 'recording');
    await panel.load(bytes, events);
    await panel.waitFor(`document.querySelector('ol.moments button')`, 'its moments');
    await panel.page.screenshot({ path: join(SCREENSHOTS!, `${stage.id}.png`) });
  });
}

describe('every stage’s lesson drawn at the default view, from its lesson scenario', () => {
  let harness: PanelHarness;
  let dir: string;
  let buildDir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sm-lessons-'));
    buildDir = join(dir, 'build');
    await promisify(execFile)('make', ['-C', SERVERS, `BUILD_DIR=${buildDir}`, '-j2', ...STAGES.map((s) => s.id)], { timeout: 300_000 });
    harness = await PanelHarness.start();
  });
  after(async () => {
    await harness?.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const stage of STAGES) {
    it(`${stage.id}: ${lessonScenario(stage.id).summary}`, async () => {
      const bytes = await record(buildDir, stage.id, dir);
      const { model, problems } = readRecording(bytes);
      assert.deepEqual(problems, []);
      const rows = laneOrder(model);
      const lesson = LESSONS[stage.id];
      await harness.with({ width: WIDTH, height: HEIGHT }, async (panel) => {
        const colours: [string, readonly number[]][] = Object.entries(lesson.colours).map(([state, rgb]) => [cssVariable(STATE_THEME_COLOR[state as LaneStateName]), rgb]);
        if (lesson.trackColour) colours.push(['--vscode-focusBorder', lesson.trackColour]);
        for (const [variable, rgb] of colours) await panel.page.evaluate(`document.body.style.setProperty('${variable}', 'rgb(${rgb.join(',')})')`);
        await panel.initStage(stage, 'recording');
        await panel.load(bytes, model.eventCount);
        await panel.waitFor(`Number(document.body.dataset.draws) > 0`, 'a frame');
        const rowHeight = await panel.page.evaluate<number>(`Number(document.body.dataset.rowHeight)`);
        const visible = await panel.page.evaluate<number>(
          `Math.floor((document.querySelector('canvas.timeline').clientHeight - ${AXIS_HEIGHT} - ${TRACK_HEIGHT}) / ${rowHeight})`,
        );
        assert.ok(visible >= rows.length, `every lane in view at the default zoom (${visible} rows fit, ${rows.length} lanes)`);
        // The recording, opened later, lists the moments of its notes: found in the panel, the
        // same ones the host's detector finds in the same bytes.
        const expected = detectMoments(model, { stage: stage.id }).map((m) => m.id);
        assert.ok(expected.length > 0, `${stage.id}: a moment of the notes in its lesson`);
        await panel.waitFor(`document.querySelectorAll('ol.moments button').length === ${expected.length}`, `${expected.length} moments listed`);
        assert.deepEqual(await panel.page.evaluate<string[]>(`[...document.querySelectorAll('ol.moments button')].map((b) => b.dataset.moment)`), expected);
        // What a user sees, saved before the checks so that a failing stage can be looked at.
        if (SCREENSHOTS) await screenshot(harness, stage, bytes, model.eventCount);
        const { plotWidth, rows: columns } = await rowColumns(panel, rows.length);
        const drawn: Drawn = { model, rows, plotWidth, columns, tracksTop: AXIS_HEIGHT + rows.length * rowHeight, panel };
        await lesson.check(drawn);
        assert.deepEqual(panel.errors, []);
      });
    });
  }
});

/**
 * The panel fed with real recordings: every stage is built, run with its trace going to the
 * sink, driven by the notes' client (whose events join the recording), and the recording is
 * opened in the panel. It must draw the server's and the clients' lanes in laneOrder(), show the
 * state that is the stage's lesson in the server's rows, and step. Each stage is recorded twice:
 * with the stage's stream first in the sink and with the client's first.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { PANEL_STRINGS_EN } from '../../src/core/panel/strings';
import { ClientTraceWriter } from '../../src/core/client/clientTrace';
import { runNotesClient } from '../../src/core/client/notesClient';
import { StageProcess } from '../../src/core/stageProcess';
import { STAGES, type StageId } from '../../src/core/stages';
import { RECORDING_HEADER_SIZE, readRecording } from '../../src/core/trace/recording';
import { TraceSink } from '../../src/core/trace/sink';
import { kindName } from '../../src/core/trace/format';
import { cssVariable, LANE_STATE_NAMES, LaneKind, LaneState, shownState, STAGE_STATES, STATE_THEME_COLOR, type LaneStateId, type LaneStateName } from '../../src/core/trace/states';
import { laneOrder } from '../../webview/panel/laneOrder';
import { coveredColumns, PanelHarness, plotX, rowPixels } from './panelHarness';

const SERVERS = join(__dirname, '..', '..', 'servers');
const CLIENTS = 3;
/** The notes' conversation with short pauses: the same states, a shorter run. */
const CONVERSATION = [
  { send: '^abc$de^abte$f', waitMs: 60 },
  { send: 'xyz^123', waitMs: 60 },
  { send: '25$^ab0000$abab', waitMs: 20 },
];

/** The state each stage is about, drawn in some server lane. */
const LESSON: Record<StageId, LaneStateName> = {
  '01-sequential': 'waitAccept',
  '02-thread-per-client': 'waitRecv',
  '03-blocking-io': 'waitRecv',
  '04-nonblocking-polling': 'sleepPoll',
  '05-select': 'waitSelect',
  '06-epoll': process.platform === 'linux' ? 'waitEpoll' : 'waitKevent',
  '07-libuv': 'waitLoop',
  '08-ae': process.platform === 'linux' ? 'waitEpoll' : 'waitKevent',
  '09-green-threads': 'parked',
};
const MAGENTA = [255, 0, 255];

/** Which process's trace stream the sink takes in first (its stream 0, its first block). */
type StreamOrder = 'stage first' | 'client first';
const ORDERS: readonly StreamOrder[] = ['stage first', 'client first'];

/** Waits until the sink has written a block after the recording's header (the stage's stream header). */
async function firstBlockWritten(path: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await stat(path)).size <= RECORDING_HEADER_SIZE) {
    if (Date.now() > deadline) throw new Error(`no trace block in ${path} after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function record(buildDir: string, stageId: StageId, dir: string, order: StreamOrder): Promise<Uint8Array> {
  const recordingPath = join(dir, `${stageId}-${order.split(' ')[0]}.smrec`);
  const sink = await TraceSink.listen({ socketPath: join(dir, `${stageId.slice(0, 2)}.sock`), recordingPath });
  const startStage = () => StageProcess.start({ binary: join(buildDir, stageId), env: { SERVER_MODELS_TRACE: sink.socketPath } });
  let stage: StageProcess | undefined;
  try {
    if (order === 'stage first') {
      stage = await startStage();
      // The stage writes its stream header when it starts; once the sink has it, the stage's
      // stream is stream 0 and its block comes first.
      await firstBlockWritten(recordingPath);
    }
    // The client's writer sends its header at once, so with 'client first' its block comes first.
    const stream = sink.openStream();
    const writer = new ClientTraceWriter((bytes) => stream.write(bytes));
    assert.equal(stream.stream, order === 'stage first' ? 1 : 0, `${stageId}: the client's stream number (${order})`);
    stage ??= await startStage();
    const result = await runNotesClient({ port: stage.port, connections: CLIENTS, conversation: CONVERSATION, onEvent: (e) => writer.event(e) });
    assert.ok(result.ok, `${stageId}: the client run failed: ${result.failures.map((f) => f.message).join('; ')}`);
    stream.end();
  } finally {
    await stage?.stop();
  }
  const summary = await sink.close();
  assert.deepEqual(summary.errors, [], `${stageId}: trace streams`);
  return new Uint8Array(await readFile(summary.recordingPath));
}

/** The fds counter each stage's recording shows, if any. */
const FDS_COUNTER: Partial<Record<StageId, string>> = {
  '05-select': PANEL_STRINGS_EN.counterSelectFds,
  '06-epoll': PANEL_STRINGS_EN.counterRegisteredFds,
  '08-ae': PANEL_STRINGS_EN.counterRegisteredFds,
  '09-green-threads': PANEL_STRINGS_EN.counterRegisteredFds,
};

describe('the panel with real recordings of every stage', () => {
  let harness: PanelHarness;
  let dir: string;
  let buildDir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sm-stages-'));
    buildDir = join(dir, 'build');
    await promisify(execFile)('make', ['-C', SERVERS, `BUILD_DIR=${buildDir}`, '-j2', ...STAGES.map((s) => s.id)], { timeout: 300_000 });
    harness = await PanelHarness.start();
  });
  after(async () => {
    await harness?.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const stage of STAGES) for (const order of ORDERS) {
    it(`${stage.id}, ${order}: lanes for the server and each client in order, the lesson drawn, stepping`, async () => {
      const bytes = await record(buildDir, stage.id, dir, order);
      const { model, problems } = readRecording(bytes);
      assert.deepEqual(problems, []);
      assert.deepEqual(
        [...model.processes.values()].map((p) => p.source),
        order === 'stage first' ? ['server', 'client'] : ['client', 'server'],
        'the streams in the recording in the order asked for',
      );
      // Everything the recording shows is in the stage's table, which its colours are chosen for.
      const look = STAGE_STATES[stage.id];
      const states = new Set<string>();
      const marks = new Set<string>();
      for (const lane of model.lanes) {
        lane.levels.forEach((level, depth) => {
          for (let i = 0; i < level.length; i++) states.add(LANE_STATE_NAMES[shownState(lane.kind, depth, level.state.get(i) as LaneStateId)]);
        });
        for (let i = 0; i < lane.instants.length; i++) marks.add(kindName(model.events.kind.get(lane.instants.get(i))) ?? '?');
      }
      assert.deepEqual([...states].filter((s) => !look.states.includes(s as LaneStateName) && !look.oneOf?.includes(s as LaneStateName)), [], `${stage.id}: states outside STAGE_STATES`);
      assert.deepEqual([...marks].filter((m) => !(look.marks as readonly string[]).includes(m)), [], `${stage.id}: marks outside STAGE_STATES`);
      const rows = laneOrder(model);
      const lanes = rows.map((i) => model.lanes[i]);
      assert.equal(lanes.filter((l) => l.kind === LaneKind.client).length, CLIENTS);
      assert.ok(lanes.some((l) => l.kind !== LaneKind.client), 'a server lane');

      await harness.with({ height: 200 + rows.length * 20 }, async (panel) => {
        const lesson = LESSON[stage.id];
        await panel.page.evaluate(`document.body.style.setProperty('${cssVariable(STATE_THEME_COLOR[lesson])}', 'rgb(${MAGENTA.join(',')})')`);
        await panel.initStage(stage, 'recording');
        await panel.load(bytes, model.eventCount);
        await panel.waitFor(`Number(document.body.dataset.draws) > 0`, 'a frame');

        // The panel's rows (the lane table lists them as the canvas draws them) are laneOrder().
        const tableLanes = await panel.page.evaluate<string[]>(`[...document.querySelectorAll('table.lanes tbody tr')].map((tr) => tr.dataset.lane)`);
        assert.deepEqual(tableLanes.map(Number), rows, 'every lane is listed, in laneOrder()');
        const { plotWidth, rows: pixels } = await rowPixels(panel, rows.length, MAGENTA);
        lanes.forEach((lane, r) => {
          const hasSpans = lane.levels[0].length > 0;
          // A span is drawn at least a few pixels wide, however short it was.
          if (hasSpans) assert.ok(pixels[r].drawn > 10, `${stage.id}: lane ${lane.name} is drawn (${pixels[r].drawn} px)`);
        });
        const lessonRows = lanes.map((l, r) => ({ l, r })).filter(({ l }) => l.kind !== LaneKind.client);
        const magenta = lessonRows.reduce((n, { r }) => n + pixels[r].matching, 0);
        assert.ok(magenta > 0, `${stage.id}: "${lesson}" drawn in a server lane`);
        // And as much of it as the recording has: every column inside a lesson span shows it (but
        // the cursor's two).
        // On the axis the panel shows by default (idle stretches collapsed).
        const { x: view } = await plotX(panel, model);
        for (const { l, r } of lessonRows) {
          const expected = coveredColumns(l, LaneState[lesson], view, plotWidth, model.maxTime);
          assert.ok(
            pixels[r].matchingColumns >= expected - 2,
            `${stage.id}: "${lesson}" in ${l.name}'s row over ${pixels[r].matchingColumns} of the ${expected} columns its spans cover`,
          );
        }
        // The lesson is also in the model, not only in colour.
        assert.ok(
          lanes.some((l) => l.levels.some((v) => Array.from(v.state.data.subarray(0, v.length)).includes(LaneState[lesson]))),
          `${stage.id}: a ${lesson} span`,
        );

        // The counters the stage reports, in its own words: select is handed its fds on every
        // call; epoll and kqueue keep them registered in the kernel.
        const counterNames = await panel.page.evaluate<string[]>(`[...document.querySelectorAll('dl.counters dt')].map((dt) => dt.textContent)`);
        const fdsLabel = counterNames.filter((n) => n.startsWith('fds '));
        assert.deepEqual(fdsLabel, FDS_COUNTER[stage.id] ? [FDS_COUNTER[stage.id]] : [], `${stage.id}: the fds counter (${counterNames.join(', ')})`);

        await panel.page.focus('canvas.timeline');
        await panel.page.keyboard.press('Home');
        await panel.cursorAt(0, 'the first event');
        await panel.page.keyboard.press('ArrowRight');
        await panel.cursorAt(1, 'a step');
        const kind = await panel.page.evaluate<string>(`document.querySelector('.facts dd').textContent`);
        assert.match(kind, /^[A-Z_]+$/);
        assert.deepEqual(await panel.cspViolations(), []);
        assert.deepEqual(panel.errors, []);
      });
    });
  }
});

/**
 * The recording panel's colours as VS Code's two default themes, Dark Modern and Light Modern,
 * make them (test/webview/themes.ts): every two states that one stage's recording can show at
 * once (STAGE_STATES) must be told apart at a glance, and so must a mark and the slices it lands
 * on, and two marks of one stage. The colours compared are the ones the panel resolves in the
 * page, and the canvas must draw every state in the colour its legend entry shows.
 *
 * "Apart" is a CIE76 distance (ΔE*ab, the Euclidean distance in CIELAB, D65) of at least
 * MIN_DELTA_E between the two colours as they appear on the editor background (a translucent
 * colour such as charts.lines composited over it). 2.3 is a just-noticeable difference between
 * two patches side by side; 30 is two colours one names differently without looking twice. The
 * pairs the panel used to have and that we judged confusable in screenshots all fall under it:
 * charts.blue and terminal.ansiBrightBlue (9 in Dark Modern, 28 in Light Modern), charts.yellow
 * and terminal.ansiYellow (31 / 28), charts.yellow and charts.orange (23 / 10), charts.purple and
 * terminal.ansiBrightMagenta (19 / 37); the closest pairs kept are 32 apart (charts.lines and
 * charts.foreground, a connected client and one awaiting its reply; charts.purple and
 * terminal.ansiMagenta) in Dark Modern.
 *
 * A state drawn as a thin line (an idle pool or carrier thread) is told apart from bars by its
 * shape, whatever its colour: the test checks that shape on the canvas.
 *
 * Lane chips (LANE_THEME_COLORS) are no state's colour and differ from every state's, so that a
 * lane's chip never reads as a state; the palettes leave no room for 30 there (see states.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { STAGES } from '../../src/core/stages';
import { encodeHeader, encodeName, encodeRecords, Kind, TraceSource, type RecordFields, type TraceKindName } from '../../src/core/trace/format';
import { concatBytes, encodeBlock, encodeRecordingHeader, readRecording } from '../../src/core/trace/recording';
import {
  LANE_STATE_NAMES,
  LANE_THEME_COLORS,
  LaneState,
  shownState,
  STAGE_STATES,
  STATE_FILL,
  STATE_THEME_COLOR,
  type LaneStateName,
  type StageStates,
} from '../../src/core/trace/states';
import { laneOrder } from '../../webview/panel/laneOrder';
import { canvasPixel, PanelHarness, TRUE_TIME_STATE, viewWindow, type PanelPage } from './panelHarness';
import { applyTheme, THEMES, type WebviewTheme } from './themes';

const MIN_DELTA_E = 30;
const AXIS = 22;
const ROW = 20;

type Rgb = readonly [number, number, number];

/** CSS `rgb(r, g, b)` / `rgba(r, g, b, a)` as it appears on `under`. */
function composite(css: string, under: Rgb): Rgb {
  const m = /^rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)$/.exec(css);
  assert.ok(m, `a computed colour: ${css}`);
  const alpha = m[4] === undefined ? 1 : Number(m[4]);
  return [1, 2, 3].map((i) => Math.round(Number(m[i]) * alpha + under[i - 1] * (1 - alpha))) as unknown as Rgb;
}

/** sRGB (0-255) to CIELAB, D65 white. */
function lab([r, g, b]: Rgb): Rgb {
  const linear = (c: number) => ((c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const [R, G, B] = [linear(r), linear(g), linear(b)];
  const x = (0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047;
  const y = 0.2126 * R + 0.7152 * G + 0.0722 * B;
  const z = (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

/** `rgb(r, g, b)`, for messages. */
const css = (c: Rgb | undefined): string => (c ? `rgb(${c.join(', ')})` : 'none');

/** CIE76 ΔE*ab. */
function deltaE(a: Rgb, b: Rgb): number {
  const [p, q] = [lab(a), lab(b)];
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

const T1 = 2_000_000;
/** Off the axis's grid lines (every 2 ms here), which show through translucent colours. */
const SAMPLE = 6_300_000;
const END = 10_000_000;
/** Before any lane but the anchor begins: the rows' own background. */
const BARE = 500_000;

const rec = (timeNs: number, lane: number, kind: number, value = 0): RecordFields => ({ timeNs, lane, kind, value, fd: 4 });

/** A server thread that starts at T1 and at once opens a slice of `kind`. */
const waitBegins: [TraceKindName, number][] = [
  ['ACCEPT_BEGIN', Kind.ACCEPT_BEGIN],
  ['RECV_BEGIN', Kind.RECV_BEGIN],
  ['SEND_BEGIN', Kind.SEND_BEGIN],
  ['SELECT_BEGIN', Kind.SELECT_BEGIN],
  ['EPOLL_WAIT_BEGIN', Kind.EPOLL_WAIT_BEGIN],
  ['KEVENT_BEGIN', Kind.KEVENT_BEGIN],
  ['LOOP_WAIT_BEGIN', Kind.LOOP_WAIT_BEGIN],
  ['SLEEP_BEGIN', Kind.SLEEP_BEGIN],
  ['CALLBACK_BEGIN', Kind.CALLBACK_BEGIN],
];

/**
 * One recording in which, at SAMPLE, some lane shows each state that is ever drawn (all of them
 * from T1 on), and which holds every kind of mark.
 */
function everyState(): Uint8Array {
  const server: RecordFields[] = [
    // The anchor: the recording starts at 0.
    rec(0, 1, Kind.DROPPED, 1),
    rec(T1, 1, Kind.THREAD_STARTED),
    rec(END, 1, Kind.CONN_CLOSED),
  ];
  waitBegins.forEach(([, kind], i) => server.push(rec(T1, 2 + i, Kind.THREAD_STARTED), rec(T1 + 1, 2 + i, kind)));
  // Pool threads (work, no socket waits): one working, one idle until just before the end.
  server.push(rec(T1, 20, Kind.THREAD_STARTED), rec(T1 + 1, 20, Kind.WORK_STARTED, 97));
  server.push(rec(T1, 21, Kind.THREAD_STARTED), rec(END - 1, 21, Kind.WORK_STARTED, 97));
  // A carrier running green 2; green 1 waits for a carrier, green 3 is parked, green 4 comes and goes.
  server.push(
    rec(T1, 22, Kind.THREAD_STARTED),
    ...[1, 2, 3, 4].map((g) => rec(T1, 22, Kind.GREEN_STARTED, g)),
    rec(T1 + 1, 22, Kind.GREEN_MOUNTED, 2),
    rec(T1 + 2, 22, Kind.GREEN_PARKED, 3),
    rec(T1 + 3, 22, Kind.GREEN_RESUMED, 4),
    rec(T1 + 4, 22, Kind.GREEN_EXITED, 4),
  );
  // The other marks, on the first thread.
  for (const kind of [Kind.CONN_ACCEPTED, Kind.EAGAIN, Kind.READY_FD, Kind.WORK_SUBMITTED, Kind.TIMER_FIRED]) server.push(rec(T1 + 10, 1, kind));
  server.sort((a, b) => Number(a.timeNs) - Number(b.timeNs));
  const client: RecordFields[] = [
    rec(T1, 1, Kind.CLIENT_CONNECT),
    rec(T1, 2, Kind.CLIENT_CONNECT),
    rec(T1 + 1, 2, Kind.CLIENT_ACK),
    rec(T1, 3, Kind.CLIENT_CONNECT),
    rec(T1 + 1, 3, Kind.CLIENT_ACK),
    rec(T1 + 2, 3, Kind.CLIENT_SEND, 16),
    rec(T1, 4, Kind.CLIENT_CONNECT),
    rec(T1 + 1, 4, Kind.CLIENT_ACK),
    rec(T1 + 2, 4, Kind.CLIENT_SEND, 16),
    rec(T1 + 3, 4, Kind.CLIENT_RECEIVE, 16),
  ];
  const head = (source: number, pid: number) => encodeHeader({ source, pid, startNs: 0n, startUnixNs: 0n, clock: 'CLOCK_MONOTONIC' });
  return concatBytes([
    encodeRecordingHeader(),
    encodeBlock(0, concatBytes([head(TraceSource.server, 7), encodeName(Kind.NAME_LANE, 1, 'main', 0), encodeRecords(server)])),
    encodeBlock(1, concatBytes([head(TraceSource.client, 8), encodeRecords(client)])),
  ]);
}

/** What the panel resolved in one theme: each legend entry's and lane chip's colour on the editor background. */
interface Resolved {
  readonly states: ReadonlyMap<LaneStateName, Rgb>;
  readonly marks: ReadonlyMap<TraceKindName, Rgb>;
  /** By theme colour id (LANE_THEME_COLORS). */
  readonly lanes: ReadonlyMap<string, Rgb>;
}

/** Lane chips differ from every state (they are not the same colour) and clearly from each other. */
const LANE_FROM_STATE_DELTA_E = 10;

const DRAWN_STATES: readonly LaneStateName[] = LANE_STATE_NAMES.filter((name) => name !== 'done' && name !== 'gone');
const CLIENT_STATES: ReadonlySet<LaneStateName> = new Set(['queued', 'connected', 'awaitingReply']);
/** Marks are never drawn on green threads' lanes, so never on these. */
const GREEN_ONLY_STATES: ReadonlySet<LaneStateName> = new Set(['parked', 'runnable']);

/** Every set of states one recording of a stage can show at once: its states plus one of its alternatives. */
function togetherSets(stage: StageStates): LaneStateName[][] {
  const alternatives = stage.oneOf ?? [];
  return alternatives.length === 0 ? [[...stage.states]] : alternatives.map((one) => [...stage.states, one]);
}

describe('the recording panel’s colours in Dark Modern and Light Modern', () => {
  let harness: PanelHarness;
  const resolved = new Map<string, Resolved>();
  const bytes = everyState();
  const model = readRecording(bytes).model;
  const rows = laneOrder(model);

  /** Opens the recording in a theme and reads the legend's colours and the canvas's pixels. */
  async function inTheme<T>(theme: WebviewTheme, body: (panel: PanelPage) => Promise<T>): Promise<T> {
    // In true time: the checks below place times on the plot linearly.
    return harness.with({ width: 1000, height: 1400, savedState: TRUE_TIME_STATE }, async (panel) => {
      await applyTheme(panel.page, theme);
      await panel.init();
      await panel.load(bytes, model.eventCount);
      return body(panel);
    });
  }

  async function legendColours(panel: PanelPage): Promise<{ key: string; colour: string }[]> {
    return panel.page.evaluate<{ key: string; colour: string }[]>(
      `[...document.querySelectorAll('.legend li')].map((li) => ({ key: li.dataset.key, colour: getComputedStyle(li.querySelector('.swatch')).backgroundColor }))`,
    );
  }

  before(async () => {
    harness = await PanelHarness.start();
    for (const theme of THEMES) {
      await inTheme(theme, async (panel) => {
        const background = composite(await panel.page.evaluate<string>('getComputedStyle(document.body).backgroundColor'), [0, 0, 0]);
        const states = new Map<LaneStateName, Rgb>();
        const marks = new Map<TraceKindName, Rgb>();
        for (const { key, colour } of await legendColours(panel)) {
          if (Object.hasOwn(LaneState, key)) states.set(key as LaneStateName, composite(colour, background));
          else for (const kind of key.split(',')) marks.set(kind as TraceKindName, composite(colour, background));
        }
        const chips = await panel.page.evaluate<{ id: string; colour: string }[]>(
          `[...document.querySelectorAll('table.lanes .chip')].map((chip) => ({ id: chip.dataset.colour, colour: getComputedStyle(chip).backgroundColor }))`,
        );
        const lanes = new Map(chips.map(({ id, colour }) => [id, composite(colour, background)] as const));
        resolved.set(theme.name, { states, marks, lanes });
      });
    }
  });
  after(async () => {
    await harness?.close();
  });

  it('lists every state and mark of the recording in the legend, and draws each state in its legend colour and shape', async () => {
    // Which row shows which state at SAMPLE, as the panel shows it.
    const snapshot = model.stateAtTime(SAMPLE);
    const rowOf = new Map<LaneStateName, number>();
    rows.forEach((lane, row) => {
      const snap = snapshot.lanes[lane];
      const name = LANE_STATE_NAMES[shownState(model.lanes[lane].kind, snap.depth, snap.state)];
      if (DRAWN_STATES.includes(name) && !rowOf.has(name)) rowOf.set(name, row);
    });
    assert.deepEqual([...rowOf.keys()].sort(), [...DRAWN_STATES].sort(), 'the recording shows every state at once');
    for (const theme of THEMES) {
      const { states, marks } = resolved.get(theme.name)!;
      assert.deepEqual([...states.keys()], DRAWN_STATES, `${theme.name}: the legend lists the states in table order`);
      assert.deepEqual(
        [...marks.keys()].sort(),
        ['CLIENT_RECEIVE', 'CLIENT_SEND', 'CONN_ACCEPTED', 'CONN_CLOSED', 'DROPPED', 'EAGAIN', 'GREEN_EXITED', 'GREEN_PARKED', 'GREEN_RESUMED', 'GREEN_STARTED', 'READY_FD', 'TIMER_FIRED', 'WORK_SUBMITTED'],
        `${theme.name}: the legend lists every mark`,
      );
      await inTheme(theme, async (panel) => {
        const [start, end] = await viewWindow(panel);
        const width = await panel.page.evaluate<number>(`document.querySelector('canvas.timeline').clientWidth`);
        const labels = Math.min(190, Math.floor(width * 0.3));
        const x = (t: number) => labels + Math.round(((t - start) / (end - start)) * (width - labels));
        for (const [name, row] of rowOf) {
          const top = AXIS + row * ROW;
          const bare = await canvasPixel(panel, x(BARE), top + 10);
          const middle = await canvasPixel(panel, x(SAMPLE), top + 10);
          const upper = await canvasPixel(panel, x(SAMPLE), top + 6);
          const near = (a: Rgb, b: Rgb) => a.every((v, i) => Math.abs(v - b[i]) <= 2);
          // The legend's colour is on the editor background; a translucent one looks different on
          // an odd row's: compare on the row's own background.
          const legendOnRow = composite(
            await panel.page.evaluate<string>(
              `getComputedStyle(document.querySelector('.legend li[data-key="${name}"] .swatch')).backgroundColor`,
            ),
            bare,
          );
          assert.ok(near(middle, legendOnRow), `${theme.name}: ${name} drawn as ${css(middle)}, its legend entry is ${css(legendOnRow)}`);
          if (STATE_FILL[name] === 'line') {
            assert.ok(near(upper, bare), `${theme.name}: ${name} is a thin line: above it the row is bare (${css(upper)})`);
          } else {
            assert.ok(near(upper, middle), `${theme.name}: ${name} is a bar: ${css(upper)} above its middle too`);
          }
        }
        assert.deepEqual(panel.errors, []);
      });
    }
  });

  it(`tells apart every two states one stage can show at once (ΔE76 ≥ ${MIN_DELTA_E}, both themes)`, () => {
    const close: string[] = [];
    for (const stage of STAGES) {
      for (const together of togetherSets(STAGE_STATES[stage.id])) {
        for (let i = 0; i < together.length; i++) {
          for (let j = i + 1; j < together.length; j++) {
            const [a, b] = [together[i], together[j]];
            // A line is not a bar, whatever their colours.
            if (STATE_FILL[a] !== STATE_FILL[b]) continue;
            for (const theme of THEMES) {
              const { states } = resolved.get(theme.name)!;
              const d = deltaE(states.get(a)!, states.get(b)!);
              if (d < MIN_DELTA_E) close.push(`${stage.id} ${theme.name}: ${a} ${css(states.get(a))} and ${b} ${css(states.get(b))} are ${d.toFixed(1)} apart`);
            }
          }
        }
      }
    }
    assert.deepEqual([...new Set(close)], []);
  });

  it(`draws a mark apart from the slices it lands on and from the other marks of its stage (ΔE76 ≥ ${MIN_DELTA_E})`, () => {
    const close: string[] = [];
    for (const stage of STAGES) {
      const look = STAGE_STATES[stage.id];
      for (const together of togetherSets(look)) {
        for (const theme of THEMES) {
          const { states, marks } = resolved.get(theme.name)!;
          for (const mark of look.marks) {
            const onClients = mark.startsWith('CLIENT_');
            // Marks sit in the top of the row, above a line: only bars are under them.
            const under = together.filter((s) => STATE_FILL[s] === 'bar' && CLIENT_STATES.has(s) === onClients && !GREEN_ONLY_STATES.has(s));
            for (const state of under) {
              const d = deltaE(marks.get(mark)!, states.get(state)!);
              if (d < MIN_DELTA_E) close.push(`${stage.id} ${theme.name}: mark ${mark} on ${state}: ${d.toFixed(1)} apart`);
            }
            for (const other of look.marks) {
              // One colour for several marks is one legend entry on purpose; others must differ.
              if (other <= mark || marks.get(other)!.join() === marks.get(mark)!.join()) continue;
              const d = deltaE(marks.get(mark)!, marks.get(other)!);
              if (d < MIN_DELTA_E) close.push(`${stage.id} ${theme.name}: marks ${mark} and ${other}: ${d.toFixed(1)} apart`);
            }
          }
        }
      }
    }
    assert.deepEqual([...new Set(close)], []);
  });

  it(`gives lanes chips in colours of their own: no state's, ΔE76 ≥ ${LANE_FROM_STATE_DELTA_E} from every state and ≥ ${MIN_DELTA_E} from each other`, () => {
    assert.deepEqual(
      LANE_THEME_COLORS.filter((id) => Object.values(STATE_THEME_COLOR).includes(id)),
      [],
      'no lane colour is a state colour',
    );
    const close: string[] = [];
    for (const theme of THEMES) {
      const { states, lanes } = resolved.get(theme.name)!;
      assert.deepEqual([...lanes.keys()].sort(), [...LANE_THEME_COLORS].sort(), `${theme.name}: the lane table shows every lane colour`);
      for (const [id, colour] of lanes) {
        for (const [state, stateColour] of states) {
          const d = deltaE(colour, stateColour);
          if (d < LANE_FROM_STATE_DELTA_E) close.push(`${theme.name}: lane ${id} ${css(colour)} and ${state} ${css(stateColour)} are ${d.toFixed(1)} apart`);
        }
        for (const [other, otherColour] of lanes) {
          const d = deltaE(colour, otherColour);
          if (other > id && d < MIN_DELTA_E) close.push(`${theme.name}: lanes ${id} and ${other} are ${d.toFixed(1)} apart`);
        }
      }
    }
    assert.deepEqual(close, []);
  });

  it('lists only the states and marks drawn: none before any event, each once it is drawn', () =>
    harness.with({}, async (panel) => {
      const stage = STAGES.find((s) => s.id === '07-libuv')!;
      await panel.initStage(stage, 'live');
      const keys = () => panel.page.evaluate<string[]>(`[...document.querySelectorAll('.legend li')].map((li) => li.dataset.key)`);
      await panel.waitFor(`document.querySelector('.empty')?.textContent`, 'the empty panel');
      assert.deepEqual(await keys(), [], 'before any event: nothing drawn, nothing listed');
      // A wait in recv is not one of 07's states, but this recording draws one: it is explained.
      const head = encodeHeader({ source: TraceSource.server, pid: 7, startNs: 0n, startUnixNs: 0n, clock: 'CLOCK_MONOTONIC' });
      await panel.load(
        concatBytes([encodeRecordingHeader(), encodeBlock(0, concatBytes([head, encodeRecords([rec(0, 1, Kind.THREAD_STARTED), rec(1000, 1, Kind.RECV_BEGIN), rec(2000, 1, Kind.CONN_ACCEPTED)])]))]),
        3,
      );
      await panel.waitFor(`document.querySelector('.legend li[data-key="waitRecv"]')`, 'waitRecv listed');
      assert.deepEqual(await keys(), ['running', 'waitRecv', 'CONN_ACCEPTED']);
      assert.deepEqual(panel.errors, []);
    }));
});

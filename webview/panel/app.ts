/**
 * The recording panel: builds the model from the recording bytes the host sends, keeps the
 * cursor, the view and playback, and redraws once per animation frame when something changed.
 */
import type { HostToPanelMessage, InitMessage, PanelStage, PanelViewState, ThreadLine } from '../../src/core/panel/protocol';
import { RecordingReader } from '../../src/core/trace/recording';
import type { Lane } from '../../src/core/trace/lane';
import type { ModelSnapshot, TraceModel } from '../../src/core/trace/model';
import { isStageId } from '../../src/core/stages';
import { LANE_KIND_NAMES, LANE_THEME_COLORS, LaneKind, LaneState, STAGE_STATES, type LaneStateId } from '../../src/core/trace/states';
import { Palette } from './colors';
import { StepCursor } from './cursor';
import { laneKindWords } from './describe';
import { el } from './dom';
import type { Host } from './host';
import { bindKeys, bindPointer, type TimelineInput } from './input';
import { laneOrder } from './laneOrder';
import { buildLayout, type Layout } from './layout';
import type { TimelineView } from './timeline';
import { ShownKinds } from './shownKinds';
import { formatNs, Strings } from './text';
import { Viewport } from './viewport';

/** Panes and the lane table refresh at most this often while playing (ms). */
const PANE_INTERVAL_MS = 100;
const CURSOR_LINES_DELAY_MS = 120;
const SAVE_DELAY_MS = 300;

export class PanelApp implements TimelineInput {
  private readonly strings = new Strings(undefined);
  private readonly palette = new Palette(document.body);
  private readonly viewport = new Viewport();
  private ui: Layout | undefined;
  private reader = new RecordingReader();
  private mode: 'live' | 'recording' = 'recording';
  private recording: string | undefined;
  private stage: PanelStage | undefined;
  /** Lane indices in display order: laneOrder() of the model, redone with every chunk of data. */
  private rows: number[] = [];
  /** Moments of the notes the host found in this recording. */
  private moments: { timeNs: number; title: string }[] = [];
  private problemsShown = 0;
  /** The states and marks the recording shows so far, for the legend. */
  private readonly shown = new ShownKinds();
  /** The legend's lists are rebuilt only when what was drawn, or the stage, changed. */
  private legendDue = true;

  private readonly cursor = new StepCursor();
  /** Live: the cursor follows the newest event until the user moves it. */
  private followLive = true;
  /** The user zoomed or panned: new data no longer refits the view. */
  private viewTouched = false;
  /**
   * The selected lane, by lane index (-1: none). Rows move when lanes arrive (a server thread
   * seen after the clients goes above them), so the selection follows the lane, not the row.
   */
  private selectedLaneIndex = -1;
  /** Its row in `rows`, or -1 (not selected, or not in the model yet). */
  private selectedRow = -1;
  private playing = false;
  private speed = 1;
  private lastFrame = 0;

  private frameRequested = false;
  private panesDue = true;
  private lastPanes = 0;
  private pendingRestore: PanelViewState | undefined;
  private cursorLinesTimer: number | undefined;
  private lastCursorLines = '';
  private saveTimer: number | undefined;
  /** For tests and the benchmark: frames drawn and the time spent drawing them. */
  private draws = 0;
  private drawTotalMs = 0;

  constructor(private readonly host: Host) {
    this.palette.watch(() => {
      this.ui?.timeline.themeChanged();
      this.requestFrame();
    });
    const saved = host.savedState;
    if (saved) this.speed = saved.speed;
  }

  get model(): TraceModel {
    return this.reader.model;
  }

  handle(message: HostToPanelMessage): void {
    switch (message.type) {
      case 'init':
        this.init(message);
        break;
      case 'records':
        this.reader.push(message.bytes);
        this.dataChanged();
        break;
      case 'reset':
        this.startOver(message.mode, message.recording, message.stage);
        this.pendingRestore = undefined;
        this.requestFrame();
        break;
      case 'runEnded':
        this.mode = 'recording';
        this.reader.finish();
        this.showProblems();
        this.panesDue = true;
        this.requestFrame();
        this.host.post({ type: 'drawn', events: this.model.eventCount, lanes: this.model.lanes.map((l) => ({ name: l.name, kind: LANE_KIND_NAMES[l.kind] })) });
        break;
      case 'notice':
        this.notice(message.text, message.level);
        break;
      case 'moment':
        this.moments.push({ timeNs: message.timeNs, title: message.title });
        this.notice(message.title, 'info');
        this.requestFrame();
        break;
      case 'control':
        if (message.action === 'stepNext') this.stepNext(false);
        else if (message.action === 'stepPrevious') this.stepPrevious(false);
        else this.playPause();
        break;
    }
  }

  private init(message: InitMessage): void {
    this.strings.set(message.strings);
    document.documentElement.lang = message.locale;
    if (!this.ui) this.ui = this.build();
    this.startOver(message.mode, message.recording, message.stage);
    const saved = this.host.savedState;
    this.pendingRestore = saved && saved.recording === message.recording ? saved : undefined;
    this.requestFrame();
  }

  private startOver(mode: 'live' | 'recording', recording: string | undefined, stage: PanelStage | undefined): void {
    this.reader = new RecordingReader();
    this.mode = mode;
    this.recording = recording;
    this.stage = stage;
    this.rows = [];
    this.moments = [];
    this.problemsShown = 0;
    this.shown.clear();
    this.legendDue = true;
    this.cursor.reset();
    this.followLive = true;
    this.viewTouched = false;
    this.selectedLaneIndex = -1;
    this.selectedRow = -1;
    this.playing = false;
    this.panesDue = true;
    if (this.ui) this.ui.notices.replaceChildren();
  }

  private build(): Layout {
    const ui = buildLayout(
      this.strings,
      this.palette,
      {
        stepPrevious: () => this.stepPrevious(false),
        stepNext: () => this.stepNext(false),
        playPause: () => this.playPause(),
        zoom: (f) => this.zoom(f),
        fit: () => this.fit(),
        stop: () => this.host.post({ type: 'stopRun' }),
        setSpeed: (speed) => {
          this.speed = speed;
          this.scheduleSave();
        },
        scrub: (fraction) => this.scrub(fraction),
        reveal: (file, line) => this.host.post({ type: 'revealSource', file, line }),
      },
      this.speed,
    );
    bindPointer(ui.timeline.canvas, this);
    bindKeys(document.body, this);
    new ResizeObserver(() => {
      if (ui.timeline.resize(ui.plot.clientWidth, ui.plot.clientHeight, window.devicePixelRatio || 1)) {
        this.viewport.widthPx = ui.timeline.plotWidth;
        // Resizing cleared the canvas, and observers run after this frame's animation callbacks
        // but before it is painted: draw now, or the frame shows an empty timeline.
        this.draw(ui);
      }
    }).observe(ui.plot);
    return ui;
  }

  // ---- data ----

  private dataChanged(): void {
    const model = this.model;
    // Any chunk may add lanes anywhere in the order, or tell more about a lane (its name, and
    // whether a thread is a pool thread or a carrier); laneOrder is linear in the lanes, cheap
    // next to decoding the chunk.
    this.setRows(laneOrder(model));
    if (this.shown.update(model)) this.legendDue = true;
    if (model.eventCount > 0) {
      if (this.pendingRestore) {
        const r = this.pendingRestore;
        this.pendingRestore = undefined;
        this.viewport.setWindow(r.viewStartNs, r.viewEndNs);
        this.viewTouched = true;
        this.followLive = false;
        this.selectLane(r.selectedLane ?? -1);
        this.setCursorTime(r.cursorNs);
      } else {
        if (!this.viewTouched) this.viewport.fit(model.minTime, model.maxTime);
        if (this.followLive) this.setCursorPosition(model.eventCount - 1, false);
      }
    }
    this.showProblems();
    this.panesDue = true;
    this.requestFrame();
  }

  private setRows(rows: number[]): void {
    this.rows = rows;
    this.selectedRow = this.selectedLaneIndex >= 0 ? rows.indexOf(this.selectedLaneIndex) : -1;
  }

  /** Selects a lane by its index (-1: none); it may not have arrived yet. */
  private selectLane(laneIndex: number): void {
    this.selectedLaneIndex = laneIndex;
    this.selectedRow = laneIndex >= 0 ? this.rows.indexOf(laneIndex) : -1;
  }

  private showProblems(): void {
    const problems = this.reader.problems;
    for (; this.problemsShown < problems.length; this.problemsShown++) {
      this.notice(this.strings.get('traceError', problems[this.problemsShown]), 'error');
    }
  }

  private notice(text: string, level: 'info' | 'error'): void {
    if (!this.ui) return;
    this.ui.notices.append(el('p', { class: level }, text));
    if (level === 'error') this.host.post({ type: 'error', message: text });
  }

  // ---- cursor ----

  private setCursorPosition(position: number, userMoved = true): void {
    if (this.cursor.toPosition(this.model, position) && userMoved) this.cursorMoved();
  }

  private setCursorTime(time: number): void {
    this.cursor.toTime(this.model, time);
    this.cursorMoved();
  }

  private cursorMoved(): void {
    this.followLive = this.mode === 'live' && this.cursor.position === this.model.eventCount - 1;
    if (!Number.isNaN(this.cursor.ns)) this.viewport.follow(this.cursor.ns);
    this.panesDue = true;
    this.scheduleCursorLines();
    this.scheduleSave();
    this.requestFrame();
  }

  /** With `sameLane`, steps through the selected lane's events only. */
  stepNext(sameLane: boolean): void {
    const next = this.cursor.neighbour(this.model, 1, sameLane ? this.selectedLane() : undefined);
    if (next >= 0) this.setCursorPosition(next);
  }

  stepPrevious(sameLane: boolean): void {
    const previous = this.cursor.neighbour(this.model, -1, sameLane ? this.selectedLane() : undefined);
    if (previous >= 0) this.setCursorPosition(previous);
  }

  private selectedLane(): Lane | undefined {
    return this.selectedRow >= 0 ? this.model.lanes[this.selectedLaneIndex] : undefined;
  }

  first(): void {
    this.setCursorPosition(0);
  }

  last(): void {
    this.setCursorPosition(this.model.eventCount - 1);
  }

  private scrub(fraction: number): void {
    const model = this.model;
    if (model.eventCount === 0) return;
    this.playing = false;
    this.setCursorTime(model.minTime + fraction * (model.maxTime - model.minTime));
  }

  playPause(): void {
    if (this.model.eventCount === 0) return;
    this.playing = !this.playing;
    if (this.playing && this.cursor.ns >= this.model.maxTime) this.setCursorTime(this.model.minTime);
    this.lastFrame = performance.now();
    this.panesDue = true;
    this.requestFrame();
  }

  revealCursor(): void {
    const event = this.cursor.event(this.model);
    if (event < 0) return;
    const line = this.model.events.line.get(event);
    if (line > 0) this.host.post({ type: 'revealSource', file: this.model.files[this.model.events.file.get(event)], line });
  }

  // ---- view ----

  zoomAt(x: number, factor: number): void {
    const plotX = x - (this.ui?.timeline.labelWidth ?? 0);
    this.viewport.zoomAt(Math.max(0, plotX), factor);
    this.viewTouched = true;
    this.scheduleSave();
    this.requestFrame();
  }

  zoom(factor: number): void {
    const anchor = Number.isNaN(this.cursor.ns) ? this.viewport.widthPx / 2 : this.viewport.xOf(this.cursor.ns);
    this.zoomAt(anchor + (this.ui?.timeline.labelWidth ?? 0), factor);
  }

  fit(): void {
    if (this.model.eventCount > 0) this.viewport.fit(this.model.minTime, this.model.maxTime);
    this.viewTouched = false;
    this.scheduleSave();
    this.requestFrame();
  }

  panBy(dxPx: number, dRows: number): void {
    if (dxPx !== 0) {
      this.viewport.panBy(dxPx);
      this.viewTouched = true;
    }
    if (dRows !== 0) {
      const maxFirst = Math.max(0, this.rows.length - (this.ui?.timeline.visibleRows ?? 1));
      this.viewport.firstLane = Math.max(0, Math.min(maxFirst, this.viewport.firstLane + dRows));
    }
    this.scheduleSave();
    this.requestFrame();
  }

  selectRow(delta: number): void {
    if (this.rows.length === 0) return;
    this.selectLane(this.rows[Math.max(0, Math.min(this.rows.length - 1, (this.selectedRow < 0 ? -delta : this.selectedRow) + delta))]);
    const visible = this.ui?.timeline.visibleRows ?? 1;
    if (this.selectedRow < this.viewport.firstLane) this.viewport.firstLane = this.selectedRow;
    if (this.selectedRow >= this.viewport.firstLane + visible) this.viewport.firstLane = this.selectedRow - visible + 1;
    this.scheduleSave();
    this.requestFrame();
  }

  click(x: number, y: number): void {
    if (!this.ui) return;
    const hit = this.ui.timeline.hitTest(this.view(), x, y);
    if (!hit) return;
    this.selectLane(hit.lane);
    if (hit.event >= 0) {
      this.playing = false;
      this.setCursorPosition(this.model.positionOf(hit.event));
      this.revealCursor();
    }
    this.requestFrame();
  }

  // ---- frames ----

  private requestFrame(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame((now) => this.frame(now));
  }

  private frame(now: number): void {
    this.frameRequested = false;
    if (!this.ui) return;
    const model = this.model;
    if (this.playing) {
      const advanced = this.cursor.ns + (now - this.lastFrame) * 1e6 * this.speed;
      this.lastFrame = now;
      if (advanced >= model.maxTime) {
        this.playing = false;
        this.setCursorPosition(model.eventCount - 1);
      } else {
        this.setCursorTime(advanced);
      }
    }
    this.draw(this.ui);
    if (this.panesDue && (!this.playing || now - this.lastPanes >= PANE_INTERVAL_MS)) {
      this.updatePanes();
      this.lastPanes = now;
      this.panesDue = false;
    }
    if (this.playing) this.requestFrame();
  }

  private draw(ui: Layout): void {
    const started = performance.now();
    ui.timeline.draw(this.view());
    this.draws++;
    this.drawTotalMs += performance.now() - started;
    const body = document.body.dataset;
    body.draws = String(this.draws);
    body.drawTotalMs = this.drawTotalMs.toFixed(2);
    body.view = `${Math.round(this.viewport.startNs)}..${Math.round(this.viewport.endNs)}`;
  }

  private view(): TimelineView {
    const model = this.model;
    return {
      model,
      rows: this.rows,
      viewport: this.viewport,
      palette: this.palette,
      cursorNs: this.cursor.ns,
      cursorEvent: this.cursor.event(model),
      selectedRow: this.selectedRow,
      nowNs: model.maxTime,
      laneLabel: (lane) => laneKindWords(this.strings, lane),
      moments: this.moments,
    };
  }

  private snapshot(): ModelSnapshot {
    if (this.cursor.onEvent) return this.model.stateAtPosition(this.cursor.position);
    return Number.isNaN(this.cursor.ns) ? this.model.current() : this.model.stateAtTime(this.cursor.ns);
  }

  private updatePanes(): void {
    const ui = this.ui;
    if (!ui) return;
    const model = this.model;
    const s = this.strings;
    const count = model.eventCount;
    const origin = Number.isNaN(model.minTime) ? 0 : model.minTime;
    const span = model.maxTime - model.minTime;
    ui.empty.textContent = count > 0 ? '' : s.get(this.mode === 'live' ? 'waitingForTrace' : 'noEvents');
    const cursorText = Number.isNaN(this.cursor.ns) ? '' : s.get('cursorAt', formatNs(this.cursor.ns - origin));
    const title = this.stage ? `${String(this.stage.number).padStart(2, '0')} ${this.stage.title} · ` : '';
    ui.toolbar.update({
      playing: this.playing,
      live: this.mode === 'live',
      statusText: `${title}${s.get('eventsCount', count)}${cursorText ? ` · ${cursorText}` : ''}`,
      scrubFraction: count > 0 && span > 0 ? (this.cursor.ns - model.minTime) / span : 0,
      scrubText: cursorText,
      hasEvents: count > 0,
    });
    const snapshot = this.snapshot();
    ui.details.show(model, this.cursor.event(model));
    ui.counters.show(snapshot, model);
    ui.lanes.show(model, this.rows, snapshot);
    if (this.legendDue) {
      ui.legend.show(this.legendStates(), this.shown.marks);
      this.legendDue = false;
    }
    const body = document.body.dataset;
    body.events = String(count);
    body.lanes = String(model.lanes.length);
    body.cursorPosition = String(this.cursor.position);
    body.mode = this.mode;
  }

  /**
   * The states the legend lists: those drawn so far and those the stage can show at once, so the
   * lesson's colour is explained before it first appears (of a stage's platform alternatives,
   * only the one drawn).
   */
  private legendStates(): Set<LaneStateId> {
    const states = new Set(this.shown.states);
    const id = this.stage?.id;
    // A playground may call its stages anything.
    const stage = id !== undefined && isStageId(id) ? STAGE_STATES[id] : undefined;
    for (const name of stage?.states ?? []) states.add(LaneState[name]);
    return states;
  }

  // ---- to the host ----

  private scheduleCursorLines(): void {
    clearTimeout(this.cursorLinesTimer);
    this.cursorLinesTimer = window.setTimeout(() => this.postCursorLines(), CURSOR_LINES_DELAY_MS);
  }

  private postCursorLines(): void {
    const model = this.model;
    const event = this.cursor.event(model);
    if (event < 0) return;
    const time = model.events.time.get(event);
    const lines: ThreadLine[] = [];
    for (const lane of model.lanes) {
      if (lane.kind === LaneKind.client || lane.kind === LaneKind.green) continue;
      const at = model.sourceAt(lane.index, time, this.cursor.onEvent ? event : Infinity);
      if (!at) continue;
      lines.push({
        lane: lane.index,
        laneName: lane.name,
        file: at.file,
        line: at.line,
        themeColor: LANE_THEME_COLORS[lane.index % LANE_THEME_COLORS.length],
      });
    }
    const key = JSON.stringify(lines);
    if (key === this.lastCursorLines) return;
    this.lastCursorLines = key;
    this.host.post({ type: 'cursorLines', cursorNs: this.cursor.ns, lines });
  }

  /** Saves at most every SAVE_DELAY_MS, also while playing, so a reload loses little. */
  private scheduleSave(): void {
    if (this.saveTimer !== undefined) return;
    this.saveTimer = window.setTimeout(() => {
      this.saveTimer = undefined;
      this.host.save({
        recording: this.recording,
        cursorNs: this.cursor.ns,
        viewStartNs: this.viewport.startNs,
        viewEndNs: this.viewport.endNs,
        speed: this.speed,
        selectedLane: this.selectedLaneIndex >= 0 ? this.selectedLaneIndex : undefined,
      });
    }, SAVE_DELAY_MS);
  }
}

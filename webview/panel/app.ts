/**
 * The recording panel: builds the model from the recording bytes the host sends, keeps the
 * cursor, the view and playback, and redraws once per animation frame when something changed.
 */
import type { HostToPanelMessage, InitMessage, PanelStage, PanelViewState, ThreadLine } from '../../src/core/panel/protocol';
import { RECORD_SIZE } from '../../src/core/trace/format';
import { RecordingReader } from '../../src/core/trace/recording';
import type { Lane } from '../../src/core/trace/lane';
import type { ModelSnapshot, TraceModel } from '../../src/core/trace/model';
import { LANE_KIND_NAMES, LANE_THEME_COLORS, LaneKind, LaneState, type LaneStateId } from '../../src/core/trace/states';
import { Palette } from './colors';
import { StepCursor } from './cursor';
import { laneKindWords } from './describe';
import { el } from './dom';
import type { Host } from './host';
import { bindKeys, bindPointer, type TimelineInput } from './input';
import { PanelJourneys, type FollowedJourney } from './journeys';
import { laneOrder } from './laneOrder';
import { playbackAdvance } from './playback';
import { momentWindow, PanelMoments, type PanelMoment } from './moments';
import { buildLayout, type Layout } from './layout';
import { AXIS_HEIGHT, ROW_HEIGHT, type TimelineView } from './timeline';
import { ShownKinds } from './shownKinds';
import { formatNs, Strings } from './text';
import { Viewport } from './viewport';
import { TimeAxis, TRUE_TIME } from '../../src/core/trace/timeAxis';
import { CounterTracks } from './counterTracks';

/** During a live run the requests are followed again at most this often (ms). */
const JOURNEYS_LIVE_MS = 1000;
/** Panes and the lane table refresh at most this often while playing (ms). */
const PANE_INTERVAL_MS = 100;
const CURSOR_LINES_DELAY_MS = 120;
const SAVE_DELAY_MS = 300;
/** A moment's flag in the ruler starts at its time and is 7 px wide: its centre, and how near a click must be. */
const MOMENT_FLAG_CENTRE_PX = 3.5;
const MOMENT_FLAG_SLOP_PX = 6;

export class PanelApp implements TimelineInput {
  private readonly strings = new Strings(undefined);
  private readonly palette = new Palette(document.body);
  private readonly viewport = new Viewport();
  /** The collapsed time axis, built as the recording arrives; shown unless `trueTime`. */
  private timeAxis = new TimeAxis();
  private trueTime = false;
  private readonly counterTracks = new CounterTracks();
  private readonly gapLabelCache = new Map<number, readonly [string, string]>();
  private gapLabelVersion = -1;
  private ui: Layout | undefined;
  private reader = new RecordingReader();
  private mode: 'live' | 'recording' = 'recording';
  private recording: string | undefined;
  private stage: PanelStage | undefined;
  /** Lane indices in display order: laneOrder() of the model, redone with every chunk of data. */
  private rows: number[] = [];
  /** Moments of the notes in this recording, found here from its bytes (live and reopened alike). */
  private readonly moments = new PanelMoments(this.strings);
  private readonly journeys = new PanelJourneys();
  /** The followed request as last drawn, in rows (journeyView). */
  private journeyDrawn: { followed?: FollowedJourney; rows?: readonly number[]; view?: TimelineView['journey'] } = {};
  /** When the journeys were last followed during a live run (they are redone at most every second). */
  private journeysAt = -Infinity;
  /** The one "Moment: ..." banner among the notices: the next moment replaces it. */
  private momentBanner: HTMLElement | undefined;
  private momentsDue = false;
  private momentsEnded = false;
  /** The moment last gone to, marked in the moments pane. */
  private currentMoment: PanelMoment | undefined;
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
  /** Records arrived since the last frame (dataChanged runs at the next one). */
  private dataDue = false;
  private panesDue = true;
  private lastPanes = 0;
  private pendingRestore: PanelViewState | undefined;
  private cursorLinesTimer: number | undefined;
  private lastCursorLines = '';
  /** Since the last `cursorLines`, the user moved the cursor (not only a live run's newest event). */
  private cursorMovedByUser = false;
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
    // A preference, kept across recordings.
    this.trueTime = saved?.axis === 'true';
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
        // The host posts plain Uint8Arrays (src/panel/recordingPanel.ts postableChunks); anything
        // else means the bytes were lost on the way, which must not read as a corrupt recording.
        if (!(message.bytes instanceof Uint8Array)) {
          this.host.post({ type: 'error', message: `records arrived as ${Object.prototype.toString.call(message.bytes)}, not bytes` });
          break;
        }
        if (message.totalBytes !== undefined && this.model.eventCount === 0) this.model.reserve(Math.ceil(message.totalBytes / RECORD_SIZE));
        this.reader.push(message.bytes);
        // What the new events change (lane order, axis, view, cursor, problems) is worked out
        // once per frame, not per chunk: a file comes in 4 MiB chunks, 80 for 10,000,000 events.
        this.dataDue = true;
        this.requestFrame();
        break;
      case 'reset':
        this.startOver(message.mode, message.recording, message.stage);
        this.pendingRestore = undefined;
        this.requestFrame();
        break;
      case 'runEnded':
        this.mode = 'recording';
        this.reader.finish();
        this.scheduleMoments(true);
        this.showProblems();
        this.panesDue = true;
        this.requestFrame();
        this.host.post({ type: 'drawn', events: this.model.eventCount, lanes: this.model.lanes.map((l) => ({ name: l.name, kind: LANE_KIND_NAMES[l.kind] })) });
        break;
      case 'notice':
        this.notice(message.text, message.level);
        break;
      case 'moment':
        // The panel finds the moments itself, in the same bytes (MomentMessage in the protocol).
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
    this.dataDue = false;
    this.lastCursorLines = '';
    this.mode = mode;
    this.recording = recording;
    this.stage = stage;
    this.rows = [];
    this.moments.reset(this.reader.model, stage?.id);
    this.journeys.reset();
    this.journeysAt = -Infinity;
    this.momentBanner = undefined;
    this.currentMoment = undefined;
    this.momentsEnded = false;
    this.problemsShown = 0;
    this.shown.clear();
    this.legendDue = true;
    this.cursor.reset();
    this.followLive = true;
    this.viewTouched = false;
    this.timeAxis = new TimeAxis();
    this.viewport.axis = this.trueTime ? TRUE_TIME : this.timeAxis;
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
        toggleAxis: () => this.toggleAxis(),
        reveal: (file, line) => this.host.post({ type: 'revealSource', file, line }),
        goToMoment: (moment) => this.goToMoment(moment),
      },
      this.speed,
    );
    bindPointer(ui.timeline.canvas, this);
    // A moment's flag is a button on the canvas: it says so under the pointer, with its title.
    ui.timeline.canvas.addEventListener('pointermove', (e) => {
      const flag = this.momentFlagAt(e.offsetX, e.offsetY);
      const canvas = ui.timeline.canvas;
      canvas.style.cursor = flag ? 'pointer' : '';
      if ((canvas.title || undefined) !== flag?.title) canvas.title = flag?.title ?? '';
    });
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
      // The axis changes with the data (gaps found, their width): a view the user chose keeps
      // its true times, and every view stays within the recording.
      const kept = this.viewport.trueWindow();
      this.timeAxis.update(model);
      this.viewport.setExtent(model.minTime, model.maxTime);
      if (this.viewTouched) this.viewport.restore(kept);
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
        if (this.followLive) {
          this.setCursorPosition(model.eventCount - 1, false);
          // The source follows the newest event too, live.
          this.scheduleCursorLines();
        }
      }
    }
    this.showProblems();
    this.scheduleMoments();
    this.panesDue = true;
    this.requestFrame();
  }

  /**
   * Looks for moments in what arrived, after the frame that draws it: the first look at a large
   * recording takes a while (0.7 s for 10,000,000 events), and the timeline should not wait.
   */
  private scheduleMoments(ended = false): void {
    if (ended) this.momentsEnded = true;
    if (this.momentsDue) return;
    this.momentsDue = true;
    // A timeout set in an animation frame runs after that frame is painted.
    requestAnimationFrame(() => setTimeout(() => {
      this.momentsDue = false;
      const found = this.moments.update();
      // The recording is complete: also the moments of a recording no stage named.
      if (this.momentsEnded) found.push(...this.moments.finish());
      // Followed with the moments, after the frame; live at most once a second (the matcher
      // walks the whole recording each time).
      const now = performance.now();
      if ((this.mode !== 'live' || this.momentsEnded || now - this.journeysAt >= JOURNEYS_LIVE_MS) && this.journeys.update(this.model)) {
        this.journeysAt = now;
        this.panesDue = true;
        this.requestFrame();
      }
      this.momentsEnded = false;
      if (found.length === 0) return;
      // Live, the newest moment is news; a recording opened later lists its moments in their pane.
      if (this.mode === 'live') this.showMomentBanner(found[found.length - 1]);
      this.panesDue = true;
      this.requestFrame();
    }, 0));
  }

  /** Says which moment the run just reached, in place of the one before. */
  private showMomentBanner(moment: PanelMoment): void {
    if (!this.ui) return;
    const go = el('button', { type: 'button', class: 'go', title: this.strings.get('momentShow') }, this.strings.get('momentGo'));
    go.addEventListener('click', () => this.goToMoment(moment));
    // Space and Enter press the button; the panel's keys (play, reveal) must not take them too.
    go.addEventListener('keydown', (e) => {
      if (e.key === ' ' || e.key === 'Enter') e.stopPropagation();
    });
    const banner = el('p', { class: 'info moment' }, this.strings.get('momentBanner', moment.title), ' ', go);
    if (this.momentBanner?.isConnected) this.momentBanner.replaceWith(banner);
    else this.ui.notices.append(banner);
    this.momentBanner = banner;
  }

  /**
   * Zooms to a moment with the burst around it and puts the cursor on the event that shows it:
   * the moments pane's buttons and a click on a flag in the ruler.
   */
  goToMoment(moment: PanelMoment): void {
    const model = this.model;
    if (moment.event >= model.eventCount) return;
    this.playing = false;
    this.currentMoment = moment;
    const [from, to] = momentWindow(model, moment, this.viewport.axis);
    this.viewport.setWindow(from, to);
    this.viewTouched = true;
    this.selectLane(moment.lane);
    this.setCursorPosition(model.positionOf(moment.event));
    this.scheduleSave();
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
    this.cursorMovedByUser = true;
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
    // Along the axis shown: a burst takes as much of the scrubber as of the timeline.
    const axis = this.viewport.axis;
    const from = axis.unitsAt(model.minTime);
    this.setCursorTime(axis.nsAt(from + fraction * (axis.unitsAt(model.maxTime) - from)));
  }

  /** Between the collapsed axis and true time, keeping the true times in view (or the fit). */
  toggleAxis(): void {
    const kept = this.viewport.trueWindow();
    this.trueTime = !this.trueTime;
    this.viewport.axis = this.trueTime ? TRUE_TIME : this.timeAxis;
    const model = this.model;
    if (model.eventCount > 0) {
      this.viewport.setExtent(model.minTime, model.maxTime);
      if (this.viewTouched) this.viewport.restore(kept);
      else this.viewport.fit(model.minTime, model.maxTime);
    }
    this.panesDue = true;
    this.scheduleSave();
    this.requestFrame();
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

  rowHeight(): number {
    return this.ui?.timeline.rowHeight ?? ROW_HEIGHT;
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
    const flag = this.momentFlagAt(x, y);
    if (flag) {
      this.goToMoment(flag);
      return;
    }
    const hit = this.ui.timeline.hitTest(this.view(), x, y);
    if (!hit) return;
    this.selectLane(hit.lane);
    // The request under the click is followed (or none, off every request).
    this.journeys.follow(this.model, this.journeys.pick(this.model, hit.lane, hit.event, this.viewport.nsAt(x - this.ui.timeline.labelWidth)));
    this.panesDue = true;
    if (hit.event >= 0) {
      this.playing = false;
      this.setCursorPosition(this.model.positionOf(hit.event));
      this.revealCursor();
    }
    this.requestFrame();
  }

  /** The moment whose flag in the ruler is under a point (CSS px of the canvas), if any. */
  private momentFlagAt(x: number, y: number): PanelMoment | undefined {
    if (!this.ui || y >= AXIS_HEIGHT) return undefined;
    const plotX = x - this.ui.timeline.labelWidth;
    let best: PanelMoment | undefined;
    let distance = MOMENT_FLAG_SLOP_PX;
    for (const moment of this.moments.list) {
      const d = Math.abs(this.viewport.xOf(moment.timeNs) + MOMENT_FLAG_CENTRE_PX - plotX);
      if (d <= distance) {
        best = moment;
        distance = d;
      }
    }
    return best;
  }

  // ---- frames ----

  private requestFrame(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame((now) => this.frame(now));
  }

  private frame(now: number): void {
    // Before the request is cleared: what dataChanged asks for is this frame.
    if (this.dataDue) {
      this.dataDue = false;
      this.dataChanged();
    }
    this.frameRequested = false;
    if (!this.ui) return;
    const model = this.model;
    if (this.playing) {
      const clock = { axis: this.trueTime ? TRUE_TIME : this.timeAxis, minNs: model.minTime, maxNs: model.maxTime, speed: this.speed };
      const advanced = playbackAdvance(clock, this.cursor.ns, now - this.lastFrame);
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
    // For tests, which rebuild the same TimeAxis from the same bytes: the window in axis units.
    body.viewUnits = `${this.viewport.start}..${this.viewport.end}`;
    body.axis = this.trueTime ? 'true' : 'collapsed';
    body.rowHeight = String(ui.timeline.rowHeight);
    // The followed request's path, as lane indices (tests read it; the canvas draws it).
    const handOvers = this.journeys.followed?.handOvers ?? [];
    const path = handOvers.length > 0 ? [handOvers[0].fromLane, ...handOvers.map((h) => h.toLane)].join(',') : '';
    if (body.journeyPath !== path) body.journeyPath = path;
    const gapLabels = ui.timeline.gapLabelsDrawn.join('|');
    if (body.gapLabels !== gapLabels) body.gapLabels = gapLabels;
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
      moments: this.moments.list,
      gaps: this.trueTime ? undefined : this.timeAxis,
      gapLabels: (gap) => this.gapLabels(gap),
      counters: this.counterTracks.of(model, this.stage?.id),
      counterName: (track) => this.strings.get(track.label),
      journey: this.journeyView(),
    };
  }

  /**
   * The followed request in rows, for the timeline: redone only when the request or the rows
   * change (a frame asks for it every time).
   */
  private journeyView(): TimelineView['journey'] {
    const followed = this.journeys.followed;
    if (followed !== this.journeyDrawn.followed || this.rows !== this.journeyDrawn.rows) {
      const rowOf = new Map(this.rows.map((lane, row) => [lane, row]));
      const row = followed && rowOf.get(followed.clientLane);
      const hops = followed?.handOvers.flatMap((h) => {
        const fromRow = rowOf.get(h.fromLane);
        const toRow = rowOf.get(h.toLane);
        return fromRow === undefined || toRow === undefined ? [] : [{ fromRow, fromNs: h.fromNs, toRow, toNs: h.toNs }];
      });
      this.journeyDrawn = { followed, rows: this.rows, view: followed && row !== undefined ? { row, pieces: followed.journey.pieces, hops: hops ?? [] } : undefined };
    }
    return this.journeyDrawn.view;
  }

  /** Where the cursor is along the axis shown, 0 to 1 (the scrubber's thumb). */
  private scrubFraction(): number {
    const model = this.model;
    const axis = this.viewport.axis;
    const from = axis.unitsAt(model.minTime);
    const span = axis.unitsAt(model.maxTime) - from;
    return span > 0 ? Math.max(0, Math.min(1, (axis.unitsAt(this.cursor.ns) - from) / span)) : 0;
  }

  /**
   * A gap's ruler labels, long and short. "Idle" only when no server thread is busy through it:
   * a long work span or callback without events collapses too, and is not idle.
   */
  private gapLabels(gap: number): readonly [string, string] {
    const model = this.model;
    if (this.gapLabelVersion !== model.version) {
      this.gapLabelCache.clear();
      this.gapLabelVersion = model.version;
    }
    let labels = this.gapLabelCache.get(gap);
    if (!labels) {
      const from = this.timeAxis.gapFromNs(gap);
      const to = this.timeAxis.gapToNs(gap);
      const ns = to - from;
      // 999.99 ms reads as the second it is.
      const duration = ns >= 0.995e9 ? `${(ns / 1e9).toFixed(2)} s` : formatNs(ns);
      const busy = model.lanes.some((lane) => lane.kind !== LaneKind.client && lane.kind !== LaneKind.green && busyAt(lane, (from + to) / 2));
      labels = [this.strings.get(busy ? 'gapBusy' : 'gapIdle', duration), `⋯ ${duration}`];
      this.gapLabelCache.set(gap, labels);
    }
    return labels;
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
      scrubFraction: count > 0 && span > 0 ? this.scrubFraction() : 0,
      scrubText: cursorText,
      hasEvents: count > 0,
      axisCollapsed: !this.trueTime,
    });
    const snapshot = this.snapshot();
    ui.details.show(model, this.cursor.event(model));
    ui.counters.show(snapshot, model);
    ui.lanes.show(model, this.rows, snapshot);
    ui.moments.show(this.moments.list, origin, this.currentMoment);
    ui.journeys.show(this.journeys);
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
   * The states the legend lists: those drawn so far, nothing the recording does not show (a
   * stage's table, STAGE_STATES, lists what it can show with any flags: 01's send and work
   * colours would explain nothing in a run without them). A shipped stage draws only states of
   * its table (test/webview/panel-stages.test.ts); a playground's edited stage may draw others,
   * and what is drawn is explained.
   */
  private legendStates(): ReadonlySet<LaneStateId> {
    return this.shown.states;
  }

  // ---- to the host ----

  /**
   * At most one `cursorLines` per CURSOR_LINES_DELAY_MS, with the cursor as it is then: a
   * throttle, not a debounce, which would post nothing for as long as playback or a live run
   * keeps moving the cursor.
   */
  private scheduleCursorLines(): void {
    if (this.cursorLinesTimer !== undefined) return;
    this.cursorLinesTimer = window.setTimeout(() => {
      this.cursorLinesTimer = undefined;
      this.postCursorLines();
    }, CURSOR_LINES_DELAY_MS);
  }

  private postCursorLines(): void {
    const model = this.model;
    const event = this.cursor.event(model);
    if (event < 0) return;
    const time = model.events.time.get(event);
    const lines: ThreadLine[] = [];
    // A thread that has exited (or not started) is on no line.
    const states = this.snapshot().lanes;
    for (const lane of model.lanes) {
      if (lane.kind === LaneKind.client || lane.kind === LaneKind.green) continue;
      if (states[lane.index]?.state === LaneState.gone) continue;
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
    // A user's first step is news even on the same lines: the source scrolls to them then.
    const key = `${this.cursorMovedByUser}${JSON.stringify(lines)}`;
    if (key === this.lastCursorLines) return;
    this.lastCursorLines = key;
    this.host.post({ type: 'cursorLines', cursorNs: this.cursor.ns, lines, byUser: this.cursorMovedByUser });
    this.cursorMovedByUser = false;
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
        axis: this.trueTime ? 'true' : 'collapsed',
      });
    }, SAVE_DELAY_MS);
  }
}

/** States in which a thread does something rather than wait. */
const BUSY_STATES: ReadonlySet<number> = new Set([LaneState.work, LaneState.callback, LaneState.mounted]);

/** True when the lane's innermost span at `time` is one of BUSY_STATES. */
function busyAt(lane: Lane, time: number): boolean {
  for (let depth = lane.levels.length - 1; depth >= 0; depth--) {
    const span = lane.levels[depth].find(time, Infinity);
    if (span >= 0) return BUSY_STATES.has(lane.levels[depth].state.get(span));
  }
  return false;
}

/**
 * The panes beside the timeline: the moments of the notes in this recording (buttons that go to
 * them), the event at the cursor (announced to screen readers), the stage's lesson counters at
 * the cursor, and the colour legend.
 */
import type { ModelSnapshot, TraceModel } from '../../src/core/trace/model';
import { Kind, kindName, type TraceKindName } from '../../src/core/trace/format';
import {
  LANE_STATE_NAMES,
  LaneKind,
  LaneState,
  markStringKey,
  markThemeColor,
  STATE_FILL,
  STATE_THEME_COLOR,
  stateStringKey,
  type LaneStateId,
  type StateFill,
} from '../../src/core/trace/states';
import type { PanelStringKey } from '../../src/core/panel/protocol';
import type { Palette } from './colors';
import { eventFacts } from './describe';
import { el } from './dom';
import type { PanelMoment } from './moments';
import { formatNs, type Strings } from './text';

/** Each thread reserves this much address space for its stack (Linux's default 8 MiB). */
const STACK_RESERVE_BYTES = 8 * 1024 * 1024;

export function section(title: string, body: HTMLElement): HTMLElement {
  const id = `h-${Math.random().toString(36).slice(2)}`;
  return el('section', { 'aria-labelledby': id }, el('h2', { id }, title), body);
}

function row(list: HTMLElement, term: string, value: Node | string): void {
  list.append(el('dt', {}, term), el('dd', {}, value));
}

/**
 * The recording's moments as a list of buttons, by time: what the flags on the ruler are, for
 * keyboard and screen reader users too. A button zooms the timeline to its moment.
 */
export class MomentsPane {
  readonly element: HTMLElement;
  private readonly list = el('ol', { class: 'moments' });
  private readonly none = el('p', { class: 'none' });
  private shownKey = '';

  constructor(
    private readonly strings: Strings,
    private readonly go: (moment: PanelMoment) => void,
  ) {
    this.none.textContent = strings.get('momentsNone');
    this.element = section(strings.get('moments'), el('div', {}, this.list, this.none));
  }

  /** Lists the moments (times from `originNs`), `current` marked; rebuilds only when that changed. */
  show(moments: readonly PanelMoment[], originNs: number, current: PanelMoment | undefined): void {
    const key = `${originNs}|${moments.map((m) => `${m.id}@${m.timeNs}`).join(',')}|${current?.id ?? ''}`;
    if (key === this.shownKey) return;
    this.shownKey = key;
    this.list.replaceChildren(
      ...moments.map((moment) => {
        const button = el('button', { type: 'button', class: 'moment', title: this.strings.get('momentShow'), 'data-moment': moment.id });
        button.append(el('span', { class: 'time' }, formatNs(moment.timeNs - originNs)), el('span', { class: 'title' }, moment.title));
        if (moment.id === current?.id) button.setAttribute('aria-current', 'true');
        button.addEventListener('click', () => this.go(moment));
        // Space and Enter press the button; the panel's keys (play, reveal) must not take them too.
        button.addEventListener('keydown', (e) => {
          if (e.key === ' ' || e.key === 'Enter') e.stopPropagation();
        });
        return el('li', {}, button);
      }),
    );
    this.list.hidden = moments.length === 0;
    this.none.hidden = moments.length > 0;
  }
}

export class DetailsPane {
  readonly element: HTMLElement;
  private readonly list = el('dl', { class: 'facts' });
  /** One sentence per step, read out by screen readers. */
  private readonly announcement = el('p', { class: 'visually-hidden', 'aria-live': 'polite' });
  private shown = -2;

  constructor(
    private readonly strings: Strings,
    private readonly reveal: (file: string, line: number) => void,
  ) {
    this.element = section(strings.get('details'), el('div', {}, this.list, this.announcement));
  }

  show(model: TraceModel, event: number): void {
    if (event === this.shown) return;
    this.shown = event;
    this.list.replaceChildren();
    if (event < 0) {
      this.list.append(el('dd', {}, this.strings.get('detailNone')));
      return;
    }
    const s = this.strings;
    const facts = eventFacts(s, model, event);
    row(this.list, s.get('detailKind'), facts.kind);
    row(this.list, s.get('detailThread'), facts.lane);
    row(this.list, s.get('detailFd'), facts.fd);
    row(this.list, s.get('detailValue'), facts.value);
    row(this.list, s.get('detailTime'), facts.time);
    if (facts.line > 0) {
      const link = el('a', { href: '#', class: 'source' }, `${facts.file}:${facts.line}`);
      link.addEventListener('click', (e) => {
        e.preventDefault();
        this.reveal(facts.file, facts.line);
      });
      row(this.list, s.get('detailSource'), link);
    }
    this.announcement.textContent = `${facts.time}: ${facts.lane}, ${facts.kind}${facts.fd !== '—' ? `, fd ${facts.fd}` : ''}`;
  }
}

export class CountersPane {
  readonly element: HTMLElement;
  private readonly list = el('dl', { class: 'facts counters' });

  constructor(private readonly strings: Strings) {
    this.element = section(strings.get('counters'), this.list);
  }

  show(snapshot: ModelSnapshot, model: TraceModel): void {
    const s = this.strings;
    const { reported, threadLanesAlive, carriersBusy, clientsConnected } = snapshot.counters;
    const entries: [PanelStringKey, string][] = [];
    const threads = reported.threads ?? threadLanesAlive;
    entries.push(['counterThreads', String(threads)]);
    entries.push(['counterThreadMemory', `${((threads * STACK_RESERVE_BYTES) / (1024 * 1024)).toFixed(0)} MiB`]);
    // Only the counters this stage reports: a select stage has no pool queue.
    const counter = (value: number | undefined) => (value === undefined ? '—' : String(value));
    if (model.counters.emptyPolls.length > 0) entries.push(['counterEmptyPolls', counter(reported.emptyPolls)]);
    if (model.counters.fdsWatched.length > 0) entries.push([fdsWatchedLabel(model), counter(reported.fdsWatched)]);
    if (model.counters.queuedWork.length > 0) entries.push(['counterPoolQueue', counter(reported.queuedWork)]);
    if (model.lanes.some((l) => l.kind === LaneKind.carrier)) entries.push(['counterCarriersBusy', String(carriersBusy)]);
    entries.push(['counterClients', String(clientsConnected)]);
    if (model.counters.dropped.length > 0) entries.push(['counterDropped', counter(reported.dropped ?? 0)]);
    this.list.replaceChildren();
    for (const [key, value] of entries) row(this.list, s.get(key), value);
  }
}

/**
 * select is handed every fd on every call (the O(n) the lesson is about); epoll and kqueue keep
 * the registered set in the kernel, so the same number means something else there.
 */
function fdsWatchedLabel(model: TraceModel): PanelStringKey {
  // A stage waits one way throughout, so its first sample tells which.
  const kind = model.events.kind.get(model.counters.fdsWatched.event.get(0));
  return kind === Kind.EPOLL_WAIT_BEGIN || kind === Kind.KEVENT_BEGIN ? 'counterRegisteredFds' : 'counterSelectFds';
}

/**
 * The colour legend: the states this recording shows and those its stage can show (so that the
 * lesson's colour is explained before it first appears), then the marks it shows, in words.
 * Swatches read the same tables as the canvas.
 */
export class Legend {
  readonly element: HTMLElement;
  private readonly states = el('ul', { class: 'legend' });
  private readonly marks = el('ul', { class: 'legend marks' });
  private shownKey = '';

  constructor(
    private readonly strings: Strings,
    private readonly palette: Palette,
  ) {
    this.element = section(strings.get('legend'), el('div', {}, this.states, this.marks));
  }

  /** Lists the states (ids) and marks (event kinds) in table order; rebuilds only on a change. */
  show(states: ReadonlySet<LaneStateId>, marks: ReadonlySet<number>): void {
    const stateList = LANE_STATE_NAMES.map((_, id) => id as LaneStateId).filter((id) => states.has(id) && id !== LaneState.done && id !== LaneState.gone);
    const markList = [...marks].filter((kind) => kindName(kind) !== undefined).sort((a, b) => a - b);
    const key = `${stateList.join(',')}|${markList.join(',')}`;
    if (key === this.shownKey) return;
    this.shownKey = key;
    this.states.replaceChildren(
      ...stateList.map((state) => {
        const name = LANE_STATE_NAMES[state];
        return this.item(STATE_THEME_COLOR[name], STATE_FILL[name], this.strings.get(stateStringKey(state)), name);
      }),
    );
    // Marks of one colour cannot be told apart on the canvas: one entry names them all, in words,
    // with the event kinds (as the details pane names them) in its tooltip.
    const byColour = new Map<string, TraceKindName[]>();
    for (const kind of markList) {
      const colour = markThemeColor(kind);
      byColour.set(colour, [...(byColour.get(colour) ?? []), kindName(kind)!]);
    }
    this.marks.replaceChildren(
      ...[...byColour].map(([colour, names]) => {
        const item = this.item(colour, 'mark', names.map((n) => this.strings.get(markStringKey(n))).join(', '), names.join(','));
        item.title = names.join(', ');
        return item;
      }),
    );
    this.marks.hidden = markList.length === 0;
  }

  private item(themeColorId: string, shape: StateFill | 'mark', words: string, key: string): HTMLElement {
    const swatch = el('span', { class: `swatch ${shape}`, 'aria-hidden': 'true' });
    swatch.style.background = this.palette.cssColor(themeColorId);
    return el('li', { 'data-key': key }, swatch, words);
  }
}

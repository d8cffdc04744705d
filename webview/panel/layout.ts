/**
 * The panel's page: toolbar and scrubber on top, the timeline canvas with the legend, detail and
 * counter panes beside it (the legend first: it is what a narrow panel must not scroll away; then
 * the moments of the notes, the way to the lesson),
 * the table of lanes below, and the keyboard help.
 */
import type { Palette } from './colors';
import { el, isShortPanel } from './dom';
import { JourneysPane } from './journeysPane';
import { LaneTable } from './laneTable';
import type { PanelMoment } from './moments';
import { CountersPane, DetailsPane, Legend, MomentsPane } from './sidePanes';
import type { Strings } from './text';
import { Timeline } from './timeline';
import { Toolbar, type ToolbarActions } from './toolbar';

export interface Layout {
  readonly toolbar: Toolbar;
  readonly timeline: Timeline;
  readonly details: DetailsPane;
  readonly counters: CountersPane;
  readonly lanes: LaneTable;
  readonly legend: Legend;
  readonly moments: MomentsPane;
  readonly journeys: JourneysPane;
  /** Over the canvas while there is nothing to draw. */
  readonly empty: HTMLElement;
  readonly notices: HTMLElement;
  /** The canvas's container, whose size the canvas follows. */
  readonly plot: HTMLElement;
}

export function buildLayout(
  strings: Strings,
  palette: Palette,
  actions: ToolbarActions & { reveal(file: string, line: number): void; goToMoment(moment: PanelMoment): void },
  speed: number,
): Layout {
  const s = strings;
  const toolbar = new Toolbar(s, actions, speed);
  const canvas = el('canvas', {
    class: 'timeline',
    tabindex: '0',
    role: 'img',
    'aria-label': s.get('timeline'),
    'aria-describedby': 'timeline-help',
  });
  const timeline = new Timeline(canvas);
  const details = new DetailsPane(s, (file, line) => actions.reveal(file, line));
  const counters = new CountersPane(s);
  const lanes = new LaneTable(s, palette);
  const legend = new Legend(s, palette);
  const moments = new MomentsPane(s, (moment) => actions.goToMoment(moment));
  const journeys = new JourneysPane(s, palette);
  const empty = el('p', { class: 'empty' });
  const notices = el('div', { class: 'notices', role: 'status' });
  const plot = el('div', { class: 'plot' }, canvas, empty);
  document.body.append(
    el(
      'div',
      { class: 'panel' },
      toolbar.element,
      toolbar.scrubber,
      notices,
      el('div', { class: 'main' }, plot, el('aside', { class: 'side' }, legend.element, moments.element, journeys.element, details.element, counters.element)),
      lanes.element,
      // In a short panel the keys' help is for screen readers only (the canvas's description).
      el('p', { id: 'timeline-help', class: isShortPanel() ? 'help visually-hidden' : 'help' }, s.get('timelineHelp')),
    ),
  );
  return { toolbar, timeline, details, counters, lanes, legend, moments, journeys, empty, notices, plot };
}

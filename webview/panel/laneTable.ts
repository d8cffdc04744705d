/**
 * The lanes as an accessible table: each lane's colour chip (the one of its label on the canvas
 * and of its current line in the editor), name, kind and state at the cursor. It is what a
 * screen reader user reads instead of the canvas, and what tests query to see the lanes.
 */
import type { ModelSnapshot, TraceModel } from '../../src/core/trace/model';
import { LANE_THEME_COLORS } from '../../src/core/trace/states';
import type { Palette } from './colors';
import { laneKindWords, stateWords } from './describe';
import { el, isShortPanel } from './dom';
import { formatNs, type Strings } from './text';

/** Beyond this many lanes (10,000 clients) the table lists the first ones and says how many more. */
const MAX_ROWS = 200;

export class LaneTable {
  readonly element: HTMLElement;
  private readonly body = el('tbody');
  private readonly more = el('p', { class: 'more' });

  constructor(
    private readonly strings: Strings,
    private readonly palette: Palette,
  ) {
    const s = strings;
    const table = el(
      'table',
      { class: 'lanes' },
      el('caption', { class: 'visually-hidden' }, s.get('lanes')),
      el(
        'thead',
        {},
        el('tr', {}, el('th', { scope: 'col' }, s.get('laneName')), el('th', { scope: 'col' }, s.get('laneState')), el('th', { scope: 'col' }, s.get('laneSince'))),
      ),
      this.body,
    );
    // Folded to its title in a short panel (beside an editor, above the terminals), where every
    // row it took would be a lane row the timeline loses; the same states are in the canvas.
    this.element = el('details', { class: 'lane-table', ...(isShortPanel() ? {} : { open: '' }) }, el('summary', {}, s.get('lanes')), table, this.more);
  }

  show(model: TraceModel, rows: readonly number[], snapshot: ModelSnapshot): void {
    const origin = Number.isNaN(model.minTime) ? 0 : model.minTime;
    const shown = Math.min(rows.length, MAX_ROWS);
    while (this.body.rows.length > shown) this.body.deleteRow(-1);
    for (let r = 0; r < shown; r++) {
      const lane = model.lanes[rows[r]];
      const snap = snapshot.lanes[lane.index];
      const cells = [
        `${lane.name} (${laneKindWords(this.strings, lane)})`,
        stateWords(this.strings, lane, snap),
        Number.isNaN(snap.since) ? '—' : formatNs(snap.since - origin),
      ];
      const tr = this.body.rows[r] ?? this.body.insertRow();
      tr.dataset.lane = String(lane.index);
      tr.dataset.state = String(snap.state);
      if (tr.cells.length === 0) {
        tr.append(el('th', { scope: 'row' }, el('span', { class: 'chip', 'aria-hidden': 'true' }), el('span', {})));
      }
      const chip = tr.cells[0].firstElementChild as HTMLElement;
      const colour = LANE_THEME_COLORS[lane.index % LANE_THEME_COLORS.length];
      if (chip.dataset.colour !== colour) {
        chip.dataset.colour = colour;
        chip.style.background = this.palette.cssColor(colour);
      }
      const name = tr.cells[0].lastElementChild as HTMLElement;
      if (name.textContent !== cells[0]) name.textContent = cells[0];
      for (let c = 1; c < cells.length; c++) {
        const cell = tr.cells[c] ?? tr.insertCell();
        if (cell.textContent !== cells[c]) cell.textContent = cells[c];
      }
    }
    this.more.textContent = rows.length > shown ? `+${rows.length - shown}` : '';
  }
}

/**
 * The lanes as an accessible table: each lane's name, kind and state at the cursor. It is what
 * a screen reader user reads instead of the canvas, and what tests query to see the lanes.
 */
import type { ModelSnapshot, TraceModel } from '../../src/core/trace/model';
import { laneKindWords, stateWords } from './describe';
import { el } from './dom';
import { formatNs, type Strings } from './text';

/** Beyond this many lanes (10,000 clients) the table lists the first ones and says how many more. */
const MAX_ROWS = 200;

export class LaneTable {
  readonly element: HTMLElement;
  private readonly body = el('tbody');
  private readonly more = el('p', { class: 'more' });

  constructor(private readonly strings: Strings) {
    const s = strings;
    const table = el(
      'table',
      { class: 'lanes' },
      el('caption', {}, s.get('lanes')),
      el(
        'thead',
        {},
        el('tr', {}, el('th', { scope: 'col' }, s.get('laneName')), el('th', { scope: 'col' }, s.get('laneState')), el('th', { scope: 'col' }, s.get('laneSince'))),
      ),
      this.body,
    );
    this.element = el('div', { class: 'lane-table' }, table, this.more);
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
      for (let c = 0; c < cells.length; c++) {
        const cell = tr.cells[c] ?? (c === 0 ? tr.appendChild(el('th', { scope: 'row' })) : tr.insertCell());
        if (cell.textContent !== cells[c]) cell.textContent = cells[c];
      }
    }
    this.more.textContent = rows.length > shown ? `+${rows.length - shown}` : '';
  }
}

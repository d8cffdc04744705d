/** A TableSpec as a real <table>: caption, column headers, row headers, for screen readers. */
import { el } from '../panel/dom';
import type { TableSpec } from './model';

export function renderTable(spec: TableSpec, className: string): HTMLTableElement {
  const head = el('tr', {}, el('th', { scope: 'col' }, spec.corner), ...spec.columns.map((c) => el('th', { scope: 'col' }, c)));
  const body = spec.rows.map((row) =>
    el('tr', {}, el('th', { scope: 'row' }, row.header), ...row.cells.map((c) => el('td', c.tone ? { class: c.tone } : {}, c.text))),
  );
  return el('table', { class: className }, el('caption', {}, spec.caption), el('thead', {}, head), el('tbody', {}, ...body));
}

/**
 * A TableSpec as a real <table>: caption, column headers, row headers, for screen readers. It
 * scrolls sideways in a box of its own when the panel is narrower than the table (not the page).
 */
import { el } from '../panel/dom';
import type { TableSpec } from './model';

export function renderTable(spec: TableSpec, className: string): HTMLElement {
  const head = el('tr', {}, el('th', { scope: 'col' }, spec.corner), ...spec.columns.map((c) => el('th', { scope: 'col' }, c)));
  const body = spec.rows.map((row) =>
    el('tr', {}, el('th', { scope: 'row' }, row.header), ...row.cells.map((c) => el('td', c.tone ? { class: c.tone } : {}, c.text))),
  );
  const table = el('table', { class: className }, el('caption', {}, spec.caption), el('thead', {}, head), el('tbody', {}, ...body));
  // Focusable, so that a keyboard can scroll it too.
  return el('div', { class: 'table-scroll', role: 'region', tabindex: '0', 'aria-label': spec.caption }, table);
}

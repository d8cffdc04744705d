/**
 * The results panel: a header saying what was measured where, the points not run and the files
 * skipped, then throughput, latency and errors (a chart and its table each), and in the `stage`
 * view the comparison with the previous run. Everything is rebuilt on each `show`; the DOM is
 * built in code, so no string ever becomes markup.
 */
import type { RunComparison } from '../../src/core/benchmark/compare';
import { formatChangePct, formatCompactCount, formatCount, formatLatencyUs } from '../../src/core/benchmark/numberFormat';
import type { BenchResults, BenchStringKey, BenchStrings, BenchViewKind, HostToBenchMessage } from '../../src/core/benchmark/panelProtocol';
import type { StoredRun } from '../../src/core/benchmark/storedRun';
import { describeSkip } from '../../src/core/benchmark/strings';
import type { Palette } from '../panel/colors';
import { el } from '../panel/dom';
import { fill } from '../panel/text';
import { BenchChart, SERIES_COLORS } from './chart';
import type { BenchHost } from './host';
import { compareAllSections, comparisonTable, stageSections, type Section, type Text } from './model';
import { renderTable } from './table';

export class BenchApp {
  private strings: BenchStrings | undefined;
  private locale = 'en';
  private shown: { results: BenchResults; comparison?: RunComparison } | undefined;
  private charts: BenchChart[] = [];
  private renders = 0;
  private readonly root = el('main', { class: 'bench' });

  constructor(
    private readonly host: BenchHost,
    private readonly palette: Palette,
  ) {
    document.body.append(this.root);
    palette.watch(() => this.charts.forEach((c) => c.draw()));
  }

  handle(message: HostToBenchMessage): void {
    switch (message.type) {
      case 'init':
        this.strings = message.strings;
        this.locale = message.locale;
        document.title = message.strings.panelTitle;
        break;
      case 'show':
        this.shown = { results: message.results, ...(message.comparison ? { comparison: message.comparison } : {}) };
        this.host.save({ view: message.results.view, ...(message.results.runs[0] ? { runId: message.results.runs[0].id } : {}) });
        break;
    }
    this.render();
  }

  private readonly text: Text = {
    get: (key: BenchStringKey, ...args: (string | number)[]) => fill(this.strings?.[key] ?? key, ...args),
    count: (n) => formatCount(n, this.locale),
    compact: (n) => formatCompactCount(n, this.locale),
    latency: (us) => formatLatencyUs(us, this.locale),
    pct: (p, signed = true) => formatChangePct(p, this.locale, signed),
  };

  private render(): void {
    if (!this.strings || !this.shown) return;
    for (const c of this.charts) c.destroy();
    this.charts = [];
    const { results, comparison } = this.shown;
    const t = this.text;
    const focus = results.runs[0];
    const compareAll = results.view === 'compareAll';

    this.root.replaceChildren(this.header(results));
    this.root.append(...this.notices(results));
    if (!focus) {
      this.root.append(el('p', { class: 'empty' }, t.get(compareAll ? 'compareAllEmpty' : 'noResults')));
    } else {
      const sections = compareAll ? compareAllSections(results, t, SERIES_COLORS.length) : stageSections(results, comparison, t);
      for (const section of sections) this.appendSection(section);
      if (!compareAll) this.root.append(this.comparison(comparison));
    }
    document.body.dataset.renders = String(++this.renders);
    document.body.dataset.view = results.view;
    this.host.post({ type: 'rendered', view: results.view, runs: results.runs.length, charts: this.charts.length, tableRows: this.root.querySelectorAll('tbody tr').length });
  }

  private header(results: BenchResults): HTMLElement {
    const t = this.text;
    const focus = results.runs[0];
    const viewButton = (view: BenchViewKind, key: BenchStringKey) => {
      const button = el('button', { type: 'button', class: 'view', 'aria-pressed': String(results.view === view) }, t.get(key));
      button.addEventListener('click', () => this.host.post({ type: 'selectView', view }));
      return button;
    };
    const runAll = el('button', { type: 'button', class: 'run-all' }, t.get('runCompareAll'));
    runAll.addEventListener('click', () => this.host.post({ type: 'runCompareAll' }));
    const header = el(
      'header',
      {},
      el('h1', {}, results.view === 'compareAll' ? t.get('compareAllHeading') : focus ? t.get('stageHeading', focus.stage) : t.get('panelTitle')),
      el('div', { class: 'views', role: 'group', 'aria-label': t.get('views') }, viewButton('stage', 'viewStage'), viewButton('compareAll', 'viewCompareAll'), runAll),
    );
    if (focus) header.append(...this.runFacts(focus, results.view === 'stage'));
    return header;
  }

  /**
   * On what workload, on which machine and build; for a single run also when, and the file
   * behind it (Compare All Stages shares the workload, not the date).
   */
  private runFacts(run: StoredRun, single: boolean): HTMLElement[] {
    const t = this.text;
    const s = run.settings;
    const e = run.environment;
    let date = run.date;
    try {
      date = new Intl.DateTimeFormat(this.locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(run.date));
    } catch {
      // An unknown locale: the ISO date is still readable.
    }
    const workload =
      s.mode === 'open'
        ? t.get('workloadOpen', t.count(s.rate ?? 0), s.payloadBytes, s.durationS)
        : t.get('workloadClosed', s.payloadBytes, s.durationS);
    const facts = [
      ...(single ? [el('p', { class: 'meta date' }, t.get('runDate', date))] : []),
      el('p', { class: 'meta workload' }, s.workEvery ? `${workload}; ${t.get('workEvery', t.count(s.workEvery))}` : workload),
      el('p', { class: 'meta machine' }, t.get('machine', e.cpuCount, e.cpuModel, e.platform, e.kernel, e.arch, e.loadAverage1m ?? '')),
      el('p', { class: 'meta build' }, t.get('build', run.build.compiler, run.build.flags)),
    ];
    if (single) {
      const open = el('button', { type: 'button', class: 'link open-result' }, t.get('openResult'));
      open.addEventListener('click', () => this.host.post({ type: 'openResult', file: run.file }));
      facts.push(el('p', { class: 'meta' }, open));
    }
    return facts;
  }

  private notices(results: BenchResults): HTMLElement[] {
    const t = this.text;
    const out: HTMLElement[] = [];
    const focus = results.runs[0];
    if (focus && results.view === 'stage') {
      if (!focus.complete) out.push(el('p', { class: 'notice incomplete', role: 'status' }, t.get('incomplete')));
      if (focus.skipped.length > 0) {
        const items = focus.skipped.map((s) => el('li', {}, describeSkip(s, this.strings as BenchStrings, t.count)));
        out.push(el('section', { class: 'notice skipped' }, el('h2', {}, t.get('skippedHeading')), el('ul', {}, ...items)));
      }
    }
    if (results.problems && results.problems.length > 0) {
      const items = results.problems.map((p) => el('li', {}, p.message));
      out.push(el('section', { class: 'notice problems' }, el('h2', {}, t.get('problemsHeading')), el('ul', {}, ...items)));
    }
    return out;
  }

  /** Appends a chart and its table; uPlot measures its container, so it is drawn once attached. */
  private appendSection(section: Section): void {
    const t = this.text;
    const id = `chart-${section.chart.id}`;
    const chartBox = el('div', {
      class: 'chart',
      id,
      role: 'group',
      'aria-label': section.chart.title,
      'aria-describedby': `${id}-help`,
    });
    const readout = el('p', { class: 'readout', 'aria-live': 'polite' });
    const element = el(
      'section',
      { class: `result ${section.chart.id}`, 'data-chart': section.chart.id },
      el('h2', {}, section.chart.title),
      el('p', { class: 'help', id: `${id}-help` }, t.get('chartHelp')),
      chartBox,
      readout,
      renderTable(section.table, `values ${section.chart.id}`),
    );
    this.root.append(element);
    this.charts.push(new BenchChart(section.chart, chartBox, readout, this.palette, t));
  }

  private comparison(comparison: RunComparison | undefined): HTMLElement {
    const t = this.text;
    const box = el('section', { class: 'comparison' });
    if (!comparison) {
      box.append(el('p', { class: 'empty' }, t.get('noPrevious')));
      return box;
    }
    let date = comparison.previousDate;
    try {
      date = new Intl.DateTimeFormat(this.locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(comparison.previousDate));
    } catch {
      // keep the ISO date
    }
    box.append(el('h2', {}, t.get('comparisonHeading', date)));
    if (comparison.differences.length > 0) {
      const items = comparison.differences.map((d) => el('li', {}, t.get('setupDifference', d.field, d.previous, d.current)));
      box.append(el('div', { class: 'notice setup', role: 'note' }, el('p', {}, t.get('setupDiffers')), el('ul', {}, ...items)));
    }
    box.append(renderTable(comparisonTable(comparison, t), 'values comparison'));
    if (comparison.onlyCurrent.length) box.append(el('p', { class: 'meta' }, t.get('onlyCurrent', comparison.onlyCurrent.map(t.count).join(', '))));
    if (comparison.onlyPrevious.length) box.append(el('p', { class: 'meta' }, t.get('onlyPrevious', comparison.onlyPrevious.map(t.count).join(', '))));
    return box;
  }
}

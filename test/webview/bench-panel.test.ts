/**
 * The benchmark results panel's real bundle in headless Chromium, behind the host's HTML shell
 * and strict CSP, fed stored results the way the host sends them: it draws the three charts in
 * the theme's colours, the tables under them with the right values, hover and keyboard values,
 * the comparison with the previous run, the Compare All Stages view, and Korean.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compareRuns } from '../../src/core/benchmark/compare';
import type { BenchToHostMessage, BenchViewState, HostToBenchMessage } from '../../src/core/benchmark/panelProtocol';
import type { BenchRun, StoredRun } from '../../src/core/benchmark/storedRun';
import { BENCH_STRINGS_EN, BENCH_STRINGS_KO } from '../../src/core/benchmark/strings';
import { benchRow, benchRun } from '../unit/benchmark-fixtures.support';
import { PanelHarness, WebviewPage, type WebviewSpec } from './panelHarness';

const MAGENTA = '#ff00ff';

function stored(run: BenchRun, id: string): StoredRun {
  return { ...run, format: 'server-models.bench', version: 1, id, file: `/work/.server-models/bench/${id}.json` };
}

const epoll = stored(
  benchRun('06-epoll', '2025-03-26T18:00:00.000Z', [
    benchRow('06-epoll', 1, { throughput: 9_800, p50: 66, p99: 210, p999: 400 }),
    benchRow('06-epoll', 10, { throughput: 31_000, p50: 120, p99: 900, p999: 1_500 }),
    benchRow('06-epoll', 100, { throughput: 41_234, p50: 800, p99: 3_140, p999: 7_000 }),
    benchRow('06-epoll', 1_000, { throughput: 38_000, p50: 5_000, p99: 25_000, p999: 61_000, errors: { timeout: 12, reset: 3 } }),
  ], { skipped: [{ connections: 10_000, reason: 'time-budget', limit: 60 }] }),
  '20250326T180000000Z-06-epoll',
);
const epollBefore = stored(
  benchRun('06-epoll', '2025-03-25T09:00:00.000Z', [
    benchRow('06-epoll', 1, { throughput: 9_700, p50: 70, p99: 220, p999: 410 }),
    benchRow('06-epoll', 100, { throughput: 37_485, p50: 900, p99: 4_000, p999: 9_000 }),
  ]),
  '20250325T090000000Z-06-epoll',
);
const select = stored(
  benchRun('05-select', '2025-03-26T17:00:00.000Z', [
    benchRow('05-select', 1, { throughput: 9_000, p99: 250 }),
    benchRow('05-select', 100, { throughput: 30_500, p99: 5_000 }),
    benchRow('05-select', 1_000, { throughput: 12_000, p99: 90_000 }),
  ], { skipped: [{ connections: 10_000, reason: 'fd-setsize', limit: 1_000 }] }),
  '20250326T170000000Z-05-select',
);
const sequential = stored(
  benchRun('01-sequential', '2025-03-26T16:00:00.000Z', [
    benchRow('01-sequential', 1, { throughput: 9_500, p99: 230 }),
    benchRow('01-sequential', 10, { throughput: 9_400, p99: 0, p50: 0, p999: 0, errors: { timeout: 400 } }),
  ]),
  '20250326T160000000Z-01-sequential',
);

class BenchPage extends WebviewPage<HostToBenchMessage, BenchToHostMessage, BenchViewState> {
  /** Delivers `show` and waits until the panel has drawn it. */
  async show(message: Omit<Extract<HostToBenchMessage, { type: 'show' }>, 'type'>): Promise<void> {
    const before = Number((await this.page.evaluate<string | undefined>('document.body.dataset.renders')) ?? 0);
    await this.deliver({ type: 'show', ...message });
    await this.waitFor(`Number(document.body.dataset.renders) > ${before}`, 'a render');
  }

  /** Rows of a table as text: header row first. */
  table(selector: string): Promise<string[][]> {
    return this.page.evaluate<string[][]>(
      `[...document.querySelectorAll(${JSON.stringify(`${selector} tr`)})].map((tr) => [...tr.cells].map((c) => c.textContent))`,
    );
  }

  text(selector: string): Promise<string> {
    return this.page.evaluate<string>(`document.querySelector(${JSON.stringify(selector)})?.textContent ?? ''`);
  }

  /** Pixels of exactly `hex` in a chart's canvas. */
  countColour(chart: string, hex: string): Promise<number> {
    return this.page.evaluate<number>(`(() => {
      const canvas = document.querySelector('#chart-${chart} canvas');
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      const want = [${parseInt(hex.slice(1, 3), 16)}, ${parseInt(hex.slice(3, 5), 16)}, ${parseInt(hex.slice(5, 7), 16)}];
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] === want[0] && data[i + 1] === want[1] && data[i + 2] === want[2]) n++;
      return n;
    })()`);
  }

  /** Hovers a chart where the log x axis puts `connections` (uPlot snaps to the nearest point). */
  async hover(chart: string, connections: number, xs: readonly number[]): Promise<void> {
    const box = await this.page.locator(`#chart-${chart} .u-over`).boundingBox();
    assert.ok(box, `${chart}: plotting area`);
    const [lo, hi] = [Math.log10(xs[0] / 2), Math.log10(xs[xs.length - 1] * 2)];
    const x = box.x + ((Math.log10(connections) - lo) / (hi - lo)) * box.width;
    await this.page.mouse.move(x, box.y + box.height / 2);
  }
}

/** webview/bench/main.ts: bench.js, and bench.css from the uPlot styles it imports. */
const BENCH_PANEL: WebviewSpec<BenchPage> = {
  name: 'bench',
  styles: ['dist/webview/bench.css', 'media/bench/bench.css'],
  page: (page, errors) => new BenchPage(page, errors),
};

/** A fresh page with the panel loaded and `ready` posted; closed after `body`. */
function withBench<T>(harness: PanelHarness<BenchPage>, body: (panel: BenchPage) => Promise<T>): Promise<T> {
  return harness.with({ width: 1100, height: 900 }, body);
}

describe('benchmark results panel in Chromium', () => {
  let harness: PanelHarness<BenchPage>;
  before(async () => {
    harness = await PanelHarness.start(BENCH_PANEL);
  });
  after(async () => {
    await harness?.close();
  });

  it('draws throughput, latency and errors with their tables, in the theme’s colours, under the CSP', () =>
    withBench(harness, async (panel) => {
      // VS Code sets theme colours as variables on the body; the run in focus is charts.blue.
      await panel.page.evaluate(`document.body.style.setProperty('--vscode-charts-blue', '${MAGENTA}')`);
      await panel.deliver({ type: 'init', strings: BENCH_STRINGS_EN, locale: 'en' });
      await panel.show({ results: { view: 'stage', runs: [epoll] } });

      assert.equal(await panel.text('h1'), 'Benchmark of 06-epoll');
      assert.equal(await panel.page.locator('.chart .uplot canvas').count(), 3);
      for (const chart of ['throughput', 'latency', 'errors']) {
        const drawn = await panel.countColour(chart, MAGENTA);
        assert.ok(drawn > 100, `${chart}: the run drawn in its theme colour (${drawn} px)`);
      }
      assert.deepEqual(await panel.table('table.throughput'), [
        ['Connections', '06-epoll'],
        ['1', '9,800'],
        ['10', '31,000'],
        ['100', '41,234'],
        ['1,000', '38,000'],
      ]);
      assert.deepEqual(await panel.table('table.latency'), [
        ['Connections', '06-epoll p50', '06-epoll p90', '06-epoll p99', '06-epoll p99.9', '06-epoll max'],
        ['1', '66 µs', '138 µs', '210 µs', '400 µs', '800 µs'],
        ['10', '120 µs', '510 µs', '900 µs', '1.5 ms', '3 ms'],
        ['100', '800 µs', '2 ms', '3.1 ms', '7 ms', '14 ms'],
        ['1,000', '5 ms', '15 ms', '25 ms', '61 ms', '122 ms'],
      ]);
      const errors = await panel.table('table.errors');
      assert.deepEqual(errors[0], ['Connections', '06-epoll All errors', 'Refused', 'Reset', 'Closed early', 'Timed out', 'Wrong bytes', 'Out of descriptors', 'Other']);
      assert.deepEqual(errors[4], ['1,000', '15', '0', '3', '0', '12', '0', '0', '0']);
      assert.equal(await panel.page.locator('table.values caption').count(), 3, 'every table has a caption');
      assert.equal(await panel.page.locator('table.throughput tbody th[scope="row"]').count(), 4);
      assert.match(await panel.text('.notice.skipped'), /10,000 connections: the sweep would take longer than 60 s\./);
      assert.match(await panel.text('.meta.machine'), /2 CPUs \(Test CPU @ 3\.0GHz\), linux 6\.1\.0-test x64/);
      assert.match(await panel.text('.meta.workload'), /^Open loop at 10,000 messages per second, 16-byte frames, 2 s per point$/);
      assert.equal(await panel.text('.comparison'), BENCH_STRINGS_EN.noPrevious);
      assert.deepEqual(await panel.cspViolations(), []);
      assert.deepEqual(panel.errors, []);
      assert.deepEqual(await panel.savedState(), { view: 'stage', runId: epoll.id });
    }));

  it('shows the values on hover and from the keyboard', () =>
    withBench(harness, async (panel) => {
      await panel.deliver({ type: 'init', strings: BENCH_STRINGS_EN, locale: 'en' });
      await panel.show({ results: { view: 'stage', runs: [epoll] } });
      const xs = [1, 10, 100, 1_000];

      await panel.hover('throughput', 100, xs);
      await panel.waitFor(`document.querySelector('#chart-throughput + .readout').textContent.startsWith('100 connections')`, 'the hover readout');
      assert.equal(await panel.text('#chart-throughput + .readout'), '100 connections: 06-epoll 41,234');
      const legend = await panel.page.evaluate<string[]>(`[...document.querySelectorAll('#chart-throughput .u-legend .u-value')].map((v) => v.textContent)`);
      assert.deepEqual(legend, ['100', '41,234']);

      await panel.page.focus('#chart-latency');
      await panel.page.keyboard.press('Home');
      await panel.page.keyboard.press('ArrowRight');
      await panel.waitFor(`document.querySelector('#chart-latency + .readout').textContent.startsWith('10 connections')`, 'the keyboard readout');
      assert.equal(await panel.text('#chart-latency + .readout'), '10 connections: 06-epoll p50 120 µs, 06-epoll p99 900 µs, 06-epoll p99.9 1.5 ms');
      await panel.page.keyboard.press('End');
      await panel.waitFor(`document.querySelector('#chart-latency + .readout').textContent.startsWith('1,000 connections')`, 'End');
      assert.deepEqual(panel.errors, []);
    }));

  it('overlays the previous run and another stage, and says better or worse by how much', () =>
    withBench(harness, async (panel) => {
      await panel.deliver({ type: 'init', strings: BENCH_STRINGS_EN, locale: 'en' });
      const comparison = compareRuns(epoll, epollBefore);
      await panel.show({ results: { view: 'stage', runs: [epoll, select], previous: epollBefore }, comparison });

      assert.deepEqual(await panel.table('table.throughput'), [
        ['Connections', '06-epoll', '06-epoll, previous run', 'Change', '05-select'],
        ['1', '9,800', '9,700', 'about the same (+1%)', '9,000'],
        ['10', '31,000', 'not run', '', 'not run'],
        ['100', '41,234', '37,485', 'better by 10%', '30,500'],
        ['1,000', '38,000', 'not run', '', '12,000'],
      ]);
      const latencyHead = (await panel.table('table.latency'))[0];
      assert.deepEqual(latencyHead.slice(-2), ['06-epoll, previous run p99', '05-select p99']);
      const rows = await panel.table('table.comparison');
      assert.deepEqual(rows[0], ['Connections', 'Throughput', 'p50', 'p99', 'p99.9', 'Errors']);
      assert.deepEqual(rows[2], [
        '100',
        '37k → 41k: better by 10%',
        '900 µs → 800 µs: better by 11%',
        '4 ms → 3.1 ms: better by 22%',
        '9 ms → 7 ms: better by 22%',
        '0 → 0: about the same (0%)',
      ]);
      // Four at 100 connections, and p50 at 1 (66 µs against 70 µs is past the 5 % noise).
      assert.equal(await panel.page.locator('table.comparison td.better').count(), 5);
      assert.equal(await panel.page.locator('table.comparison td.worse').count(), 0);
      assert.match(await panel.text('.comparison'), /Only in this run: 10, 1,000 connections/);
      const series = await panel.page.evaluate<string[]>(`[...document.querySelectorAll('#chart-throughput .u-legend .u-series th')].map((t) => t.textContent)`);
      assert.deepEqual(series.slice(1), ['06-epoll', '06-epoll, previous run', '05-select']);

      await panel.page.getByRole('button', { name: 'Open the result file' }).click();
      await panel.page.getByRole('button', { name: 'Compare All Stages', exact: true }).click();
      await panel.page.getByRole('button', { name: 'Run Compare All Stages' }).click();
      const posted = await panel.posted();
      // Every draw is reported to the host (the integration tests read it); the rest are the clicks.
      assert.deepEqual(posted.find((m) => m.type === 'rendered'), { type: 'rendered', view: 'stage', runs: 2, charts: 3, tableRows: 28 });
      assert.deepEqual(posted.filter((m) => m.type !== 'rendered'), [
        { type: 'ready' },
        { type: 'openResult', file: epoll.file },
        { type: 'selectView', view: 'compareAll' },
        { type: 'runCompareAll' },
      ]);
      assert.deepEqual(panel.errors, []);
    }));

  it('warns when the previous run had another setup', () =>
    withBench(harness, async (panel) => {
      await panel.deliver({ type: 'init', strings: BENCH_STRINGS_EN, locale: 'en' });
      const rebuilt = { ...epoll, build: { ...epoll.build, flags: '-O0 -g' } };
      await panel.show({ results: { view: 'stage', runs: [rebuilt], previous: epollBefore }, comparison: compareRuns(rebuilt, epollBefore) });
      assert.match(await panel.text('.notice.setup'), /build\.flags: -O2 -D_FORTIFY_SOURCE=2 before, -O0 -g now/);
    }));

  it('compares every stage: one series per stage and a row per stage in each table', () =>
    withBench(harness, async (panel) => {
      await panel.deliver({ type: 'init', strings: BENCH_STRINGS_EN, locale: 'en' });
      const problems = [{ file: '/w/.server-models/bench/broken.json', message: 'broken.json is not valid JSON (Unexpected end); skipped.' }];
      await panel.show({ results: { view: 'compareAll', runs: [sequential, select, epoll], problems } });

      assert.equal(await panel.text('h1'), 'Every stage on the same workload');
      assert.equal(await panel.page.evaluate<string | null>(`document.querySelector('button.view[aria-pressed="true"]').textContent`), 'Compare All Stages');
      assert.deepEqual(await panel.table('table.throughput'), [
        ['Stage', '1', '10', '100', '1,000'],
        ['01-sequential', '9,500', '9,400', 'not run', 'not run'],
        ['05-select', '9,000', 'not run', '30,500', '12,000'],
        ['06-epoll', '9,800', '31,000', '41,234', '38,000'],
      ]);
      assert.deepEqual((await panel.table('table.latency'))[1], ['01-sequential', '230 µs', 'not run', 'not run', 'not run']);
      assert.deepEqual((await panel.table('table.errors'))[1], ['01-sequential', '0', '400', 'not run', 'not run']);
      const series = await panel.page.evaluate<string[]>(`[...document.querySelectorAll('#chart-latency .u-legend .u-series th')].map((t) => t.textContent)`);
      assert.deepEqual(series.slice(1), ['01-sequential', '05-select', '06-epoll']);
      assert.match(await panel.text('.notice.problems'), /broken\.json is not valid JSON/);
      assert.deepEqual(await panel.savedState(), { view: 'compareAll', runId: sequential.id });
      assert.deepEqual(panel.errors, []);
    }));

  it('speaks Korean, says when there is nothing yet, and redraws on every show', () =>
    withBench(harness, async (panel) => {
      await panel.deliver({ type: 'init', strings: BENCH_STRINGS_KO, locale: 'ko' });
      await panel.show({ results: { view: 'stage', runs: [] } });
      assert.equal(await panel.text('.empty'), BENCH_STRINGS_KO.noResults);
      assert.equal(await panel.page.locator('.chart').count(), 0);
      await panel.show({ results: { view: 'stage', runs: [epoll] } });
      assert.equal(await panel.text('h1'), '06-epoll 벤치마크');
      assert.deepEqual((await panel.table('table.throughput'))[0], ['연결 수', '06-epoll']);
      assert.equal(await panel.page.locator('.chart .uplot').count(), 3, 'the old charts are gone, the new ones drawn');
      assert.deepEqual(panel.errors, []);
    }));
});

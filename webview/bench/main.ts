/**
 * The benchmark results webview's entry (bundled to dist/webview/bench.js, its stylesheet with
 * uPlot's to dist/webview/bench.css). Everything it shows comes from the host: strings in `init`,
 * results in `show` (src/core/benchmark/panelProtocol.ts).
 */
import 'uplot/dist/uPlot.min.css';
import { Palette } from '../panel/colors';
import { BenchApp } from './app';
import { BenchHost } from './host';

const host = new BenchHost();
const app = new BenchApp(host, new Palette(document.body));
host.onMessage((message) => app.handle(message));
host.post({ type: 'ready' });

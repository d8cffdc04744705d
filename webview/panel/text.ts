/** Formatting of times and the host's string templates. */
import type { PanelStringKey, PanelStrings } from '../../src/core/panel/protocol';

/** `{0}`, `{1}` ... replaced by the arguments. */
export function fill(template: string, ...args: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (whole, i: string) => (Number(i) < args.length ? String(args[Number(i)]) : whole));
}

/** A duration or time offset in the unit that suits it: 850 ns, 12.5 µs, 3.25 ms, 1.200 s. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return '—';
  const abs = Math.abs(ns);
  if (abs < 1e3) return `${Math.round(ns)} ns`;
  if (abs < 1e6) return `${trim(ns / 1e3)} µs`;
  if (abs < 1e9) return `${trim(ns / 1e6)} ms`;
  return `${(ns / 1e9).toFixed(3)} s`;
}

/** An axis tick: formatNs without trailing zeros ("1 s", "2.5 s", "500 ms"), and "0" for zero. */
export function formatTick(ns: number): string {
  if (ns === 0) return '0';
  return formatNs(ns)
    .replace(/(\.\d*?)0+(?= )/, '$1')
    .replace(/\.(?= )/, '');
}

/** The finest difference formatTick shows at `ns` (it keeps two or three digits of a unit). */
function tickResolution(ns: number): number {
  const abs = Math.abs(ns);
  if (abs < 1e3) return 1;
  if (abs >= 1e9) return 1e6;
  const unit = abs < 1e6 ? 1e3 : 1e6;
  const value = abs / unit;
  return unit * (value < 10 ? 0.01 : value < 100 ? 0.1 : 1);
}

/** True when ticks `step` apart near `ns` would all read the same in formatTick. */
export function tickNeedsPrecision(ns: number, step: number): boolean {
  return tickResolution(ns) > step;
}

/** An absolute time with the decimals a tick `step` needs: "3.000215 s", "12.045 ms". */
export function formatPreciseTick(ns: number, step: number): string {
  const unit = Math.abs(ns) >= 1e9 ? 1e9 : 1e6;
  const decimals = Math.max(0, Math.min(9, Math.ceil(-Math.log10(step / unit) - 1e-9)));
  return `${(ns / unit).toFixed(decimals)} ${unit === 1e9 ? 's' : 'ms'}`;
}

function trim(x: number): string {
  const abs = Math.abs(x);
  return x.toFixed(abs < 10 ? 2 : abs < 100 ? 1 : 0);
}

/** A tick step for an axis: 1, 2 or 5 times a power of ten, at least `minNs`. */
export function niceStep(minNs: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(minNs, 1)));
  for (const m of [1, 2, 5, 10]) if (m * power >= minNs) return m * power;
  return 10 * power;
}

/** The strings the host sent; every lookup goes through here so a missing key shows as itself. */
export class Strings {
  constructor(private table: PanelStrings | undefined) {}

  set(table: PanelStrings): void {
    this.table = table;
  }

  get(key: PanelStringKey, ...args: (string | number)[]): string {
    const template = this.table?.[key] ?? key;
    return args.length > 0 ? fill(template, ...args) : template;
  }
}

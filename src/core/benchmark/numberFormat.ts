/**
 * Short numbers for titles, axes and tables: `41k`, `4.1k`, `3.1 ms`, `+12%`. Digits and
 * separators follow the caller's locale (the host passes VS Code's display language); the unit
 * suffixes stay the same in every language. Pure, shared by the host and the results webview.
 */

const formatters = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string, fractionDigits: number): Intl.NumberFormat {
  const key = `${locale}|${fractionDigits}`;
  let f = formatters.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(locale, { maximumFractionDigits: fractionDigits });
    } catch {
      f = new Intl.NumberFormat('en', { maximumFractionDigits: fractionDigits });
    }
    formatters.set(key, f);
  }
  return f;
}

/** A whole number with the locale's grouping: 10,000. */
export function formatCount(n: number, locale = 'en'): string {
  return Number.isFinite(n) ? numberFormat(locale, 0).format(Math.round(n)) : '—';
}

/**
 * `value` in the first unit that keeps it under 1,000 once rounded: one decimal under 10, whole
 * numbers above (two significant digits at least, three at most).
 */
function scaled(value: number, units: readonly (readonly [number, string])[], locale: string): string {
  if (!Number.isFinite(value)) return '—';
  for (const [i, [divisor, suffix]] of units.entries()) {
    const v = value / divisor;
    const digits = i === 0 || Math.abs(v) >= 10 ? 0 : 1;
    const rounded = Math.round(v * 10 ** digits) / 10 ** digits;
    if (Math.abs(rounded) < 1000 || i === units.length - 1) return `${numberFormat(locale, digits).format(rounded)}${suffix}`;
  }
  return '—';
}

const COUNT_UNITS = [[1, ''], [1e3, 'k'], [1e6, 'M'], [1e9, 'G']] as const;
const MICROS_UNITS = [[1, ' µs'], [1e3, ' ms'], [1e6, ' s']] as const;

/** 950, 4.1k, 41k, 1.2M. */
export function formatCompactCount(n: number, locale = 'en'): string {
  return scaled(n, COUNT_UNITS, locale);
}

/** A latency given in µs: 66 µs, 3.1 ms, 450 ms, 1.2 s. */
export function formatLatencyUs(us: number, locale = 'en'): string {
  return scaled(us, MICROS_UNITS, locale);
}

/** A change: signed (+12%, −8.5%, 0%), or its size alone (12%) where words say the direction. */
export function formatChangePct(pct: number, locale = 'en', signed = true): string {
  if (!Number.isFinite(pct)) return '—';
  const digits = Math.abs(pct) < 10 ? 1 : 0;
  const text = numberFormat(locale, digits).format(Math.abs(pct));
  return `${signed && pct > 0 ? '+' : signed && pct < 0 ? '\u2212' : ''}${text}%`;
}

/**
 * Latency histograms at microsecond resolution (HdrHistogram, 3 significant digits: every value
 * is kept within 0.1 %), and the percentile summary the reports print.
 */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

/** An hour, in µs: anything slower is clamped (and is a timeout long before that). */
export const HIGHEST_LATENCY_US = 3_600_000_000;

export function createLatencyHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_LATENCY_US, numberOfSignificantValueDigits: 3, autoResize: false });
}

/** Records a duration given in milliseconds (performance.now() differences) as whole µs. */
export function recordMs(histogram: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  histogram.recordValue(us < 1 ? 1 : us > HIGHEST_LATENCY_US ? HIGHEST_LATENCY_US : us);
}

export interface LatencySummaryUs {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** All zeros when nothing was recorded, so a row always has the same shape. */
export function summarizeUs(histogram: Histogram): LatencySummaryUs {
  if (histogram.totalCount === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    p50: histogram.getValueAtPercentile(50),
    p90: histogram.getValueAtPercentile(90),
    p99: histogram.getValueAtPercentile(99),
    p999: histogram.getValueAtPercentile(99.9),
    max: histogram.maxValue,
  };
}

/** For moving a histogram between worker threads. */
export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

export function mergeEncoded(into: Histogram, encoded: string): void {
  const other = decodeFromCompressedBase64(encoded);
  into.add(other);
  other.destroy();
}

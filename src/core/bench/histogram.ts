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

/** A duration given in milliseconds (performance.now() differences) as whole µs, clamped to the histogram's range. */
function toMicros(ms: number): number {
  const us = Math.round(ms * 1000);
  return us < 1 ? 1 : us > HIGHEST_LATENCY_US ? HIGHEST_LATENCY_US : us;
}

/** Records a duration given in milliseconds (performance.now() differences) as whole µs. */
export function recordMs(histogram: Histogram, ms: number): void {
  histogram.recordValue(toMicros(ms));
}

/*
 * The buckets of createLatencyHistogram(), as HdrHistogram lays them out for 3 significant digits
 * from 1 µs: 2,048 sub-buckets of width 1 below 2,048 µs, then for every power of two up to
 * HIGHEST_LATENCY_US (< 2^32) 1,024 sub-buckets twice as wide as the power before's.
 */
const SUB_BUCKET_BITS = 11;
const HALF_SUB_BUCKET_BITS = SUB_BUCKET_BITS - 1;
const SUB_BUCKET_MASK = (1 << SUB_BUCKET_BITS) - 1;
const BUCKET_SLOTS = ((32 - SUB_BUCKET_BITS) << HALF_SUB_BUCKET_BITS) + (1 << SUB_BUCKET_BITS);

/**
 * The counts slot of a value in µs: its bucket is its highest bit above the sub-bucket range, its
 * place in the bucket the value shifted down to that bucket's resolution (HdrHistogram's
 * countsArrayIndex, for values below 2^32).
 */
function slotOf(us: number): number {
  const bucket = 32 - Math.clz32(us | SUB_BUCKET_MASK) - SUB_BUCKET_BITS;
  return (bucket << HALF_SUB_BUCKET_BITS) + (us >>> bucket);
}

/**
 * Latencies counted in exactly the buckets of createLatencyHistogram(), with integer arithmetic
 * only; `toHistogram` hands them over. The load generator's hot path records here because
 * hdr-histogram-js finds a value's bucket with Math.log2 and Math.pow, about 1 % of the client's
 * time at 100,000 messages per second. Summaries of the two are identical (unit-tested).
 */
export class LatencyCounts {
  private readonly counts = new Float64Array(BUCKET_SLOTS);
  count = 0;
  /** The extremes exactly (a bucket only knows them to 0.1 %), as the histogram reports them. */
  private min = Infinity;
  private max = 0;

  recordMs(ms: number): void {
    const us = toMicros(ms);
    if (us > this.max) this.max = us;
    if (us < this.min) this.min = us;
    this.counts[slotOf(us)]++;
    this.count++;
  }

  /**
   * A histogram of every recorded value: each as the lowest value of its bucket (HdrHistogram
   * treats a bucket's values as equal), but the smallest and the largest as they were.
   */
  toHistogram(): Histogram {
    const histogram = createLatencyHistogram();
    if (this.count === 0) return histogram;
    const counts = this.counts.slice();
    for (const exact of this.min === this.max ? [this.min] : [this.min, this.max]) {
      counts[slotOf(exact)]--;
      histogram.recordValue(exact);
    }
    for (let slot = 0; slot < counts.length; slot++) {
      if (counts[slot] === 0) continue;
      const bucket = slot < 1 << SUB_BUCKET_BITS ? 0 : (slot >> HALF_SUB_BUCKET_BITS) - 1;
      const subBucket = slot - (bucket << HALF_SUB_BUCKET_BITS);
      histogram.recordValueWithCount(subBucket * 2 ** bucket, counts[slot]);
    }
    return histogram;
  }
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

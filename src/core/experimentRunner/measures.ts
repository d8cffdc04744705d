/**
 * From what a run recorded (client groups, server samples, the stage's log) to each declared
 * measure's outcome, in the metric's unit (experiments.ts METRIC_UNITS). A measure that cannot be
 * had says why in both languages, which the figure then shows in place of a number.
 */
import { createLatencyHistogram, summarizeUs } from '../bench/histogram';
import { type ExperimentRun, type Measure, type Metric } from '../experiments';
import { type Localized } from '../notes/language';
import { type GroupOutcome } from './clients/groupOutcome';
import { describeFdTable } from './server/fdTable';
import { type Sampled, type ServerSamples } from './server/serverSampler';
import { emptyPolls, greenThreadsPeak, timerLateMax } from './stageLog';
import { type MeasureOutcome } from './types';

export interface RunMeasurements {
  readonly run: ExperimentRun;
  readonly groups: readonly GroupOutcome[];
  readonly samples: ServerSamples;
  readonly lines: readonly string[];
}

const PLATFORM_NAMES: Readonly<Partial<Record<NodeJS.Platform, string>>> = { darwin: 'macOS', freebsd: 'FreeBSD', openbsd: 'OpenBSD', win32: 'Windows' };

function notOnThisPlatform(): Localized {
  const name = PLATFORM_NAMES[process.platform] ?? process.platform;
  return { en: `not measurable on ${name}`, ko: `${name}에서는 측정 불가` };
}

const NO_REPLY: Localized = { en: 'no reply', ko: '응답 없음' };
const NOT_REPORTED: Localized = { en: 'not reported by the stage', ko: '스테이지가 보고하지 않음' };
const NO_ACK: Localized = { en: 'no "*" received', ko: '"*"를 받지 못함' };

/** Which server sample each server metric needs. */
export const SAMPLE_OF: Readonly<Partial<Record<Metric, Sampled>>> = {
  'server-cpu': 'cpu',
  'server-cpu-per-reply': 'cpu',
  'server-switches-per-reply': 'switches',
  'server-threads-peak': 'threads',
  'server-rss-peak': 'memory',
  'server-vsz-peak': 'memory',
  'server-fd-table': 'fdTable',
};

const value = (v: number): MeasureOutcome => ({ kind: 'value', value: v });
const unavailable = (why: Localized): MeasureOutcome => ({ kind: 'unavailable', why });
const orElse = (v: number | undefined, why: Localized): MeasureOutcome => (v === undefined || !Number.isFinite(v) ? unavailable(why) : value(v));

function latencyMs(groups: readonly GroupOutcome[], pick: 'p50' | 'max'): number | undefined {
  const merged = createLatencyHistogram();
  try {
    for (const g of groups) merged.add(g.latency);
    return merged.totalCount === 0 ? undefined : summarizeUs(merged)[pick] / 1000;
  } finally {
    merged.destroy();
  }
}

function maxOf(values: readonly (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length ? Math.max(...known) : undefined;
}

function clientMetric(metric: Metric, groups: readonly GroupOutcome[]): MeasureOutcome {
  const records = groups.flatMap((g) => g.connections);
  const replies = groups.reduce((n, g) => n + g.replies, 0);
  switch (metric) {
    case 'elapsed': {
      const start = Math.min(...records.map((r) => r.startMs));
      const end = maxOf(records.map((r) => r.endMs));
      return orElse(end === undefined ? undefined : (end - start) / 1000, NO_REPLY);
    }
    case 'ack-wait-max':
      return orElse(maxOf(records.map((r) => (r.ackMs !== undefined && r.connectedMs !== undefined ? (r.ackMs - r.connectedMs) / 1000 : undefined))), NO_ACK);
    case 'reply-latency-p50':
      return orElse(latencyMs(groups, 'p50'), NO_REPLY);
    case 'reply-latency-max':
      return orElse(latencyMs(groups, 'max'), NO_REPLY);
    case 'replies':
      return value(replies);
    case 'work-duration':
      return orElse(maxOf(records.map((r) => (r.workMs === undefined ? undefined : r.workMs / 1000))), NO_REPLY);
    case 'clients-served':
      return value(records.filter((r) => r.completed).length);
    case 'clients-refused':
      return value(records.filter((r) => r.refused).length);
    default:
      throw new Error(`${metric} is not a client metric`);
  }
}

function serverMetric(metric: Metric, samples: ServerSamples, replies: number): MeasureOutcome {
  const sample = SAMPLE_OF[metric];
  if (sample && samples.unavailable.has(sample)) return unavailable(notOnThisPlatform());
  const kbToMiB = (kb: number | undefined) => (kb === undefined ? undefined : kb / 1024);
  switch (metric) {
    case 'server-cpu':
      return orElse(samples.cpuSeconds, notOnThisPlatform());
    case 'server-cpu-per-reply':
      return replies === 0 ? unavailable(NO_REPLY) : orElse(samples.cpuSeconds === undefined ? undefined : (samples.cpuSeconds * 1e6) / replies, notOnThisPlatform());
    case 'server-switches-per-reply':
      return replies === 0 ? unavailable(NO_REPLY) : orElse(samples.switches === undefined ? undefined : samples.switches / replies, notOnThisPlatform());
    case 'server-threads-peak':
      return orElse(samples.threadsPeak, notOnThisPlatform());
    case 'server-rss-peak':
      return orElse(kbToMiB(samples.rssPeakKb), notOnThisPlatform());
    case 'server-vsz-peak':
      return orElse(kbToMiB(samples.vszPeakKb), notOnThisPlatform());
    case 'server-fd-table':
      return samples.fdTable ? { kind: 'text', text: describeFdTable(samples.fdTable) } : unavailable(notOnThisPlatform());
    default:
      throw new Error(`${metric} is not a server metric`);
  }
}

export function measureOutcome(measure: Measure, m: RunMeasurements): MeasureOutcome {
  const groups = measure.group === undefined ? m.groups : m.groups.filter((g) => g.label === measure.group);
  if (groups.length === 0) throw new Error(`run "${m.run.label}" has no client group "${String(measure.group)}"`);
  switch (measure.metric) {
    case 'empty-polls':
      return orElse(emptyPolls(m.lines), NOT_REPORTED);
    case 'timer-late-max':
      return orElse(timerLateMax(m.lines), NOT_REPORTED);
    case 'green-threads-peak':
      return orElse(greenThreadsPeak(m.lines), NOT_REPORTED);
    default:
      return measure.metric.startsWith('server-')
        ? serverMetric(measure.metric, m.samples, groups.reduce((n, g) => n + g.replies, 0))
        : clientMetric(measure.metric, groups);
  }
}

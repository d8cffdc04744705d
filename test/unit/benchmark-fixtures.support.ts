/** Benchmark rows and runs for the tests of src/core/benchmark and the results panel. */
import { noErrors, type BenchRow, type ErrorCounts } from '../../src/core/bench/result';
import type { BenchRun, MachineEnvironment } from '../../src/core/benchmark/storedRun';

export interface RowFigures {
  readonly throughput: number;
  readonly p50?: number;
  readonly p99: number;
  readonly p999?: number;
  readonly errors?: Partial<ErrorCounts>;
}

export function benchRow(stage: string, connections: number, f: RowFigures): BenchRow {
  const p50 = f.p50 ?? Math.round(f.p99 / 4);
  const p999 = f.p999 ?? f.p99 * 2;
  return {
    stage,
    connections,
    duration_s: 2,
    mode: 'open',
    rate: 10_000,
    payload_bytes: 16,
    work_every: null,
    sent: f.throughput * 2,
    received: f.throughput * 2,
    throughput_msgs_per_s: f.throughput,
    latency_us: { p50, p90: Math.round((p50 + f.p99) / 2), p99: f.p99, p999, max: p999 * 2 },
    connect_us: { p50: 50, p99: 90, max: 120 },
    errors: { ...noErrors(), ...f.errors },
    verified_bytes: f.throughput * 28,
    expected_bytes: f.throughput * 28,
    client_cpu_s: 0.5,
    first_error: null,
  };
}

export const TEST_ENVIRONMENT: MachineEnvironment = {
  cpuCount: 2,
  availableCpus: 2,
  cpuModel: 'Test CPU @ 3.0GHz',
  platform: 'linux',
  arch: 'x64',
  kernel: '6.1.0-test',
  osVersion: '#1 SMP Debian',
  totalMemoryBytes: 4 * 1024 ** 3,
  loadAverage1m: 0.25,
  node: 'v20.0.0',
};

export function benchRun(stage: string, date: string, rows: readonly BenchRow[], overrides: Partial<BenchRun> = {}): BenchRun {
  return {
    stage,
    date,
    tool: { name: 'server-models', version: '0.1.0' },
    environment: TEST_ENVIRONMENT,
    build: { compiler: 'cc (Debian 12.2.0-14) 12.2.0', flags: '-O2 -D_FORTIFY_SOURCE=2', command: 'make -C servers' },
    settings: { mode: 'open', rate: 10_000, durationS: 2, payloadBytes: 16, workEvery: null, requestedConnections: rows.map((r) => r.connections) },
    rows,
    skipped: [],
    complete: true,
    ...overrides,
  };
}

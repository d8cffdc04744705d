/**
 * The machine a benchmark ran on, captured when the run starts and kept with its result: two
 * runs compare fairly only on the same CPUs, kernel and load (see compare.ts).
 */
import os from 'node:os';
import type { MachineEnvironment } from './storedRun';

export function captureEnvironment(): MachineEnvironment {
  const cpus = os.cpus();
  return {
    cpuCount: cpus.length,
    availableCpus: os.availableParallelism(),
    // Some virtual machines and platforms report no CPUs or an empty model.
    cpuModel: cpus[0]?.model.trim() || 'unknown',
    platform: os.platform(),
    arch: os.arch(),
    kernel: os.release(),
    osVersion: os.version(),
    totalMemoryBytes: os.totalmem(),
    loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
    node: process.version,
  };
}

/**
 * Every client connection is a file descriptor of this process, so a point with C connections
 * needs C descriptors plus what Node itself holds. Node cannot change its own RLIMIT_NOFILE; the
 * command line re-runs itself under a raised soft limit when the hard limit allows (see
 * cli/fdRelaunch.ts), and everything else gets a message that says what to do.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface FdLimits {
  readonly soft: number;
  readonly hard: number;
}

/** Descriptors Node, its thread pool and stdio hold besides the connections, with room to spare. */
export const FD_HEADROOM = 64;

export function fdsNeeded(connections: number): number {
  return connections + FD_HEADROOM;
}

function parseLimit(text: string): number {
  return text.trim() === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text.trim());
}

/** This process's open-file limits, or undefined where they cannot be read. */
export function readFdLimits(): FdLimits | undefined {
  try {
    if (process.platform === 'linux') {
      const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
      const m = line && /^Max open files\s+(\S+)\s+(\S+)/.exec(line);
      if (m) return { soft: parseLimit(m[1]), hard: parseLimit(m[2]) };
    }
    // A child shell inherits our limits and can print them.
    const out = execFileSync('/bin/sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8', timeout: 2000 }).trim().split(/\s+/);
    if (out.length === 2) return { soft: parseLimit(out[0]), hard: parseLimit(out[1]) };
  } catch {
    // Unknown limits: the connects will tell (EMFILE is counted as fd_limit).
  }
  return undefined;
}

export type FdVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly raisable: boolean; readonly needed: number; readonly message: string };

/** Whether `connections` fit under `limits`; if not, a message saying why and what to do. */
export function checkFdLimit(connections: number, limits: FdLimits | undefined): FdVerdict {
  const needed = fdsNeeded(connections);
  if (!limits || needed <= limits.soft) return { ok: true };
  if (needed <= limits.hard) {
    return {
      ok: false,
      raisable: true,
      needed,
      message:
        `${connections} connections need about ${needed} open files, but this process may open ${limits.soft} ` +
        `(soft limit; the hard limit is ${limits.hard}). Raise it with \`ulimit -n ${needed}\` before starting, or use fewer connections.`,
    };
  }
  return {
    ok: false,
    raisable: false,
    needed,
    message:
      `${connections} connections need about ${needed} open files, but this system allows this process at most ${limits.hard} ` +
      `(hard limit, which only an administrator can raise). Use at most ${Math.max(0, limits.hard - FD_HEADROOM)} connections from one process.`,
  };
}

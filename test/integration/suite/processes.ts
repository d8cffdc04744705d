/** What the tests check about processes: a pid still alive, and stage binaries this extension host started. */
import { execFileSync } from 'node:child_process';
import { STAGES } from '../../../src/core/stages';

/** Whether `pid` names a live process (signal 0 checks without sending anything). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const STAGE_IDS: ReadonlySet<string> = new Set(STAGES.map((s) => s.id));

/**
 * Stage binaries (`…/build/<stage-id>`, or `…/build/sanitize/<stage-id>`) running as children of
 * this extension host, which is where the extension spawns them. `ps` reads the same table on
 * Linux and macOS.
 */
export function stageChildren(): { pid: number; args: string }[] {
  const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' });
  const found: { pid: number; args: string }[] = [];
  for (const line of table.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (!m || Number(m[2]) !== process.pid) continue;
    const binary = /\/build\/(?:sanitize\/)?([\w-]+)(?:\s|$)/.exec(m[3]);
    if (binary && STAGE_IDS.has(binary[1])) found.push({ pid: Number(m[1]), args: m[3] });
  }
  return found;
}

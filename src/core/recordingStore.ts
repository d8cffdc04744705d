/**
 * Where the recordings of runs are kept (a folder in the workspace's storage) and how many:
 * each run gets a new file named after its start time and stage; the oldest go past the limit.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

export const RECORDING_EXTENSION = '.smrec';

export interface StoredRecording {
  readonly path: string;
  readonly stageId: string;
  readonly started: Date;
  readonly bytes: number;
}

const NAME = /^(\d{8}T\d{6}(?:\d{3})?Z)-(.+)\.smrec$/;

/** The stage and start time a recording's file name (from pathFor) carries, if it is one of ours. */
export function parseRecordingName(fileName: string): { stageId: string; started: Date } | undefined {
  const m = NAME.exec(path.basename(fileName));
  if (!m) return undefined;
  const stamp = m[1];
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}.${stamp.slice(15, 18) || '000'}Z`;
  return { stageId: m[2], started: new Date(iso) };
}

export class RecordingStore {
  constructor(readonly folder: string) {}

  /** A path for a new recording of `stageId` started at `when`. */
  pathFor(stageId: string, when = new Date()): string {
    mkdirSync(this.folder, { recursive: true });
    const stamp = when.toISOString().replace(/[-:]/g, '').replace('.', '');
    return path.join(this.folder, `${stamp}-${stageId}${RECORDING_EXTENSION}`);
  }

  /** Recordings, newest first. Files that do not look like ours are ignored. */
  list(): StoredRecording[] {
    let names: string[];
    try {
      names = readdirSync(this.folder);
    } catch {
      return [];
    }
    const found: StoredRecording[] = [];
    for (const name of names) {
      const named = parseRecordingName(name);
      if (named) found.push({ path: path.join(this.folder, name), ...named, bytes: statSync(path.join(this.folder, name)).size });
    }
    return found.sort((a, b) => b.started.getTime() - a.started.getTime() || b.path.localeCompare(a.path));
  }

  /** Deletes all but the newest `keep` recordings; returns the deleted paths. */
  prune(keep: number): string[] {
    const doomed = this.list().slice(Math.max(0, keep));
    for (const r of doomed) rmSync(r.path, { force: true });
    return doomed.map((r) => r.path);
  }
}

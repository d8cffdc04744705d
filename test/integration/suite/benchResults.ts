/** The benchmark result files of the test workspace, for asserting what a run stored. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { benchFolder as storeFolder } from '../../../src/core/benchmark/resultStore';

/** What the tests read of a stored result (src/core/benchmark/storedRun.ts has it all). */
export interface ResultFile {
  stage: string;
  complete: boolean;
  rows: { connections: number; errors: Record<string, number> }[];
  environment: { cpuCount: number };
}

/** Where the extension stores this workspace's results (the store's own rule). */
export function benchFolder(): string {
  return storeFolder(vscode.workspace.workspaceFolders![0].uri.fsPath);
}

/** The names of the result files there now. */
export function resultFiles(): string[] {
  const folder = benchFolder();
  return existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.json')) : [];
}

/** The result files written since `before` was taken, read. */
export function newResults(before: readonly string[]): ResultFile[] {
  return resultFiles()
    .filter((f) => !before.includes(f))
    .map((f) => JSON.parse(readFileSync(path.join(benchFolder(), f), 'utf8')) as ResultFile);
}

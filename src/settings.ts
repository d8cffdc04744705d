/** Typed access to the `serverModels.*` settings declared in package.json. */
import * as vscode from 'vscode';
import { type ProbeOptions } from './core/toolchain';

export interface Settings {
  readonly host: string;
  readonly port: number;
  readonly clients: number;
  readonly pollIntervalMs: number;
  readonly traceEnabled: boolean;
  readonly compiler: string;
  /** The user set `serverModels.compiler` (any scope): that compiler is used and no other. */
  readonly compilerChosen: boolean;
  readonly recordingsToKeep: number;
  readonly benchmarkConnections: readonly number[];
  readonly notesLanguage: 'auto' | 'en' | 'ko';
}

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration('serverModels', scope);
  return {
    host: c.get<string>('host', '127.0.0.1'),
    port: c.get<number>('port', 8080),
    clients: c.get<number>('clients', 5),
    pollIntervalMs: c.get<number>('pollIntervalMs', 200),
    traceEnabled: c.get<boolean>('trace.enabled', true),
    compiler: c.get<string>('compiler', 'cc'),
    compilerChosen: isSet(c.inspect<string>('compiler')),
    recordingsToKeep: c.get<number>('recordings.keep', 20),
    benchmarkConnections: c.get<number[]>('benchmark.connections', [1, 10, 100, 1000, 10000]),
    notesLanguage: c.get<'auto' | 'en' | 'ko'>('notes.language', 'auto'),
  };
}

/** Whether a setting has a value in some scope, rather than only its default. */
function isSet(inspected: ReturnType<vscode.WorkspaceConfiguration['inspect']>): boolean {
  if (!inspected) return false;
  const { globalValue, workspaceValue, workspaceFolderValue, globalLanguageValue, workspaceLanguageValue, workspaceFolderLanguageValue } = inspected;
  return [globalValue, workspaceValue, workspaceFolderValue, globalLanguageValue, workspaceLanguageValue, workspaceFolderLanguageValue].some((v) => v !== undefined);
}

/**
 * How the toolchain probe treats the compiler setting: a compiler the user set is the only one
 * tried, so a missing one is reported (with the install command) instead of quietly replaced
 * by `$CC`, `cc`, `gcc` or `clang`; the default `cc` falls back to those.
 */
export function toolchainProbeOptions(settings: Settings): ProbeOptions {
  return { compiler: settings.compiler, onlyCompiler: settings.compilerChosen };
}

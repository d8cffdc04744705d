/** Typed access to the `serverModels.*` settings declared in package.json. */
import * as vscode from 'vscode';
import { type ProbeOptions } from './core/toolchain';

export interface Settings {
  readonly host: string;
  readonly port: number;
  /** What the client terminal runs: the stage's lesson scenario, or the notes' plain client with `clients` connections. */
  readonly client: ClientChoice;
  readonly clients: number;
  readonly pollIntervalMs: number;
  readonly traceEnabled: boolean;
  /**
   * The compiler the user set in `serverModels.compiler` (any scope), used and no other; undefined
   * when unset (the manifest's default `cc` is not a choice): then the probe's own order applies.
   */
  readonly compiler: string | undefined;
  readonly recordingsToKeep: number;
  readonly benchmarkConnections: readonly number[];
  readonly notesLanguage: 'auto' | 'en' | 'ko';
}

/** `serverModels.client`: `lesson` (src/core/client/lessonScenarios.ts) or `notes` (the notes' client). */
export type ClientChoice = 'lesson' | 'notes';

/** The address a stage binds unless `serverModels.host` says otherwise (the manifest's default). */
export const DEFAULT_HOST = '127.0.0.1';

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration('serverModels', scope);
  return {
    host: c.get<string>('host', DEFAULT_HOST),
    port: c.get<number>('port', 8080),
    client: c.get<ClientChoice>('client', 'lesson') === 'notes' ? 'notes' : 'lesson',
    clients: c.get<number>('clients', 5),
    pollIntervalMs: c.get<number>('pollIntervalMs', 200),
    traceEnabled: c.get<boolean>('trace.enabled', true),
    compiler: chosenCompiler(c),
    recordingsToKeep: c.get<number>('recordings.keep', 20),
    benchmarkConnections: c.get<number[]>('benchmark.connections', [1, 10, 100, 1000, 10000]),
    notesLanguage: c.get<'auto' | 'en' | 'ko'>('notes.language', 'auto'),
  };
}

/** The compiler setting's value when it is set in some scope (and not blank), rather than only its default. */
function chosenCompiler(c: vscode.WorkspaceConfiguration): string | undefined {
  if (!isSet(c.inspect<string>('compiler'))) return undefined;
  return c.get<string>('compiler')?.trim() || undefined;
}

/** Whether a setting has a value in some scope, rather than only its default. */
function isSet(inspected: ReturnType<vscode.WorkspaceConfiguration['inspect']>): boolean {
  if (!inspected) return false;
  const { globalValue, workspaceValue, workspaceFolderValue, globalLanguageValue, workspaceLanguageValue, workspaceFolderLanguageValue } = inspected;
  return [globalValue, workspaceValue, workspaceFolderValue, globalLanguageValue, workspaceLanguageValue, workspaceFolderLanguageValue].some((v) => v !== undefined);
}

/**
 * The one way the extension asks the toolchain probe for a compiler (Run Stage, the benchmark,
 * experiments): a compiler the user set is the only one tried, so a missing one is reported (with
 * the install command) instead of quietly replaced; unset, the probe's order applies (`$CC`, then
 * cc, gcc, clang: `compilerCandidates` in src/core/toolchain.ts).
 */
export function toolchainProbeOptions(settings: Pick<Settings, 'compiler'>): ProbeOptions {
  return settings.compiler ? { compiler: settings.compiler, onlyCompiler: true } : {};
}

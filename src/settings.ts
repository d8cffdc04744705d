/** Typed access to the `serverModels.*` settings declared in package.json. */
import * as vscode from 'vscode';

export interface Settings {
  readonly host: string;
  readonly port: number;
  readonly clients: number;
  readonly pollIntervalMs: number;
  readonly traceEnabled: boolean;
  readonly compiler: string;
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
    recordingsToKeep: c.get<number>('recordings.keep', 20),
    benchmarkConnections: c.get<number[]>('benchmark.connections', [1, 10, 100, 1000, 10000]),
    notesLanguage: c.get<'auto' | 'en' | 'ko'>('notes.language', 'auto'),
  };
}

/**
 * The "Benchmark this server" CodeLens above `main` in every stage source, the shipped stages and
 * the user's playground copies alike (found by what the file is, src/core/benchmark/stageSource.ts),
 * with the last result inline once there is one.
 */
import * as vscode from 'vscode';
import { mainDefinition, stageOfSource, STAGE_SOURCE_GLOB } from '../core/benchmark/stageSource';
import { COMMANDS } from '../commands';
import { type BenchmarkController } from './benchmarkController';

export const BENCHMARK_SELECTOR: vscode.DocumentSelector = { scheme: 'file', language: 'c', pattern: STAGE_SOURCE_GLOB };

export class BenchmarkCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly benchmarks: BenchmarkController) {
    this.subscription = benchmarks.onDidStoreResult(() => this.changed.fire());
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const source = await stageOfSource(document.uri.fsPath);
    const main = source && mainDefinition(document.getText());
    if (!source || !main) return [];
    const summary = this.benchmarks.summaryOf(await this.benchmarks.latestRun(source.stage.id));
    const title = summary ? vscode.l10n.t('Benchmark this server · {0}', summary) : vscode.l10n.t('Benchmark this server');
    const range = new vscode.Range(main.line, 0, main.line, 0);
    return [
      new vscode.CodeLens(range, {
        title,
        command: COMMANDS.benchmarkStage,
        arguments: [source.stage.id, { serversDir: source.serversDir }],
        tooltip: vscode.l10n.t('Sweep connection counts against {0} and chart throughput and latency', source.stage.id),
      }),
    ];
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

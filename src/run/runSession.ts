/**
 * One run of a stage, from start to stop: the server in a terminal named after the stage, the
 * client (the stage's lesson scenario, or the notes' plain client) in a second terminal, the trace sink that records both on one time axis, and the
 * panel that shows it live. The session owns every process and listener it starts; stopping it
 * (the command, the panel's button, closing a terminal, or the extension going away) ends them
 * all and leaves the recording behind.
 */
import * as vscode from 'vscode';
import { type StageInfo } from '../core/stages';
import { StageProcess, StageStartError } from '../core/stageProcess';
import { formatByteSize, TraceSink, type SinkLoss, type SinkSummary } from '../core/trace/sink';
import { TRACE_ENV } from '../core/trace/format';
import { runNotesClient, type NotesClientResult } from '../core/client/notesClient';
import { lessonScenario, runLessonScenario, type LessonScenario } from '../core/client/lessonScenarios';
import type { ClientEvent } from '../core/client/clientEvent';
import type { ClientChoice } from '../settings';
import { ClientTraceWriter } from '../core/client/clientTrace';
import { LineTerminal, type LineTerminalOwner } from './lineTerminal';
import type { StageTerminal, StageTerminals } from './stageTerminals';
import { classifyStageExit, exitNote, type StageEnding } from './stageExit';

export interface RunSessionOptions {
  readonly stage: StageInfo;
  readonly binary: string;
  readonly host: string;
  readonly port: number;
  /** The lesson scenario of the stage (default), or the notes' plain client with `clients` connections. */
  readonly client?: ClientChoice;
  readonly clients: number;
  /** The stage's flags from the settings; a lesson scenario's own flags go before them, so the settings win. */
  readonly extraArgs: readonly string[];
  /** Where the recording goes; undefined: tracing is off. */
  readonly recordingPath?: string;
  /** Terminal name, e.g. "01 · Sequential". */
  readonly title: string;
  /** Where the terminals come from: kept from the stage's last run; absent, new ones every run. */
  readonly terminals?: StageTerminals;
  /** New recording bytes for the live view. */
  readonly onRecordingBytes?: (bytes: Uint8Array) => void;
  readonly onTraceProblem?: (message: string) => void;
}

export type RunEndReason = 'stopped' | 'server-exited' | 'terminal-closed' | 'failed-to-start';

export class RunSession implements vscode.Disposable {
  private server: StageProcess | undefined;
  private sink: TraceSink | undefined;
  private readonly clientAbort = new AbortController();
  private serverPty: LineTerminal | undefined;
  private clientPty: LineTerminal | undefined;
  private stopping: Promise<SinkSummary | undefined> | undefined;
  private readonly endedEmitter = new vscode.EventEmitter<RunEndReason>();
  /** Fires once when the session is over, whatever ended it. */
  readonly onDidEnd = this.endedEmitter.event;
  private clientDone: Promise<void> = Promise.resolve();
  /** Set once the extension asks the stage to stop (Stop, Ctrl+C, closing a terminal). */
  private stopRequested = false;
  private endingValue: StageEnding | undefined;
  private serverTerminal: vscode.Terminal | undefined;

  /** The scenario the client runs; undefined with the notes' client. */
  readonly scenario: LessonScenario | undefined;
  /** The stage's flags: the scenario's, then the settings'. */
  readonly stageArgs: readonly string[];

  private constructor(readonly options: RunSessionOptions) {
    this.scenario = (options.client ?? 'lesson') === 'lesson' ? lessonScenario(options.stage.id) : undefined;
    this.stageArgs = [...(this.scenario?.stageArgs ?? []), ...options.extraArgs];
  }

  get port(): number | undefined {
    return this.server?.port;
  }

  get serverPid(): number | undefined {
    return this.server?.pid;
  }

  get isRunning(): boolean {
    return this.stopping === undefined;
  }

  /** How the stage ended, once it has: asked to, or on its own (a crash, a kill, an exit code). */
  get ending(): StageEnding | undefined {
    return this.endingValue;
  }

  /** Everything the stage printed, one entry per line. */
  get serverOutput(): readonly string[] {
    return this.server?.lines ?? [];
  }

  /** Brings the stage's terminal (its output, kept after it ended) to the front. */
  showServerTerminal(): void {
    this.serverTerminal?.show(false);
  }

  /** Resolves when the client has finished its conversation (or failed). */
  whenClientDone(): Promise<void> {
    return this.clientDone;
  }

  /**
   * Starts the sink, the server (waiting for its `listening on` line) and the client. Rejects
   * with StageStartError when the server does not come up; everything started is stopped again.
   */
  static async start(options: RunSessionOptions): Promise<RunSession> {
    const session = new RunSession(options);
    try {
      await session.startSink();
      await session.startServer();
      session.startClient();
      return session;
    } catch (err) {
      await session.stop('failed-to-start');
      throw err;
    }
  }

  private async startSink(): Promise<void> {
    const { recordingPath } = this.options;
    if (!recordingPath) return;
    // The sink makes its own private socket folder under the temp folder (short paths, 0700).
    let peerRejected = false;
    this.sink = await TraceSink.listen({
      recordingPath,
      onBatch: (batch) => this.options.onRecordingBytes?.(batch.bytes),
      onError: (error) => {
        // Peers that are not our stages are said once here; the summary counts them all.
        if (error.atHeader && peerRejected) return;
        peerRejected ||= error.atHeader;
        this.options.onTraceProblem?.(
          error.kind === 'truncated'
            ? vscode.l10n.t('Trace stream {0} ended in the middle of an event (its process stopped while writing it); the events before it are kept.', String(error.stream))
            : vscode.l10n.t('Trace stream {0} was not a valid trace and was closed: {1}', String(error.stream), error.message),
        );
      },
    });
  }

  private startServer(): Promise<void> {
    const { stage, binary, host, port, title } = this.options;
    const extraArgs = this.stageArgs;
    return new Promise<void>((resolve, reject) => {
      const owner: LineTerminalOwner = {
        start: (terminal) => {
          terminal.writeNote(`$ ${[binary, '--host', host, '--port', String(port), ...extraArgs].join(' ')}`);
          StageProcess.start({
            binary,
            host,
            port,
            extraArgs,
            env: this.sink ? { [TRACE_ENV]: this.sink.socketPath } : {},
            onLine: (line) => terminal.writeLine(line),
          }).then(
            (server) => {
              this.server = server;
              void server.whenExited().then(() => {
                const exit = server.exit ?? { code: server.child.exitCode, signal: server.child.signalCode };
                // Decided before stop() below, which would count as asking.
                this.endingValue = classifyStageExit(exit, this.stopRequested);
                terminal.writeNote(exitNote(stage.id, exit, vscode.l10n));
                terminal.markEnded();
                void this.stop('server-exited');
              });
              resolve();
            },
            (err: unknown) => {
              terminal.writeNote(err instanceof StageStartError ? err.message : String(err));
              terminal.markEnded();
              reject(err instanceof Error ? err : new Error(String(err)));
            },
          );
        },
        // Ctrl+C reaches the real process, as in a shell; the user asked it to stop.
        interrupt: () => {
          this.stopRequested = true;
          this.server?.child.kill('SIGINT');
        },
        closed: () => void this.stop('terminal-closed'),
      };
      // The terminals outlive the run on purpose: their output is read after Stop.
      const { terminal, pty } = this.terminal(title, new vscode.ThemeIcon('server-process'), owner);
      this.serverPty = pty;
      this.serverTerminal = terminal;
      this.serverTerminal.show(true);
    });
  }

  private startClient(): void {
    const server = this.server;
    if (!server) return;
    const { clients, host } = this.options;
    const scenario = this.scenario;
    const traceStream = this.sink?.openStream();
    const trace = traceStream ? new ClientTraceWriter((bytes) => traceStream.write(bytes)) : undefined;
    let finished: () => void = () => undefined;
    this.clientDone = new Promise<void>((resolve) => (finished = resolve));
    const owner: LineTerminalOwner = {
      start: (terminal) => {
        const onEvent = (event: ClientEvent) => {
          if (event.line !== undefined) terminal.writeLine(event.line);
          trace?.event(event);
        };
        let run: Promise<NotesClientResult>;
        if (scenario) {
          terminal.writeNote(vscode.l10n.t('Lesson scenario of {0}: {1}', this.options.stage.id, scenario.summary));
          terminal.writeNote(vscode.l10n.t("(The notes' plain client instead: set serverModels.client to notes.)"));
          run = runLessonScenario(scenario, { host, port: server.port, signal: this.clientAbort.signal, onEvent });
        } else {
          terminal.writeNote(`$ server-models client --host ${host} --port ${server.port} -n ${clients}`);
          run = runNotesClient({ host, port: server.port, connections: clients, signal: this.clientAbort.signal, onEvent });
        }
        run
          .then((result) => {
            terminal.writeLine(result.elapsedLine);
            for (const failure of result.failures) terminal.writeLine(`ERROR: ${failure.message}`);
          })
          .catch((err: unknown) => terminal.writeLine(`ERROR: ${err instanceof Error ? err.message : String(err)}`))
          .finally(() => {
            traceStream?.end();
            terminal.markEnded();
            finished();
          });
      },
      interrupt: () => this.clientAbort.abort(),
      closed: () => this.clientAbort.abort(),
    };
    this.clientPty = this.terminal(vscode.l10n.t('{0} · client', this.options.title), new vscode.ThemeIcon('person'), owner).pty;
  }

  /** A terminal for this run: the stage's last one if kept, else a new one. */
  private terminal(name: string, iconPath: vscode.ThemeIcon, owner: LineTerminalOwner): StageTerminal {
    if (this.options.terminals) return this.options.terminals.acquire(name, iconPath, owner);
    const pty = new LineTerminal(owner);
    return { terminal: vscode.window.createTerminal({ name, pty, iconPath }), pty };
  }

  /** Ends the client, the server and the sink; resolves with the recording's summary. */
  stop(reason: RunEndReason = 'stopped'): Promise<SinkSummary | undefined> {
    if (reason !== 'server-exited') this.stopRequested = true;
    this.stopping ??= (async () => {
      this.clientAbort.abort();
      await this.clientDone;
      await this.server?.stop();
      const summary = await this.sink?.close();
      for (const loss of summary?.losses ?? []) this.options.onTraceProblem?.(traceLossMessage(loss));
      this.serverPty?.markEnded();
      this.clientPty?.markEnded();
      this.endedEmitter.fire(reason);
      return summary;
    })();
    return this.stopping;
  }

  dispose(): void {
    void this.stop();
    this.endedEmitter.dispose();
  }
}

/** What the sink left out of the recording, in the user's language (sink.ts words it in English). */
function traceLossMessage(loss: SinkLoss): string {
  switch (loss.kind) {
    case 'stream-cap':
      return vscode.l10n.t(
        'A trace stream reached the limit of {0} per stream, so {1} later events ({2}) were left out of the recording; they are counted as dropped on their threads.',
        formatByteSize(loss.limitBytes),
        String(loss.events),
        formatByteSize(loss.bytes),
      );
    case 'recording-cap':
      return vscode.l10n.t(
        'The recording reached its limit of {0}, so {1} later events ({2}) were left out; they are counted as dropped on their threads.',
        formatByteSize(loss.limitBytes),
        String(loss.events),
        formatByteSize(loss.bytes),
      );
    case 'write-failed':
      return vscode.l10n.t('The recording file could not be written ({0}), so {1} events ({2}) were lost.', loss.reason, String(loss.events), formatByteSize(loss.bytes));
    case 'too-many-streams':
      return vscode.l10n.t('The trace socket took its limit of {0} streams; further connections to it were closed unread: {1}.', String(loss.limit), String(loss.connections));
    case 'not-a-trace':
      return vscode.l10n.t('Connections to the trace socket that did not begin with a Server Models trace header were closed: {0}.', String(loss.connections));
  }
}

/**
 * One client group of a run: at its start time, `count` connections, each running the group's
 * script. Connects go out at most CONNECT_CONCURRENCY at a time, so a thousand clients "at once"
 * do not overflow the kernel's SYN queue (a dropped SYN costs a one-second retransmit, which would
 * show up as server latency). Every wait ends when the run's signal aborts.
 */
import { performance } from 'node:perf_hooks';
import { type ClientGroup } from '../../experiments';
import { GroupOutcome } from './groupOutcome';
import { runNotes } from './notesScript';
import { ScriptSocket } from './scriptSocket';
import { runEcho, runIdle, runPingPong, runWork } from './socketScripts';
import { SendPacer } from './sendPacer';

const CONNECT_CONCURRENCY = 256;

export interface GroupTarget {
  readonly host: string;
  readonly port: number;
  readonly signal: AbortSignal;
  /** performance.now() of the run's start; the group starts startAtMs after it. */
  readonly runStartMs: number;
  /** Every connection has settled its connect (for progress). */
  readonly onConnected?: (group: string, connected: number) => void;
}

/** Resolves after `ms`, or at once when the signal aborts. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** Lets `limit` holders through at once; the rest wait in order. */
class ConnectGate {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  acquire(): Promise<void> {
    if (this.inFlight < this.limit) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }
}

export async function runGroup(group: ClientGroup, target: GroupTarget): Promise<GroupOutcome> {
  const outcome = new GroupOutcome(group.label);
  await delay(target.runStartMs + (group.startAtMs ?? 0) - performance.now(), target.signal);
  const gate = new ConnectGate(CONNECT_CONCURRENCY);
  const pacer = new SendPacer();
  const scripts: Promise<void>[] = [];
  const sockets: ScriptSocket[] = [];
  const wakeAll = () => sockets.forEach((socket) => socket.wake());
  target.signal.addEventListener('abort', wakeAll);
  let settledConnects = 0;
  const connectSettled = () => {
    gate.release();
    settledConnects++;
    if (settledConnects === group.count) target.onConnected?.(group.label, outcome.connections.filter((c) => c.connectedMs !== undefined).length);
  };
  const script = group.script;
  for (let i = 0; i < group.count && !target.signal.aborted; i++) {
    await gate.acquire();
    const record = outcome.open(performance.now());
    if (script.kind === 'notes') {
      scripts.push(runNotes(i, script, record, { ...target, groupSize: group.count, onConnectSettled: connectSettled }));
      continue;
    }
    const socket = new ScriptSocket(target.host, target.port, record, target.signal);
    sockets.push(socket);
    void socket.until(() => socket.connected).then(connectSettled);
    scripts.push(
      script.kind === 'idle' ? runIdle(socket, script)
      : script.kind === 'work' ? runWork(socket, script)
      : script.kind === 'ping-pong' ? runPingPong(socket, script, outcome)
      : runEcho(socket, script, outcome, pacer),
    );
  }
  try {
    await Promise.all(scripts);
  } finally {
    pacer.stop();
    target.signal.removeEventListener('abort', wakeAll);
  }
  return outcome;
}

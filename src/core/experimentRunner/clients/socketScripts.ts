/**
 * The scripts a connection of a group runs on a ScriptSocket (experiments.ts, ClientScript):
 * idle, echo (open loop), ping-pong (closed loop) and work. Each ends by closing its connection
 * and saying in the record whether it completed. The notes script is notesScript.ts.
 */
import { performance } from 'node:perf_hooks';
import { recordMs } from '../../bench/histogram';
import { type ClientScript } from '../../experiments';
import { COMPOSITE_REPLY, expectedReply, PRIME_REPLY } from '../../protocol';
import { type GroupOutcome } from './groupOutcome';
import { type ScriptSocket } from './scriptSocket';
import { type SendPacer } from './sendPacer';

type Script<K extends ClientScript['kind']> = Extract<ClientScript, { kind: K }>;

/** A frame's bytes and the one reply it calls for. */
function frameExchange(frame: string): { readonly bytes: Buffer; readonly replies: readonly Buffer[] } {
  const bytes = Buffer.from(frame, 'latin1');
  return { bytes, replies: [expectedReply(bytes)] };
}

/**
 * A work request and the replies it may get. The answer is not worked out here: trial division
 * of the slow prime would block this process for as long as it blocks the server.
 */
function workExchange(number: string): { readonly bytes: Buffer; readonly replies: readonly Buffer[] } {
  return { bytes: Buffer.from(`!${number}$`, 'latin1'), replies: [Buffer.from(PRIME_REPLY), Buffer.from(COMPOSITE_REPLY)] };
}

function frameDone(group: GroupOutcome): (latencyMs: number) => void {
  return (latencyMs) => {
    group.replies++;
    recordMs(group.latency, latencyMs);
  };
}

/** Sends nothing; stays `holdMs` from its connect; served if the `*` came. */
export async function runIdle(socket: ScriptSocket, script: Script<'idle'>): Promise<void> {
  if (await socket.until(() => socket.connected)) await socket.holdUntil(socket.record.connectedMs! + script.holdMs);
  socket.record.completed = socket.isOpen && socket.acked;
  socket.close();
}

/** One work request; its reply time is the record's workMs. */
export async function runWork(socket: ScriptSocket, script: Script<'work'>): Promise<void> {
  if (await socket.until(() => socket.acked)) {
    const { bytes, replies } = workExchange(script.number);
    socket.request(bytes, replies, performance.now(), (ms) => (socket.record.workMs = ms));
    if (await socket.until(() => socket.outstanding === 0)) {
      socket.record.completed = true;
      await socket.holdUntil(performance.now() + (script.holdMs ?? 0));
    }
  }
  socket.close();
}

/** Send, wait for the whole reply, repeat, for `durationMs` from the `*`. */
export async function runPingPong(socket: ScriptSocket, script: Script<'ping-pong'>, group: GroupOutcome): Promise<void> {
  if (await socket.until(() => socket.acked)) {
    const { bytes, replies } = frameExchange(script.frame);
    const endMs = performance.now() + script.durationMs;
    const counted = frameDone(group);
    const sendNext = () => {
      const now = performance.now();
      if (now < endMs && socket.isOpen) socket.request(bytes, replies, now, next);
    };
    const next = (latencyMs: number) => {
      counted(latencyMs);
      sendNext();
    };
    sendNext();
    socket.record.completed = await socket.until(() => socket.outstanding === 0 && performance.now() >= endMs);
  }
  socket.close();
}

/**
 * `count` frames every `everyMs` on the clock from the TCP connect, every reply awaited, then
 * `holdMs`. Frames fall due from the connect, not the `*`: a server that keeps the connection
 * waiting (a loop blocked by a slow request, a full backlog) owes them already, and their latency
 * counts from when they were due.
 */
export async function runEcho(socket: ScriptSocket, script: Script<'echo'>, group: GroupOutcome, pacer: SendPacer): Promise<void> {
  if (await socket.until(() => socket.acked)) {
    const { bytes, replies } = frameExchange(script.frame);
    const done = frameDone(group);
    let sent = 0;
    pacer.add(socket.record.connectedMs!, (dueMs) => {
      if (!socket.isOpen) return undefined;
      socket.request(bytes, replies, dueMs, done);
      sent++;
      return sent < script.count ? dueMs + script.everyMs : undefined;
    });
    if (await socket.until(() => sent === script.count && socket.outstanding === 0)) {
      socket.record.completed = true;
      await socket.holdUntil(performance.now() + (script.holdMs ?? 0));
    }
  }
  socket.close();
}

/**
 * The connections of a recording as both ends saw them: the client's (its lane: connect, the `*`,
 * the bytes it sent and received) and the server's (the fd it accepted and what its threads did
 * on that fd), paired by the port both record: the client's CLIENT_CONNECTED value is its local
 * port, the server's CONN_ACCEPTED value the peer's. Plain TypeScript (no Node, no DOM): the panel
 * may pair them too.
 */
import { Kind } from './format';
import type { Lane, TraceModel } from './model';
import { LaneKind } from './states';

/** A run of bytes sent or received at once, placed on its direction's byte stream. */
export interface StreamPiece {
  readonly timeNs: number;
  /** Offset of its first byte in the direction's stream (the `*` greeting is not counted). */
  readonly offset: number;
  readonly bytes: number;
  /** Arrival index of the event that carries it. */
  readonly event: number;
}

export interface ClientSide {
  readonly lane: Lane;
  /** `conn0`: the lane's name. */
  readonly name: string;
  /** When it started connecting (CLIENT_CONNECT). */
  readonly connectNs: number | undefined;
  /** Its local port (CLIENT_CONNECTED). */
  readonly port: number | undefined;
  /** When the server's `*` reached it. */
  readonly ackNs: number | undefined;
  /** Its messages: each CLIENT_SEND of one or more bytes. */
  readonly sends: readonly StreamPiece[];
  readonly receives: readonly StreamPiece[];
}

export interface ServerSide {
  readonly stream: number;
  readonly fd: number;
  readonly port: number;
  /**
   * When the server took the connection out of the backlog: CONN_ACCEPTED, or, where a green
   * thread is spawned for it (09), that GREEN_STARTED, which comes first.
   */
  readonly takenNs: number;
  /**
   * Arrival indices, in time order, of the events about this fd (PEER_FD_KINDS) from `takenNs`
   * until the fd number is taken by the server's next connection.
   */
  readonly events: readonly number[];
  /** The green thread that serves it (09), if any. */
  readonly green: Lane | undefined;
}

export interface ConnectionPair {
  readonly client: ClientSide;
  /** Undefined when the recording holds no server connection with the client's port. */
  readonly server: ServerSide | undefined;
}

/**
 * Kinds whose fd is a peer's socket. The others' fd is something else (a listener, an epoll fd,
 * select's nfds) or nothing.
 */
export const PEER_FD_KINDS: ReadonlySet<number> = new Set<number>([
  Kind.RECV_BEGIN,
  Kind.RECV_END,
  Kind.SEND_BEGIN,
  Kind.SEND_END,
  Kind.READY_FD,
  Kind.EAGAIN,
  Kind.CALLBACK_BEGIN,
  Kind.CALLBACK_END,
  Kind.WORK_SUBMITTED,
  Kind.WORK_STARTED,
  Kind.WORK_DONE,
  Kind.GREEN_STARTED,
  Kind.GREEN_PARKED,
  Kind.GREEN_RESUMED,
  Kind.GREEN_MOUNTED,
  Kind.CONN_ACCEPTED,
  Kind.CONN_CLOSED,
]);

/** Every client connection, with the server connection that served it where the recording has one. */
export function pairConnections(model: TraceModel): ConnectionPair[] {
  const clients = model.lanes.filter((lane) => lane.kind === LaneKind.client).map((lane) => clientSide(model, lane));
  const servers = serverSides(model);
  const byPort = new Map<number, ServerSide[]>();
  for (const server of servers) {
    const list = byPort.get(server.port) ?? [];
    list.push(server);
    byPort.set(server.port, list);
  }
  const taken = new Set<ServerSide>();
  // A port comes back once the kernel reuses it: the server connection taken first after the
  // client began connecting is its own.
  const inConnectOrder = [...clients].sort((a, b) => (a.connectNs ?? Infinity) - (b.connectNs ?? Infinity));
  const serverOf = new Map<ClientSide, ServerSide>();
  for (const client of inConnectOrder) {
    if (client.port === undefined) continue;
    const free = (byPort.get(client.port) ?? []).filter((s) => !taken.has(s));
    const match = free.find((s) => client.connectNs === undefined || s.takenNs >= client.connectNs) ?? free[0];
    if (match) {
      taken.add(match);
      serverOf.set(client, match);
    }
  }
  return clients.map((client) => ({ client, server: serverOf.get(client) }));
}

function clientSide(model: TraceModel, lane: Lane): ClientSide {
  const { kind, value, time } = model.events;
  let connectNs: number | undefined;
  let port: number | undefined;
  let ackNs: number | undefined;
  const sends: StreamPiece[] = [];
  const receives: StreamPiece[] = [];
  let sent = 0;
  let received = 0;
  for (let i = 0; i < lane.events.length; i++) {
    const event = lane.events.get(i);
    const k = kind.get(event);
    const t = time.get(event);
    const bytes = value.get(event);
    if (k === Kind.CLIENT_CONNECT) connectNs ??= t;
    else if (k === Kind.CLIENT_CONNECTED) port ??= bytes;
    else if (k === Kind.CLIENT_ACK) ackNs ??= t;
    else if (k === Kind.CLIENT_SEND && bytes > 0) {
      sends.push({ timeNs: t, offset: sent, bytes, event });
      sent += bytes;
    } else if (k === Kind.CLIENT_RECEIVE && bytes > 0) {
      receives.push({ timeNs: t, offset: received, bytes, event });
      received += bytes;
    }
  }
  return { lane, name: lane.name, connectNs, port, ackNs, sends, receives };
}

/** Every connection the server processes accepted, with the events about its fd. */
function serverSides(model: TraceModel): ServerSide[] {
  const { kind, fd: fdColumn, lane: laneColumn, value } = model.events;
  const serverStreams = new Set([...model.processes.values()].filter((p) => p.source === 'server').map((p) => p.stream));
  // Per stream and fd, the fd's events in time order: one fd number serves many connections in turn.
  const byFd = new Map<string, { stream: number; fd: number; events: number[] }>();
  for (let p = 0; p < model.order.length; p++) {
    const event = model.order.get(p);
    const k = kind.get(event);
    const fd = fdColumn.get(event);
    if (fd < 0 || !PEER_FD_KINDS.has(k)) continue;
    const stream = model.lanes[laneColumn.get(event)].stream;
    if (!serverStreams.has(stream)) continue;
    const key = `${stream}:${fd}`;
    let entry = byFd.get(key);
    if (!entry) byFd.set(key, (entry = { stream, fd, events: [] }));
    entry.events.push(event);
  }
  const greenLanes = new Map(model.lanes.filter((lane) => lane.kind === LaneKind.green).map((lane) => [lane.key, lane]));
  const out: ServerSide[] = [];
  for (const { stream, fd, events } of byFd.values()) {
    // Where each connection of this fd begins (its index in `events`), and what it is.
    const starts: { at: number; takenNs: number; port: number; green: Lane | undefined }[] = [];
    let spawned = -1;
    for (let i = 0; i < events.length; i++) {
      const k = kind.get(events[i]);
      if (k === Kind.GREEN_STARTED) spawned = i;
      if (k !== Kind.CONN_ACCEPTED) continue;
      const at = spawned >= 0 ? spawned : i;
      const green = spawned >= 0 ? greenLanes.get(`${stream}:g${value.get(events[spawned])}`) : undefined;
      starts.push({ at, takenNs: model.events.time.get(events[at]), port: value.get(events[i]), green });
      spawned = -1;
    }
    starts.forEach((start, n) => {
      const end = n + 1 < starts.length ? starts[n + 1].at : events.length;
      out.push({ stream, fd, port: start.port, takenNs: start.takenNs, events: events.slice(start.at, end), green: start.green });
    });
  }
  return out.sort((a, b) => a.takenNs - b.takenNs);
}

/** The piece that holds byte `offset` of its stream, or -1 when the stream is shorter. */
export function pieceHolding(pieces: readonly StreamPiece[], offset: number): number {
  let lo = 0;
  let hi = pieces.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pieces[mid].offset + pieces[mid].bytes <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo < pieces.length && offset >= 0 ? lo : -1;
}

/** Bytes in all the pieces together. */
export function streamLength(pieces: readonly StreamPiece[]): number {
  const last = pieces[pieces.length - 1];
  return last ? last.offset + last.bytes : 0;
}

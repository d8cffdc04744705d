/**
 * The moments a note reacts to: when a recording reaches one, the panel marks it and the Notes
 * view highlights the paragraph marked `{moment=<id>}`. Each trigger is stated over the trace
 * events of servers/common/trace.h, precise enough for a detector to find the first time in a
 * recording at which it becomes true. A moment fires once per recording.
 */
import { type StageId } from '../stages';
import type { MomentStringKey } from '../panel/protocol';
import { type Localized } from './language';

/**
 * The trace kinds a trigger names, spelled as in servers/common/trace.h (TRACE_KINDS); the
 * detector maps them through the TypeScript mirror of that header.
 */
export type TraceKindName =
  | 'CONN_ACCEPTED' // fd = the client; a connection is being served
  | 'CONN_CLOSED' // value = TRACE_CLOSE_*: 0 peer, 1 error, 2 refused at a limit, 3 stopping
  | 'EAGAIN' // value = 1 recv, 2 send, 3 accept
  | 'SELECT_BEGIN' // the fd sets were just built for this call
  | 'READY_FD' // a wait reported one fd ready
  | 'WORK_SUBMITTED' // work handed to a pool
  | 'TIMER_FIRED' // value = lateness in ns
  | 'THREAD_STARTED'
  | 'GREEN_PARKED';

/** One trace event, optionally with an exact value (CONN_CLOSED 2 = refused, EAGAIN 1 = recv). */
export interface TraceMatch {
  readonly kind: TraceKindName;
  readonly value?: number;
}

/** The thread a "busy" trigger watches. */
export type BusyThread =
  /** The thread that waits for readiness: busy from a SELECT_END / EPOLL_WAIT_END / KEVENT_END /
   *  LOOP_WAIT_END to the next *_BEGIN on the same lane; a callback (CALLBACK_BEGIN to
   *  CALLBACK_END) counts as busy too, because libuv runs its callbacks inside its poll phase. */
  | 'loop'
  /** A carrier: busy from GREEN_MOUNTED to GREEN_UNMOUNTED on the same lane (not parking). */
  | 'carrier';

export type MomentTrigger =
  /** The first event that matches. */
  | { readonly kind: 'first'; readonly event: TraceMatch }
  /** The n-th event that matches (1-based). */
  | { readonly kind: 'nth'; readonly event: TraceMatch; readonly n: number }
  /**
   * `count` connections served at once: as many fds with a CONN_ACCEPTED and no CONN_CLOSED since.
   * A CONN_CLOSED without a CONN_ACCEPTED before it (a refused connection) changes nothing.
   */
  | { readonly kind: 'connections-open'; readonly count: number }
  /** A client lane had CLIENT_CONNECTED and no CLIENT_ACK for longer than `ms`: fires at connect + ms. */
  | { readonly kind: 'client-unacknowledged'; readonly ms: number }
  /** The thread stayed busy longer than `ms`: fires at the start of the busy stretch + ms. */
  | { readonly kind: 'busy-longer-than'; readonly thread: BusyThread; readonly ms: number }
  /** A TIMER_FIRED whose lateness exceeds `ms`. */
  | { readonly kind: 'timer-late'; readonly ms: number };

export type MomentId =
  | 'client-in-backlog'
  | 'thread-per-connection'
  | 'two-clients-served'
  | 'second-client-starved'
  | 'first-eagain'
  | 'fd-set-rebuilt'
  | 'fd-setsize-refused'
  | 'only-ready-returned'
  | 'work-offloaded'
  | 'loop-blocked'
  | 'timer-late'
  | 'green-thread-parked'
  | 'carrier-pinned';

export interface MomentInfo {
  readonly id: MomentId;
  /** The stages whose recordings can show it. */
  readonly stages: readonly StageId[];
  readonly trigger: MomentTrigger;
  /** A short label for the panel's marker and the paragraph's hover. */
  readonly title: Localized;
}

const EVENT_LOOPS: readonly StageId[] = ['05-select', '06-epoll', '07-libuv', '08-ae'];

export const MOMENTS: readonly MomentInfo[] = [
  {
    id: 'client-in-backlog', stages: ['01-sequential', '03-blocking-io'],
    trigger: { kind: 'client-unacknowledged', ms: 100 },
    title: { en: 'A client waits in the listen backlog', ko: '클라이언트가 listen 백로그에서 기다림' },
  },
  {
    id: 'thread-per-connection', stages: ['02-thread-per-client'],
    trigger: { kind: 'first', event: { kind: 'THREAD_STARTED' } },
    title: { en: 'A thread started for a client', ko: '클라이언트 하나를 위해 스레드가 생김' },
  },
  {
    id: 'two-clients-served',
    stages: ['02-thread-per-client', '04-nonblocking-polling', ...EVENT_LOOPS, '09-green-threads'],
    trigger: { kind: 'connections-open', count: 2 },
    title: { en: 'Two clients served at once', ko: '두 클라이언트를 동시에 처리' },
  },
  {
    id: 'second-client-starved', stages: ['03-blocking-io'],
    trigger: { kind: 'client-unacknowledged', ms: 500 },
    title: { en: 'A second client gets nothing', ko: '두 번째 클라이언트는 아무것도 못 받음' },
  },
  {
    id: 'first-eagain', stages: ['04-nonblocking-polling'],
    trigger: { kind: 'first', event: { kind: 'EAGAIN', value: 1 } },
    title: { en: 'First EAGAIN: no data yet', ko: '첫 EAGAIN: 아직 데이터 없음' },
  },
  {
    id: 'fd-set-rebuilt', stages: ['05-select'],
    trigger: { kind: 'nth', event: { kind: 'SELECT_BEGIN' }, n: 2 },
    title: { en: 'The fd set rebuilt for the next select', ko: '다음 select를 위해 fd 집합을 다시 만듦' },
  },
  {
    id: 'fd-setsize-refused', stages: ['05-select'],
    trigger: { kind: 'first', event: { kind: 'CONN_CLOSED', value: 2 } },
    title: { en: 'A connection refused at FD_SETSIZE', ko: 'FD_SETSIZE에 걸려 연결을 거절함' },
  },
  {
    id: 'only-ready-returned', stages: ['06-epoll', '08-ae'],
    trigger: { kind: 'first', event: { kind: 'READY_FD' } },
    title: { en: 'Only the ready fds come back', ko: '준비된 fd만 돌아옴' },
  },
  {
    id: 'work-offloaded', stages: ['07-libuv'],
    trigger: { kind: 'first', event: { kind: 'WORK_SUBMITTED' } },
    title: { en: 'Work handed to the thread pool', ko: '작업을 스레드 풀에 넘김' },
  },
  {
    id: 'loop-blocked', stages: EVENT_LOOPS,
    trigger: { kind: 'busy-longer-than', thread: 'loop', ms: 100 },
    title: { en: 'The loop blocked for more than 100 ms', ko: '루프가 100ms 넘게 멈춤' },
  },
  {
    id: 'timer-late', stages: ['08-ae'],
    trigger: { kind: 'timer-late', ms: 100 },
    title: { en: 'The timer fired late', ko: '타이머가 늦게 울림' },
  },
  {
    id: 'green-thread-parked', stages: ['09-green-threads'],
    trigger: { kind: 'first', event: { kind: 'GREEN_PARKED' } },
    title: { en: 'A green thread parked; its carrier moves on', ko: '그린 스레드가 멈추고(park) 캐리어는 다른 일을 함' },
  },
  {
    id: 'carrier-pinned', stages: ['09-green-threads'],
    trigger: { kind: 'busy-longer-than', thread: 'carrier', ms: 100 },
    title: { en: 'A carrier pinned by CPU work', ko: 'CPU 작업에 캐리어가 묶임(pinning)' },
  },
];

const byId = new Map<string, MomentInfo>(MOMENTS.map((m) => [m.id, m]));

export function findMoment(id: string): MomentInfo | undefined {
  return byId.get(id);
}

/** The key of a moment's title in the recording panel's strings: first-eagain -> momentFirstEagain. */
export function momentStringKey(id: MomentId): MomentStringKey {
  return `moment${id.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase())}` as MomentStringKey;
}

/**
 * The moments a note reacts to: when a recording reaches one, the panel marks it and the Notes
 * view highlights the paragraph marked `{moment=<id>}`. Each trigger is stated in the model's
 * vocabulary (DESIGN.md, "Trace"), precise enough for a detector to find the first time, in a
 * recording, at which it becomes true. A moment fires once per recording.
 */
import { type StageId } from '../stages';
import { type Localized } from './language';

/** Trace events, by what they mean in the model; the trace mirror maps its kinds onto these. */
export type ModelEvent =
  | 'connection-accepted' // the server's accept returned a client fd
  | 'connection-refused' // the server closed a new connection on purpose (FD_SETSIZE, --max-threads)
  | 'connection-closed' // the server closed a client fd
  | 'recv-would-block' // a non-blocking recv returned EAGAIN / EWOULDBLOCK
  | 'select-wait' // a thread entered select (the fd sets were just built)
  | 'ready-returned' // select / epoll_wait / kevent returned a positive ready count
  | 'work-submitted' // a work request was handed to a pool (uv_queue_work)
  | 'work-started' // a thread began the trial division of a work request
  | 'timer-fired' // a time event ran; its value is how late it ran, in ms
  | 'thread-started' // an OS thread started (02: one per client)
  | 'green-parked'; // a green thread parked instead of blocking its carrier

/** Which threads a trigger looks at: any, the loop (the single thread that waits for readiness), or carriers. */
export type ThreadRole = 'any' | 'loop' | 'carrier';

export type MomentTrigger =
  /** The first occurrence of an event. */
  | { readonly kind: 'first'; readonly event: ModelEvent }
  /** The n-th occurrence of an event (1-based). */
  | { readonly kind: 'nth'; readonly event: ModelEvent; readonly n: number }
  /** Some instant at which `count` connections are accepted and not yet closed. */
  | { readonly kind: 'connections-open'; readonly count: number }
  /** A client connected but had no `*` from the server for longer than `ms` (waiting in the backlog). */
  | { readonly kind: 'client-unacknowledged'; readonly ms: number }
  /**
   * A thread of the role stayed busy longer than `ms`: from leaving one wait (epoll_wait, kevent,
   * select; on a carrier: mounting a green thread) to entering the next, without parking.
   */
  | { readonly kind: 'busy-longer-than'; readonly thread: ThreadRole; readonly ms: number }
  /** A timer fired later than `ms` after it was due. */
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
    trigger: { kind: 'first', event: 'thread-started' },
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
    trigger: { kind: 'first', event: 'recv-would-block' },
    title: { en: 'First EAGAIN: no data yet', ko: '첫 EAGAIN: 아직 데이터 없음' },
  },
  {
    id: 'fd-set-rebuilt', stages: ['05-select'],
    trigger: { kind: 'nth', event: 'select-wait', n: 2 },
    title: { en: 'The fd set rebuilt for the next select', ko: '다음 select를 위해 fd 집합을 다시 만듦' },
  },
  {
    id: 'fd-setsize-refused', stages: ['05-select'],
    trigger: { kind: 'first', event: 'connection-refused' },
    title: { en: 'A connection refused at FD_SETSIZE', ko: 'FD_SETSIZE에 걸려 연결을 거절함' },
  },
  {
    id: 'only-ready-returned', stages: ['06-epoll', '07-libuv', '08-ae'],
    trigger: { kind: 'first', event: 'ready-returned' },
    title: { en: 'Only the ready fds come back', ko: '준비된 fd만 돌아옴' },
  },
  {
    id: 'work-offloaded', stages: ['07-libuv'],
    trigger: { kind: 'first', event: 'work-submitted' },
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
    trigger: { kind: 'first', event: 'green-parked' },
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

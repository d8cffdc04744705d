/**
 * The experiments the concept notes offer as buttons: each one runs stages with a fixed workload
 * and phrases what it measured as a sentence in the note ("on this machine: ..."). Declarative on
 * purpose: the runner (not here) reads a declaration and does exactly this, the tests check that
 * every experiment is used by a note, and a reader can see what a button will do.
 *
 * Times in a declaration are from the start of a run, with the server already listening.
 */
import { type StageId } from './stages';
import { type Localized, type NoteLanguage } from './notes/language';

/**
 * A prime that takes about a second of trial division on a 2020s x86-64 core (0.96 s measured
 * here: ~5·10^8 divisions up to its square root). Prime, so no early exit.
 */
export const SLOW_PRIME = '1000000000000000003';

/** What each connection of a client group does after connecting (and reading `*`, if it comes). */
export type ClientScript =
  /** The notes' conversation (protocol.ts NOTES_CONVERSATION), then stay connected `holdMs`. */
  | { readonly kind: 'notes'; readonly holdMs?: number }
  /** Send nothing; stay connected `holdMs`. Does not wait for `*`: a refused or queued client counts too. */
  | { readonly kind: 'idle'; readonly holdMs: number }
  /**
   * Open loop: send `frame` every `everyMs`, `count` times, on the clock (latency is measured from
   * the intended send time, so a stalled server cannot hide its stall); then stay `holdMs`.
   */
  | { readonly kind: 'echo'; readonly frame: string; readonly everyMs: number; readonly count: number; readonly holdMs?: number }
  /** Closed loop: send `frame`, wait for its whole reply, repeat, for `durationMs`. */
  | { readonly kind: 'ping-pong'; readonly frame: string; readonly durationMs: number }
  /** One work request `!<number>$`; wait for its reply; then stay `holdMs`. */
  | { readonly kind: 'work'; readonly number: string; readonly holdMs?: number };

export interface ClientGroup {
  readonly label: string;
  readonly count: number;
  readonly script: ClientScript;
  /** When the group's connections start, all at once. Default 0. */
  readonly startAtMs?: number;
}

export interface ExperimentRun {
  readonly label: string;
  readonly stage: StageId;
  /** The stage's own flags (the stage contract). */
  readonly args?: readonly string[];
  /** Variables for `make -C servers <stage>` (08: BACKEND=select). */
  readonly make?: Readonly<Record<string, string>>;
  readonly clients: readonly ClientGroup[];
  /** The run is stopped (and reported as failed) after this long. */
  readonly deadlineMs: number;
}

/**
 * What can be measured. Server figures are sampled from the OS every 100 ms during the run
 * (/proc/<pid> on Linux, ps on macOS) or read from the stage's trace; client figures are the
 * client's own clock.
 */
export type Metric =
  /** Client: first connect of the group (all groups if none named) to the last close. */
  | 'elapsed'
  /** Client: the longest wait of the group's connections from connect to `*`. */
  | 'ack-wait-max'
  /** Client: reply latency of the group's frames (echo / ping-pong), median and worst. */
  | 'reply-latency-p50'
  | 'reply-latency-max'
  /** Client: replies the group received. */
  | 'replies'
  /** Client: from sending a work request to its reply (the longest in the group). */
  | 'work-duration'
  /** Client: connections that got `*` and a correct reply (or `*` only, for idle scripts). */
  | 'clients-served'
  /** Client: connections closed by the server before any `*`. */
  | 'clients-refused'
  /** Server: user + system CPU time over the run. */
  | 'server-cpu'
  /** Server: CPU time over the run divided by the group's replies. */
  | 'server-cpu-per-reply'
  /** Server: voluntary + involuntary context switches of all its threads, divided by the group's replies. */
  | 'server-switches-per-reply'
  /** Server: the most OS threads at once. */
  | 'server-threads-peak'
  /** Server: the largest resident memory. */
  | 'server-rss-peak'
  /** Server: the largest virtual (reserved) memory: thread stacks show here, not in RSS. */
  | 'server-vsz-peak'
  /** Server: its fd table while every client is connected, as "fd kind" pairs (sockets, epoll, pipes). */
  | 'server-fd-table'
  /** Stage 04: recv calls that found no data (its once-a-second counter). */
  | 'empty-polls'
  /** Stage 08: how late its one-second timer fired, the worst time. */
  | 'timer-late-max'
  /** Stage 09: the most green threads alive at once. */
  | 'green-threads-peak';

export type Unit = 's' | 'ms' | 'us' | 'MiB' | 'count' | 'ratio' | 'text';

export const METRIC_UNITS: Readonly<Record<Metric, Unit>> = {
  'elapsed': 's',
  'ack-wait-max': 's',
  'reply-latency-p50': 'ms',
  'reply-latency-max': 'ms',
  'replies': 'count',
  'work-duration': 's',
  'clients-served': 'count',
  'clients-refused': 'count',
  'server-cpu': 's',
  'server-cpu-per-reply': 'us',
  'server-switches-per-reply': 'ratio',
  'server-threads-peak': 'count',
  'server-rss-peak': 'MiB',
  'server-vsz-peak': 'MiB',
  'server-fd-table': 'text',
  'empty-polls': 'count',
  'timer-late-max': 'ms',
  'green-threads-peak': 'count',
};

export interface Measure {
  /** The placeholder in the figure: `{id}`. */
  readonly id: string;
  readonly run: string;
  /** For client metrics: the group; omitted means all the run's groups. */
  readonly group?: string;
  readonly metric: Metric;
}

export interface Experiment {
  readonly id: string;
  readonly title: Localized;
  readonly runs: readonly ExperimentRun[];
  readonly measures: readonly Measure[];
  /** The sentence written into the note, with `{measure-id}` placeholders. */
  readonly figure: Localized;
}

const NOTES_FIVE: ClientGroup = { label: 'clients', count: 5, script: { kind: 'notes' } };
const ECHO_FRAME = '^ping$';

/**
 * Slow work requests at `slowAtMs` and, 200 ms later, other clients echoing every 50 ms for 2 s.
 * 08 starts the slow request at 900 ms so that it spans its one-second timer's first tick.
 */
function slowRequestBeside(echoClients: number, slowClients = 1, slowAtMs = 0): readonly ClientGroup[] {
  return [
    { label: 'slow', count: slowClients, startAtMs: slowAtMs, script: { kind: 'work', number: SLOW_PRIME } },
    { label: 'echo', count: echoClients, startAtMs: slowAtMs + 200, script: { kind: 'echo', frame: ECHO_FRAME, everyMs: 50, count: 40 } },
  ];
}

function pollRun(intervalMs: number): ExperimentRun {
  return {
    label: `poll${intervalMs}`, stage: '04-nonblocking-polling', args: ['--poll-interval-ms', String(intervalMs)],
    deadlineMs: 30_000,
    clients: [
      { label: 'idle', count: 500, script: { kind: 'idle', holdMs: 10_000 } },
      { label: 'echo', count: 1, startAtMs: 500, script: { kind: 'echo', frame: ECHO_FRAME, everyMs: 333, count: 27 } },
    ],
  };
}

function pingPongBesideIdle(label: string, stage: StageId): ExperimentRun {
  return {
    label, stage, deadlineMs: 30_000,
    clients: [
      { label: 'idle', count: 1_000, script: { kind: 'idle', holdMs: 7_000 } },
      { label: 'busy', count: 1, startAtMs: 1_000, script: { kind: 'ping-pong', frame: ECHO_FRAME, durationMs: 5_000 } },
    ],
  };
}

export const EXPERIMENTS: readonly Experiment[] = [
  {
    id: 'sequential-vs-threads',
    title: { en: '5 clients: one at a time vs a thread each', ko: '클라이언트 5개: 한 번에 하나 vs 스레드 하나씩' },
    runs: [
      { label: 'sequential', stage: '01-sequential', clients: [NOTES_FIVE], deadlineMs: 30_000 },
      { label: 'threads', stage: '02-thread-per-client', clients: [NOTES_FIVE], deadlineMs: 30_000 },
    ],
    measures: [
      { id: 'sequential', run: 'sequential', metric: 'elapsed' },
      { id: 'threads', run: 'threads', metric: 'elapsed' },
    ],
    figure: {
      en: 'On this machine: 5 clients took {sequential} one at a time, {threads} with a thread each.',
      ko: '이 컴퓨터에서: 클라이언트 5개가 하나씩 처리하면 {sequential}, 스레드를 하나씩 주면 {threads} 걸렸습니다.',
    },
  },
  {
    id: 'idle-clients-hold-threads',
    title: { en: '200 idle clients on thread-per-client', ko: '아무것도 안 보내는 클라이언트 200개' },
    runs: [{
      label: 'idle', stage: '02-thread-per-client', deadlineMs: 20_000,
      clients: [{ label: 'idle', count: 200, script: { kind: 'idle', holdMs: 3_000 } }],
    }],
    measures: [
      { id: 'threads', run: 'idle', metric: 'server-threads-peak' },
      { id: 'rss', run: 'idle', metric: 'server-rss-peak' },
      { id: 'vsz', run: 'idle', metric: 'server-vsz-peak' },
      { id: 'cpu', run: 'idle', metric: 'server-cpu' },
    ],
    figure: {
      en: 'On this machine: 200 clients that sent nothing held {threads} threads: {vsz} of address space reserved, {rss} really resident, {cpu} of CPU.',
      ko: '이 컴퓨터에서: 아무것도 보내지 않는 클라이언트 200개가 스레드 {threads}개를 붙잡았습니다. 주소 공간은 {vsz} 예약, 실제 메모리는 {rss}, CPU는 {cpu}였습니다.',
    },
  },
  {
    id: 'thread-limit-refuses',
    title: { en: 'Idle clients use up --max-threads', ko: '놀고 있는 연결이 --max-threads를 다 차지함' },
    runs: [{
      label: 'limited', stage: '02-thread-per-client', args: ['--max-threads', '8'], deadlineMs: 20_000,
      clients: [
        { label: 'idle', count: 8, script: { kind: 'idle', holdMs: 5_000 } },
        { label: 'real', count: 1, startAtMs: 500, script: { kind: 'notes' } },
      ],
    }],
    measures: [
      { id: 'held', run: 'limited', group: 'idle', metric: 'clients-served' },
      { id: 'refused', run: 'limited', group: 'real', metric: 'clients-refused' },
    ],
    figure: {
      en: 'On this machine: {held} idle connections took all 8 threads, and {refused} real client was turned away.',
      ko: '이 컴퓨터에서: 놀고 있는 연결 {held}개가 스레드 8개를 모두 차지했고, 진짜 클라이언트 {refused}개는 거절당했습니다.',
    },
  },
  {
    id: 'blocking-second-client-starves',
    title: { en: 'A second client while the first is connected', ko: '첫 클라이언트가 붙어 있는 동안 들어온 두 번째 클라이언트' },
    runs: [{
      label: 'blocking', stage: '03-blocking-io', deadlineMs: 20_000,
      clients: [
        { label: 'first', count: 1, script: { kind: 'notes', holdMs: 3_000 } },
        { label: 'second', count: 1, startAtMs: 300, script: { kind: 'notes' } },
      ],
    }],
    measures: [
      { id: 'wait', run: 'blocking', group: 'second', metric: 'ack-wait-max' },
      { id: 'first', run: 'blocking', group: 'first', metric: 'elapsed' },
    ],
    figure: {
      en: 'On this machine: the first client stayed {first}; the second waited {wait} before the server even sent its "*".',
      ko: '이 컴퓨터에서: 첫 클라이언트가 {first} 동안 붙어 있었고, 두 번째 클라이언트는 "*"를 받기까지 {wait} 기다렸습니다.',
    },
  },
  {
    id: 'poll-interval-tradeoff',
    title: { en: 'Poll every 10, 200 or 1,000 ms', ko: '10, 200, 1,000ms마다 폴링' },
    runs: [pollRun(10), pollRun(200), pollRun(1_000)],
    measures: [
      { id: 'cpu10', run: 'poll10', metric: 'server-cpu' },
      { id: 'lat10', run: 'poll10', group: 'echo', metric: 'reply-latency-p50' },
      { id: 'empty10', run: 'poll10', metric: 'empty-polls' },
      { id: 'cpu200', run: 'poll200', metric: 'server-cpu' },
      { id: 'lat200', run: 'poll200', group: 'echo', metric: 'reply-latency-p50' },
      { id: 'empty200', run: 'poll200', metric: 'empty-polls' },
      { id: 'cpu1000', run: 'poll1000', metric: 'server-cpu' },
      { id: 'lat1000', run: 'poll1000', group: 'echo', metric: 'reply-latency-p50' },
      { id: 'empty1000', run: 'poll1000', metric: 'empty-polls' },
    ],
    figure: {
      en: 'On this machine, 500 idle clients and one talking for 10 s: every 10 ms cost {cpu10} of CPU ({empty10} empty polls) for replies in {lat10}; every 200 ms, {cpu200} ({empty200}) and {lat200}; every 1,000 ms, {cpu1000} ({empty1000}) and {lat1000}.',
      ko: '이 컴퓨터에서, 놀고 있는 클라이언트 500개와 말하는 클라이언트 1개로 10초 동안: 10ms 주기는 CPU {cpu10}(빈 폴링 {empty10}번)에 응답 {lat10}, 200ms 주기는 {cpu200}({empty200}번)에 {lat200}, 1,000ms 주기는 {cpu1000}({empty1000}번)에 {lat1000}였습니다.',
    },
  },
  {
    id: 'select-past-fd-setsize',
    title: { en: '1,100 clients against select', ko: 'select에 클라이언트 1,100개' },
    runs: [{
      label: 'many', stage: '05-select', deadlineMs: 30_000,
      clients: [
        { label: 'crowd', count: 1_100, script: { kind: 'idle', holdMs: 3_000 } },
        { label: 'after', count: 1, startAtMs: 4_000, script: { kind: 'notes' } },
      ],
    }],
    measures: [
      { id: 'served', run: 'many', group: 'crowd', metric: 'clients-served' },
      { id: 'refused', run: 'many', group: 'crowd', metric: 'clients-refused' },
      { id: 'after', run: 'many', group: 'after', metric: 'clients-served' },
    ],
    figure: {
      en: 'On this machine: of 1,100 clients, {served} got their "*" and {refused} were refused at FD_SETSIZE; the server stayed up and served {after} more afterwards.',
      ko: '이 컴퓨터에서: 클라이언트 1,100개 중 {served}개는 "*"를 받았고 {refused}개는 FD_SETSIZE에서 거절됐습니다. 서버는 살아 있었고 그 뒤에 {after}개를 더 처리했습니다.',
    },
  },
  {
    id: 'select-scan-vs-epoll',
    title: { en: 'One busy client beside 1,000 idle ones: select vs epoll', ko: '놀고 있는 1,000개 옆의 바쁜 클라이언트 하나: select vs epoll' },
    runs: [pingPongBesideIdle('select', '05-select'), pingPongBesideIdle('epoll', '06-epoll')],
    measures: [
      { id: 'select', run: 'select', group: 'busy', metric: 'server-cpu-per-reply' },
      { id: 'epoll', run: 'epoll', group: 'busy', metric: 'server-cpu-per-reply' },
      { id: 'selectRate', run: 'select', group: 'busy', metric: 'replies' },
      { id: 'epollRate', run: 'epoll', group: 'busy', metric: 'replies' },
    ],
    figure: {
      en: 'On this machine: each reply cost the server {select} of CPU with select ({selectRate} replies in 5 s) and {epoll} with epoll ({epollRate}).',
      ko: '이 컴퓨터에서: 응답 하나에 서버 CPU가 select는 {select}(5초에 {selectRate}개), epoll은 {epoll}({epollRate}개) 들었습니다.',
    },
  },
  {
    id: 'epoll-ten-thousand',
    title: { en: '10,000 clients, one thread', ko: '클라이언트 10,000개, 스레드 하나' },
    runs: [{
      label: 'crowd', stage: '06-epoll', deadlineMs: 60_000,
      clients: [{ label: 'crowd', count: 10_000, script: { kind: 'echo', frame: ECHO_FRAME, everyMs: 1_000, count: 3, holdMs: 1_000 } }],
    }],
    measures: [
      { id: 'served', run: 'crowd', metric: 'clients-served' },
      { id: 'threads', run: 'crowd', metric: 'server-threads-peak' },
      { id: 'rss', run: 'crowd', metric: 'server-rss-peak' },
      { id: 'p50', run: 'crowd', metric: 'reply-latency-p50' },
    ],
    figure: {
      en: 'On this machine: {served} of 10,000 clients were served by {threads} thread in {rss} of memory; median reply {p50}.',
      ko: '이 컴퓨터에서: 클라이언트 10,000개 중 {served}개를 스레드 {threads}개가 메모리 {rss}로 처리했습니다. 응답 중앙값은 {p50}였습니다.',
    },
  },
  {
    id: 'fd-table',
    title: { en: 'The server\'s fd table', ko: '서버의 fd 테이블' },
    runs: [{
      label: 'five', stage: '06-epoll', deadlineMs: 20_000,
      clients: [{ label: 'clients', count: 5, script: { kind: 'idle', holdMs: 2_000 } }],
    }],
    measures: [{ id: 'fds', run: 'five', metric: 'server-fd-table' }],
    figure: {
      en: 'On this machine, with 5 clients connected, the server\'s fds were: {fds}.',
      ko: '이 컴퓨터에서 클라이언트 5개가 붙어 있을 때 서버의 fd: {fds}.',
    },
  },
  {
    id: 'context-switches',
    title: { en: 'Context switches per reply: threads vs epoll', ko: '응답당 컨텍스트 스위치: 스레드 vs epoll' },
    runs: (['02-thread-per-client', '06-epoll'] as const).map((stage) => ({
      label: stage === '06-epoll' ? 'epoll' : 'threads', stage, deadlineMs: 30_000,
      clients: [{ label: 'busy', count: 100, script: { kind: 'ping-pong', frame: ECHO_FRAME, durationMs: 5_000 } } as const],
    })),
    measures: [
      { id: 'threads', run: 'threads', metric: 'server-switches-per-reply' },
      { id: 'epoll', run: 'epoll', metric: 'server-switches-per-reply' },
      { id: 'threadsCpu', run: 'threads', metric: 'server-cpu-per-reply' },
      { id: 'epollCpu', run: 'epoll', metric: 'server-cpu-per-reply' },
    ],
    figure: {
      en: 'On this machine, 100 busy clients for 5 s: {threads} context switches and {threadsCpu} of CPU per reply with a thread each; {epoll} and {epollCpu} with one epoll thread.',
      ko: '이 컴퓨터에서 바쁜 클라이언트 100개로 5초 동안: 스레드를 하나씩 주면 응답당 컨텍스트 스위치 {threads}번, CPU {threadsCpu}, epoll 스레드 하나면 {epoll}번, {epollCpu}였습니다.',
    },
  },
  {
    id: 'libuv-loop-vs-pool',
    title: { en: 'A slow request on the loop vs in the pool', ko: '느린 요청: 루프에서 vs 스레드 풀에서' },
    runs: [
      { label: 'loop', stage: '07-libuv', args: ['--work-on-loop'], clients: slowRequestBeside(1), deadlineMs: 30_000 },
      { label: 'pool', stage: '07-libuv', clients: slowRequestBeside(1), deadlineMs: 30_000 },
    ],
    measures: [
      { id: 'work', run: 'pool', group: 'slow', metric: 'work-duration' },
      { id: 'loop', run: 'loop', group: 'echo', metric: 'reply-latency-max' },
      { id: 'pool', run: 'pool', group: 'echo', metric: 'reply-latency-max' },
    ],
    figure: {
      en: 'On this machine: while a {work} prime test ran, another client\'s slowest echo took {loop} with the work on the loop and {pool} with uv_queue_work.',
      ko: '이 컴퓨터에서: {work} 걸리는 소수 판별이 도는 동안, 다른 클라이언트의 가장 느린 에코는 루프에서 계산하면 {loop}, uv_queue_work로 넘기면 {pool}였습니다.',
    },
  },
  {
    id: 'ae-slow-command',
    title: { en: 'A slow command freezes every client and the timer', ko: '느린 명령 하나가 모든 클라이언트와 타이머를 멈춤' },
    runs: [{ label: 'ae', stage: '08-ae', clients: slowRequestBeside(3, 1, 900), deadlineMs: 30_000 }],
    measures: [
      { id: 'work', run: 'ae', group: 'slow', metric: 'work-duration' },
      { id: 'echo', run: 'ae', group: 'echo', metric: 'reply-latency-max' },
      { id: 'late', run: 'ae', metric: 'timer-late-max' },
    ],
    figure: {
      en: 'On this machine: a {work} request froze the 3 other clients for up to {echo}, and the one-second timer fired {late} late.',
      ko: '이 컴퓨터에서: {work} 걸리는 요청 하나 때문에 다른 클라이언트 3개가 최대 {echo} 멈췄고, 1초 타이머는 {late} 늦게 울렸습니다.',
    },
  },
  {
    id: 'green-threads-on-carriers',
    title: { en: '1,000 clients on 2 carriers', ko: '캐리어 2개 위의 클라이언트 1,000개' },
    runs: [{
      label: 'green', stage: '09-green-threads', args: ['--carriers', '2'], deadlineMs: 30_000,
      clients: [{ label: 'crowd', count: 1_000, script: { kind: 'echo', frame: ECHO_FRAME, everyMs: 500, count: 4, holdMs: 500 } }],
    }],
    measures: [
      { id: 'green', run: 'green', metric: 'green-threads-peak' },
      { id: 'threads', run: 'green', metric: 'server-threads-peak' },
      { id: 'served', run: 'green', metric: 'clients-served' },
      { id: 'p50', run: 'green', metric: 'reply-latency-p50' },
    ],
    figure: {
      en: 'On this machine: {green} green threads ran on {threads} OS threads in all; {served} clients served, median reply {p50}.',
      ko: '이 컴퓨터에서: 그린 스레드 {green}개가 OS 스레드 통틀어 {threads}개 위에서 돌았습니다. 클라이언트 {served}개 처리, 응답 중앙값 {p50}.',
    },
  },
  {
    id: 'carrier-pinning',
    title: { en: 'Slow requests pin carriers', ko: '느린 요청이 캐리어를 묶어 둠' },
    runs: [
      { label: 'free', stage: '09-green-threads', args: ['--carriers', '2'], clients: slowRequestBeside(3, 1), deadlineMs: 30_000 },
      { label: 'pinned', stage: '09-green-threads', args: ['--carriers', '2'], clients: slowRequestBeside(3, 2), deadlineMs: 30_000 },
    ],
    measures: [
      { id: 'work', run: 'pinned', group: 'slow', metric: 'work-duration' },
      { id: 'free', run: 'free', group: 'echo', metric: 'reply-latency-max' },
      { id: 'pinned', run: 'pinned', group: 'echo', metric: 'reply-latency-max' },
    ],
    figure: {
      en: 'On this machine, 2 carriers: with one slow request the other clients\' slowest echo took {free}; with two ({work} each), every carrier was pinned and it took {pinned}.',
      ko: '이 컴퓨터에서 캐리어 2개로: 느린 요청이 하나면 다른 클라이언트의 가장 느린 에코가 {free}, 둘이면({work}씩) 캐리어가 모두 묶여서 {pinned} 걸렸습니다.',
    },
  },
];

const byId = new Map<string, Experiment>(EXPERIMENTS.map((e) => [e.id, e]));

export function findExperiment(id: string): Experiment | undefined {
  return byId.get(id);
}

/** Every stage an experiment runs, in run order, once each. */
export function experimentStages(experiment: Experiment): StageId[] {
  return [...new Set(experiment.runs.map((run) => run.stage))];
}

/** A measured value: a number in the metric's unit (seconds, ms, µs, MiB, count) or text. */
export type MeasuredValue = number | string;

const UNIT_SUFFIX: Readonly<Record<NoteLanguage, Readonly<Record<Exclude<Unit, 'count' | 'ratio' | 'text'>, string>>>> = {
  en: { s: ' s', ms: ' ms', us: ' µs', MiB: ' MiB' },
  ko: { s: '초', ms: 'ms', us: 'µs', MiB: 'MiB' },
};

/** Digits grouped by thousands with commas, the same in English and Korean. */
function grouped(value: number, decimals: number): string {
  const [whole, fraction] = value.toFixed(decimals).split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = whole.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? `${sign}${digits}` : `${sign}${digits}.${fraction}`;
}

export function formatValue(value: MeasuredValue, unit: Unit, language: NoteLanguage): string {
  if (typeof value === 'string' || unit === 'text') return String(value);
  switch (unit) {
    case 'count':
      return grouped(Math.round(value), 0);
    case 'ratio':
      return grouped(value, value < 10 ? 2 : 1);
    case 's':
      return grouped(value, value < 10 ? 2 : 1) + UNIT_SUFFIX[language].s;
    case 'ms':
    case 'us':
      return grouped(value, value < 10 ? 1 : 0) + UNIT_SUFFIX[language][unit];
    case 'MiB':
      return grouped(value, 1) + UNIT_SUFFIX[language].MiB;
  }
}

/** The experiment's figure with every measured placeholder filled; missing values show as "?". */
export function formatFigure(
  experiment: Experiment,
  language: NoteLanguage,
  values: Readonly<Record<string, MeasuredValue | undefined>>,
): string {
  const units = new Map(experiment.measures.map((m) => [m.id, METRIC_UNITS[m.metric]]));
  return experiment.figure[language].replace(/\{([A-Za-z0-9]+)\}/g, (whole, id: string) => {
    const unit = units.get(id);
    const value = values[id];
    if (unit === undefined) return whole;
    return value === undefined ? '?' : formatValue(value, unit, language);
  });
}

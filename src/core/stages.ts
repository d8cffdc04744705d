/**
 * The catalog of server stages: the single list that the command line, the extension and the
 * tests share. A stage's id is its folder name under `servers/` and its binary name in the build
 * directory (see servers/Makefile).
 */

export type StageId =
  | '01-sequential'
  | '02-thread-per-client'
  | '03-blocking-io'
  | '04-nonblocking-polling'
  | '05-select'
  | '06-epoll'
  | '07-libuv'
  | '08-ae'
  | '09-green-threads';

/** Where a stage does the CPU-heavy work request, which decides what a slow request blocks. */
export type WorkPlacement = 'blocks-everyone' | 'blocks-one-thread' | 'thread-pool' | 'pins-carrier';

/** How many connections a stage can usefully take at once; the benchmark sweep is capped by it. */
export type Concurrency = 'serial' | 'threads' | 'polling' | 'fd-setsize' | 'unbounded';

export interface StageInfo {
  readonly id: StageId;
  readonly number: number;
  /** Short English title; the UI localizes it through its own string tables. */
  readonly title: string;
  /** One line: the model in the words of the notes. */
  readonly model: string;
  /** The letter of the section in the user's notes that this stage teaches. */
  readonly notesSection: string;
  readonly work: WorkPlacement;
  readonly concurrency: Concurrency;
  /** External libraries the stage links against (checked before building). */
  readonly libraries: readonly 'libuv'[];
  /** The stage's main source file, relative to `servers/`. */
  readonly mainSource: string;
}

export const STAGES: readonly StageInfo[] = [
  {
    id: '01-sequential', number: 1, title: 'Sequential',
    model: 'One client at a time; the rest wait in the listen backlog.',
    notesSection: 'A', work: 'blocks-everyone', concurrency: 'serial', libraries: [],
    mainSource: '01-sequential/main.c',
  },
  {
    id: '02-thread-per-client', number: 2, title: 'Thread per client',
    model: 'A new OS thread for every connection.',
    notesSection: 'B', work: 'blocks-one-thread', concurrency: 'threads', libraries: [],
    mainSource: '02-thread-per-client/main.c',
  },
  {
    id: '03-blocking-io', number: 3, title: 'Blocking I/O',
    model: 'One thread asleep in recv; a second client gets nothing until the first leaves.',
    notesSection: 'C', work: 'blocks-everyone', concurrency: 'serial', libraries: [],
    mainSource: '03-blocking-io/main.c',
  },
  {
    id: '04-nonblocking-polling', number: 4, title: 'Non-blocking I/O with polling',
    model: 'O_NONBLOCK sockets asked again and again; EAGAIN, sleep, poll again.',
    notesSection: 'D', work: 'blocks-everyone', concurrency: 'polling', libraries: [],
    mainSource: '04-nonblocking-polling/main.c',
  },
  {
    id: '05-select', number: 5, title: 'select',
    model: 'One thread waits on every socket with select; the fd set is rebuilt on every call.',
    notesSection: 'E', work: 'blocks-everyone', concurrency: 'fd-setsize', libraries: [],
    mainSource: '05-select/main.c',
  },
  {
    id: '06-epoll', number: 6, title: 'epoll / kqueue',
    model: 'Register each socket once; the kernel returns only the ready ones.',
    notesSection: 'F', work: 'blocks-everyone', concurrency: 'unbounded', libraries: [],
    mainSource: '06-epoll/main.c',
  },
  {
    id: '07-libuv', number: 7, title: 'libuv',
    model: 'A libuv event loop; heavy work goes to the thread pool with uv_queue_work.',
    notesSection: 'G', work: 'thread-pool', concurrency: 'unbounded', libraries: ['libuv'],
    mainSource: '07-libuv/main.c',
  },
  {
    id: '08-ae', number: 8, title: 'ae event loop',
    model: 'A small Redis-style ae loop: file and time events, backend chosen at compile time.',
    notesSection: 'H', work: 'blocks-everyone', concurrency: 'unbounded', libraries: [],
    mainSource: '08-ae/main.c',
  },
  {
    id: '09-green-threads', number: 9, title: 'Green threads',
    model: 'Blocking-style handlers on green threads, parked on EAGAIN and resumed on a few carrier threads.',
    notesSection: 'h-6', work: 'pins-carrier', concurrency: 'unbounded', libraries: [],
    mainSource: '09-green-threads/main.c',
  },
];

const byId = new Map<string, StageInfo>(STAGES.map((s) => [s.id, s]));

export function isStageId(value: string): value is StageId {
  return byId.has(value);
}

/** Looks a stage up by id, or by its number ("6", "06"). */
export function findStage(idOrNumber: string): StageInfo | undefined {
  const exact = byId.get(idOrNumber);
  if (exact) return exact;
  if (/^\d{1,2}$/.test(idOrNumber)) {
    const n = Number(idOrNumber);
    return STAGES.find((s) => s.number === n);
  }
  return STAGES.find((s) => s.id.slice(3) === idOrNumber);
}

/** The path through the stages: the one after the furthest stage visited (the first to begin with). */
export function nextStage(visited: (id: StageId) => boolean): StageInfo | undefined {
  let furthest = -1;
  STAGES.forEach((s, i) => {
    if (visited(s.id)) furthest = i;
  });
  return STAGES[furthest + 1];
}

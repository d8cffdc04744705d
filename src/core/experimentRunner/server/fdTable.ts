/**
 * A server's file descriptor table, as the notes' "everything is a file" puts it: what each fd
 * number is (listening socket, client socket, epoll instance, pipe, ...), read from
 * /proc/<pid>/fd and /proc/<pid>/net/tcp{,6}, and said as runs: "0 /dev/null, 1–2 pipe, ...".
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { type Localized } from '../../notes/language';

export type FdKind = 'stdin' | 'stdout' | 'stderr' | 'listening socket' | 'client socket' | 'socket' | 'epoll' | 'eventfd' | 'pipe' | 'timerfd' | 'signalfd' | 'inotify' | 'null' | 'terminal' | 'file';

export interface FdEntry {
  readonly fd: number;
  readonly kind: FdKind;
  /** For files: the path. */
  readonly path?: string;
}

const KIND_WORDS: Readonly<Record<FdKind, Localized>> = {
  'stdin': { en: 'stdin', ko: '표준 입력' },
  'stdout': { en: 'stdout', ko: '표준 출력' },
  'stderr': { en: 'stderr', ko: '표준 오류' },
  'listening socket': { en: 'listening socket', ko: '리슨 소켓' },
  'client socket': { en: 'client socket', ko: '클라이언트 소켓' },
  'socket': { en: 'socket', ko: '소켓' },
  'epoll': { en: 'epoll', ko: 'epoll' },
  'eventfd': { en: 'eventfd', ko: 'eventfd' },
  'pipe': { en: 'pipe', ko: '파이프' },
  'timerfd': { en: 'timerfd', ko: 'timerfd' },
  'signalfd': { en: 'signalfd', ko: 'signalfd' },
  'inotify': { en: 'inotify', ko: 'inotify' },
  'null': { en: '/dev/null', ko: '/dev/null' },
  'terminal': { en: 'terminal', ko: '터미널' },
  'file': { en: 'file', ko: '파일' },
};

/** TCP socket inodes from /proc/net/tcp-style text: listening (st 0A) or a connection (any other state). */
export function tcpInodes(text: string): Map<string, 'listening socket' | 'client socket'> {
  const inodes = new Map<string, 'listening socket' | 'client socket'>();
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length > 9) inodes.set(fields[9], fields[3] === '0A' ? 'listening socket' : 'client socket');
  }
  return inodes;
}

/** What a /proc/<pid>/fd link target is: `socket:[123]`, `anon_inode:[eventpoll]`, `pipe:[9]`, a path; 0-2 by number. */
const STDIO: readonly FdKind[] = ['stdin', 'stdout', 'stderr'];

export function classifyFd(fd: number, target: string, tcp: ReadonlyMap<string, FdKind>): FdEntry {
  // Whatever they are connected to (here: pipes to the extension), 0-2 are the standard streams.
  if (fd < STDIO.length) return { fd, kind: STDIO[fd] };
  const socket = /^socket:\[(\d+)\]$/.exec(target);
  if (socket) return { fd, kind: tcp.get(socket[1]) ?? 'socket' };
  if (target.startsWith('pipe:')) return { fd, kind: 'pipe' };
  const anon = /^anon_inode:\[?([a-z]+)/.exec(target);
  if (anon) {
    const name = anon[1];
    if (name === 'eventpoll') return { fd, kind: 'epoll' };
    if (name === 'eventfd' || name === 'timerfd' || name === 'signalfd' || name === 'inotify') return { fd, kind: name };
    return { fd, kind: 'file', path: target };
  }
  if (target === '/dev/null') return { fd, kind: 'null' };
  if (/^\/dev\/(pts\/\d+|tty)/.test(target)) return { fd, kind: 'terminal' };
  return { fd, kind: 'file', path: target };
}

/** Consecutive fds of the same kind as one run: "5–9 client socket". */
export function describeFdTable(entries: readonly FdEntry[]): Localized {
  const sorted = [...entries].sort((a, b) => a.fd - b.fd);
  const runs: { from: number; to: number; entry: FdEntry }[] = [];
  for (const entry of sorted) {
    const last = runs[runs.length - 1];
    const same = last && last.to === entry.fd - 1 && last.entry.kind === entry.kind && last.entry.path === entry.path;
    if (same) last.to = entry.fd;
    else runs.push({ from: entry.fd, to: entry.fd, entry });
  }
  const phrase = (language: keyof Localized) =>
    runs
      .map(({ from, to, entry }) => {
        const numbers = from === to ? String(from) : `${from}–${to}`;
        const what = entry.path ?? KIND_WORDS[entry.kind][language];
        return `${numbers} ${what}`;
      })
      .join(', ');
  return { en: phrase('en'), ko: phrase('ko') };
}

async function readOptional(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

/** The process's fd table now (Linux). */
export async function readFdTable(pid: number): Promise<FdEntry[]> {
  const [tcp, tcp6, fds] = await Promise.all([
    readOptional(`/proc/${pid}/net/tcp`),
    readOptional(`/proc/${pid}/net/tcp6`),
    readdir(`/proc/${pid}/fd`),
  ]);
  const inodes = new Map([...tcpInodes(tcp), ...tcpInodes(tcp6)]);
  const entries = await Promise.all(
    fds.map(async (name) => {
      try {
        return classifyFd(Number(name), await readlink(`/proc/${pid}/fd/${name}`), inodes);
      } catch {
        return undefined; // closed between the listing and the read
      }
    }),
  );
  return entries.filter((e): e is FdEntry => e !== undefined);
}

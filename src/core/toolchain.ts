/**
 * What building the stages needs (a C compiler, make, and for 07-libuv pkg-config + libuv), what
 * is missing on this machine, the exact command that installs it here, and the `make` invocation
 * itself. Plain data, so the command line prints it and the extension turns it into a message
 * with a "copy command" button and a build task.
 *
 * libuv is looked up the way servers/07-libuv/stage.mk does (`pkg-config --exists libuv`), so
 * "found" here means "the Makefile will build it".
 */
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { StageInfo } from './stages';

export type Tool = 'compiler' | 'make' | 'pkg-config' | 'libuv';

export interface ToolchainStatus {
  readonly platform: NodeJS.Platform;
  /** Linux distribution family from /etc/os-release (`debian`, `fedora`, ...), when known. */
  readonly distro?: string;
  /** The C compiler command that works: the one chosen, or the first of `compilerCandidates`. */
  readonly compiler?: string;
  readonly make?: string;
  readonly pkgConfig?: string;
  readonly libuv: boolean;
  readonly missing: readonly Tool[];
  /** One shell command installing everything missing, or undefined if nothing is or none is known. */
  readonly installCommand?: string;
  /** Set when this platform cannot build the stages at all (Windows outside WSL). */
  readonly unsupported?: string;
}

export interface ProbeOptions {
  /** A compiler the user chose (setting or --cc): tried first, before the usual order. */
  readonly compiler?: string;
  /**
   * Try `compiler` and nothing else: when it does not run, the compiler is missing (the user
   * chose it, so it is not quietly replaced by $CC, cc, gcc or clang).
   */
  readonly onlyCompiler?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

const PROBE_TIMEOUT_MS = 5_000;

/** The compilers tried when none is chosen, after `$CC` (as make does, `CC` comes first). */
export const DEFAULT_COMPILERS: readonly string[] = ['cc', 'gcc', 'clang'];

/**
 * The compilers the probe tries, in order: the chosen one (alone with `onlyCompiler`), then
 * `$CC`, then cc, gcc and clang. The one order for the extension and the command line.
 */
export function compilerCandidates(options: Pick<ProbeOptions, 'compiler' | 'onlyCompiler'>, env: NodeJS.ProcessEnv): readonly string[] {
  const chosen = options.compiler?.trim();
  if (options.onlyCompiler && chosen) return [chosen];
  const candidates = [chosen, env.CC?.trim(), ...DEFAULT_COMPILERS].filter((c): c is string => !!c);
  return [...new Set(candidates)];
}

function runs(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(command, [...args], { timeout: PROBE_TIMEOUT_MS, env }, (err) => resolve(!err));
  });
}

async function firstThatRuns(candidates: readonly string[], args: readonly string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const c of candidates) if (await runs(c, args, env)) return c;
  return undefined;
}

/** The distribution family, from ID and ID_LIKE of /etc/os-release. */
export async function linuxDistro(): Promise<string | undefined> {
  try {
    const text = await readFile('/etc/os-release', 'utf8');
    const field = (name: string) => new RegExp(`^${name}="?([^"\\n]*)"?`, 'm').exec(text)?.[1] ?? '';
    const ids = `${field('ID')} ${field('ID_LIKE')}`.split(/\s+/);
    for (const family of ['debian', 'ubuntu', 'fedora', 'rhel', 'centos', 'arch', 'alpine', 'suse', 'opensuse']) {
      if (ids.some((id) => id === family || id.startsWith(`${family}-`))) return family === 'ubuntu' ? 'debian' : family;
    }
    return ids[0] || undefined;
  } catch {
    return undefined;
  }
}

export async function probeToolchain(options: ProbeOptions = {}): Promise<ToolchainStatus> {
  const env = options.env ?? process.env;
  const platform = process.platform;
  if (platform === 'win32') {
    return {
      platform, libuv: false, missing: ['compiler', 'make', 'pkg-config', 'libuv'],
      unsupported: 'The stages use POSIX sockets, epoll/kqueue and pthreads: open this folder in WSL (Windows Subsystem for Linux).',
    };
  }
  const compilers = compilerCandidates(options, env);
  const [compiler, make, pkgConfig, distro] = await Promise.all([
    firstThatRuns(compilers, ['--version'], env),
    firstThatRuns(platform === 'linux' ? ['make'] : ['make', 'gmake'], ['--version'], env),
    firstThatRuns(['pkg-config', 'pkgconf'], ['--version'], env),
    platform === 'linux' ? linuxDistro() : Promise.resolve(undefined),
  ]);
  const libuv = pkgConfig !== undefined && (await runs(pkgConfig, ['--exists', 'libuv'], env));
  const missing: Tool[] = [];
  if (!compiler) missing.push('compiler');
  if (!make) missing.push('make');
  if (!pkgConfig) missing.push('pkg-config');
  if (!libuv) missing.push('libuv');
  const installCommand = installCommandFor(missing, platform, distro);
  return {
    platform,
    ...(distro ? { distro } : {}),
    ...(compiler ? { compiler } : {}),
    ...(make ? { make } : {}),
    ...(pkgConfig ? { pkgConfig } : {}),
    libuv,
    missing,
    ...(installCommand ? { installCommand } : {}),
  };
}

/** Package names per family, in the order compiler, make, pkg-config, libuv. */
const PACKAGES: Readonly<Record<string, { readonly prefix: string; readonly names: Readonly<Record<Tool, string>> }>> = {
  debian: { prefix: 'sudo apt-get install -y', names: { compiler: 'build-essential', make: 'make', 'pkg-config': 'pkg-config', libuv: 'libuv1-dev' } },
  fedora: { prefix: 'sudo dnf install -y', names: { compiler: 'gcc', make: 'make', 'pkg-config': 'pkgconf-pkg-config', libuv: 'libuv-devel' } },
  rhel: { prefix: 'sudo dnf install -y', names: { compiler: 'gcc', make: 'make', 'pkg-config': 'pkgconf-pkg-config', libuv: 'libuv-devel' } },
  centos: { prefix: 'sudo dnf install -y', names: { compiler: 'gcc', make: 'make', 'pkg-config': 'pkgconf-pkg-config', libuv: 'libuv-devel' } },
  arch: { prefix: 'sudo pacman -S --needed', names: { compiler: 'gcc', make: 'make', 'pkg-config': 'pkgconf', libuv: 'libuv' } },
  alpine: { prefix: 'sudo apk add', names: { compiler: 'build-base', make: 'make', 'pkg-config': 'pkgconf', libuv: 'libuv-dev' } },
  suse: { prefix: 'sudo zypper install -y', names: { compiler: 'gcc', make: 'make', 'pkg-config': 'pkg-config', libuv: 'libuv-devel' } },
  opensuse: { prefix: 'sudo zypper install -y', names: { compiler: 'gcc', make: 'make', 'pkg-config': 'pkg-config', libuv: 'libuv-devel' } },
};

/** The one command that installs `missing` on this platform, or undefined when nothing is missing or the platform is unknown. */
export function installCommandFor(missing: readonly Tool[], platform: NodeJS.Platform, distro: string | undefined): string | undefined {
  if (missing.length === 0) return undefined;
  if (platform === 'darwin') {
    const steps: string[] = [];
    if (missing.includes('compiler') || missing.includes('make')) steps.push('xcode-select --install');
    const brew = (['pkg-config', 'libuv'] as const).filter((t) => missing.includes(t));
    if (brew.length) steps.push(`brew install ${brew.join(' ')}`);
    return steps.join(' && ');
  }
  const family = distro ? PACKAGES[distro] : undefined;
  if (!family) return undefined;
  const names = [...new Set(missing.map((t) => family.names[t]))];
  return `${family.prefix} ${names.join(' ')}`;
}

/** Tools a stage needs, beyond which it cannot be built. */
export function toolsFor(stage: StageInfo): readonly Tool[] {
  return stage.libraries.includes('libuv') ? ['compiler', 'make', 'pkg-config', 'libuv'] : ['compiler', 'make'];
}

export interface Buildability {
  readonly buildable: boolean;
  readonly missing: readonly Tool[];
  /** What to tell the user when not buildable. */
  readonly reason?: string;
  readonly installCommand?: string;
}

export function stageBuildability(stage: StageInfo, status: ToolchainStatus): Buildability {
  if (status.unsupported) return { buildable: false, missing: toolsFor(stage), reason: status.unsupported };
  const missing = toolsFor(stage).filter((t) => status.missing.includes(t));
  if (missing.length === 0) return { buildable: true, missing };
  const installCommand = installCommandFor(missing, status.platform, status.distro);
  const names = missing.map((t) => (t === 'compiler' ? 'a C compiler' : t)).join(', ');
  return {
    buildable: false,
    missing,
    reason: `missing ${names}${installCommand ? `; install with: ${installCommand}` : ''}`,
    ...(installCommand ? { installCommand } : {}),
  };
}

export interface MakeRequest {
  /** The folder holding the Makefile (the shipped `servers/`, or a playground copy). */
  readonly serversDir: string;
  /** Where binaries go (BUILD_DIR); must be writable. */
  readonly buildDir: string;
  /** Stage ids; empty builds every stage. */
  readonly stages?: readonly string[];
  /** ASan + UBSan variants (BUILD_DIR/sanitize/<id>). */
  readonly sanitize?: boolean;
  /** Passed as CC= when set. */
  readonly compiler?: string;
  readonly jobs?: number;
}

export interface MakeInvocation {
  readonly command: string;
  readonly args: readonly string[];
}

export function makeInvocation(request: MakeRequest, make = 'make'): MakeInvocation {
  const stages = request.stages ?? [];
  const targets = request.sanitize ? (stages.length ? stages.map((s) => `sanitize-${s}`) : ['sanitize']) : stages;
  return {
    command: make,
    args: [
      '-C', request.serversDir,
      `-j${request.jobs ?? availableParallelism()}`,
      `BUILD_DIR=${request.buildDir}`,
      ...(request.compiler ? [`CC=${request.compiler}`] : []),
      ...targets,
    ],
  };
}

/** Where `make` puts a stage's binary. */
export function stageBinaryPath(buildDir: string, stageId: string, sanitize = false): string {
  return sanitize ? join(buildDir, 'sanitize', stageId) : join(buildDir, stageId);
}

/** Runs make, handing over each output line; resolves with its exit code (a signal counts as failure). */
export function runMake(invocation: MakeInvocation, onLine: (line: string, stream: 'stdout' | 'stderr') => void, signal?: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(invocation.command, [...invocation.args], { stdio: ['ignore', 'pipe', 'pipe'], ...(signal ? { signal } : {}) });
    for (const stream of ['stdout', 'stderr'] as const) {
      let pending = '';
      child[stream].setEncoding('utf8');
      child[stream].on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) onLine(line, stream);
      });
      child[stream].on('end', () => {
        if (pending) onLine(pending, stream);
      });
    }
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/**
 * Node cannot raise its own RLIMIT_NOFILE, but a shell can raise the soft limit up to the hard
 * one for the processes it starts. So when a benchmark needs more descriptors than the soft limit
 * and the hard limit allows it, the command line runs itself again under `ulimit -n`. The marker
 * variable stops a second relaunch if the shell could not raise it after all.
 */
import { spawn } from 'node:child_process';

export const RELAUNCH_MARKER = 'SERVER_MODELS_FD_RELAUNCHED';

/** `scriptAndArgs`: process.argv without the node binary (the script, then its arguments). */
export function relaunchWithFdLimit(needed: number, scriptAndArgs: readonly string[], env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    // $0 is the node binary, the rest its arguments; "$@" keeps them exactly as they were.
    const child = spawn('/bin/sh', ['-c', `ulimit -n ${needed} && exec "$0" "$@"`, process.execPath, ...process.execArgv, ...scriptAndArgs], {
      stdio: 'inherit',
      env: { ...env, [RELAUNCH_MARKER]: '1' },
    });
    const forward = () => child.kill('SIGINT');
    signal.addEventListener('abort', forward, { once: true });
    child.on('error', reject);
    child.on('exit', (code, sig) => {
      signal.removeEventListener('abort', forward);
      resolve(code ?? (sig ? 128 + 2 : 1));
    });
  });
}

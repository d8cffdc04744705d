/**
 * How a benchmarked stage was built, recorded with its results so that two runs are only
 * compared knowingly: the compiler's own version line and the flags of servers/Makefile.
 */
import { execFile } from 'node:child_process';
import { type BuildInfo } from './storedRun';

function firstLine(command: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, [...args], { timeout: 10_000 }, (err, stdout) => resolve(err ? undefined : stdout.split('\n')[0]?.trim()));
  });
}

export async function describeBuild(serversDir: string, compiler: string | undefined, make = 'make'): Promise<BuildInfo> {
  const cc = compiler ?? 'cc';
  const [version, flags] = await Promise.all([
    firstLine(cc, ['--version']),
    firstLine(make, ['-s', '-C', serversDir, 'flags', `CC=${cc}`]),
  ]);
  return {
    compiler: version ? `${cc} (${version})` : cc,
    flags: flags ?? 'unknown (make flags failed)',
    command: `${make} -C ${serversDir} CC=${cc}`,
    sources: serversDir,
  };
}

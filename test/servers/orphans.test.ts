/**
 * No stage outlives the process that started it: src/core/stageProcess.ts gives every stage a
 * stdin pipe, and servers/common/stop.c stops the stage when that pipe reaches end of file, so a
 * parent killed with SIGKILL (a crashed extension host) leaves no orphan behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { buildStage } from './harness';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const stage of ['03-blocking-io', '06-epoll', '09-green-threads'] as const) {
  test(`${stage} stops when its parent is killed`, async () => {
    const binary = await buildStage(stage);
    // A parent Node process that starts the stage and prints its pid, then waits to be killed.
    const parentScript = `
      require('tsx/cjs');
      const { StageProcess } = require(${JSON.stringify(path.resolve(__dirname, '../../src/core/stageProcess.ts'))});
      StageProcess.start({ binary: ${JSON.stringify(binary)} }).then((s) => console.log('pid ' + s.pid));
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const pid = await new Promise<number>((resolve, reject) => {
        let out = '';
        parent.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /pid (\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        parent.once('exit', () => reject(new Error(`the parent exited first: ${out}`)));
      });
      assert.ok(alive(pid), 'the stage runs');
      parent.kill('SIGKILL');
      await waitUntil(() => !alive(pid), `${stage} (pid ${pid}) to stop after its parent died`, 3000);
    } finally {
      parent.kill('SIGKILL');
    }
  });
}

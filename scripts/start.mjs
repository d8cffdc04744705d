// `npm start`: builds the extension and the C stages, then opens VS Code with the extension loaded.
// With a desktop `code` on PATH it launches `code --extensionDevelopmentPath=<repo>`; otherwise it
// serves the VS Code build the tests use on 127.0.0.1 (with a random connection token) and prints
// the URL to open in a browser.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, what) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.error || r.status !== 0) {
    console.error(`npm start: ${what} failed${r.error ? `: ${r.error.message}` : ''}`);
    process.exit(1);
  }
};

run(process.execPath, ['esbuild.mjs'], 'building the extension');
// The extension builds the stages itself on first use; building them here shows compiler problems early.
const make = spawnSync('make', ['-C', 'servers', '--no-print-directory'], { cwd: root, stdio: 'inherit' });
if (make.error) console.warn('npm start: make was not found; install a C compiler and make (Debian: apt-get install build-essential).');
else if (make.status !== 0) console.warn('npm start: some stages did not build (see above); the extension will say what is missing.');

const hasCode = spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
if (hasCode) {
  spawn('code', [`--extensionDevelopmentPath=${root}`, root], { stdio: 'inherit', detached: true }).unref();
  console.log('npm start: opened VS Code with Server Models loaded.');
} else {
  run('bash', ['.ci/install-vscode-host.sh'], 'installing the VS Code server');
  const codeServer = path.join(root, '.ci/vscode-host/node_modules/.bin/code-server');
  const serverMain = path.join(path.dirname(realpathSync(codeServer)), '../../lib/vscode/out/server-main.js');
  if (!existsSync(serverMain)) {
    console.error(`npm start: ${serverMain} is missing; delete .ci/vscode-host/node_modules and run npm start again.`);
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 8765);
  const token = randomBytes(16).toString('hex');
  const server = spawn(
    process.execPath,
    [serverMain, '--host', '127.0.0.1', '--port', String(port), '--connection-token', token, '--accept-server-license-terms',
      '--disable-telemetry', '--enable-smoke-test-driver'],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, EXTENSIONS_GALLERY: '{}' } },
  );
  const authority = `127.0.0.1:${port}`;
  const payload = JSON.stringify([['extensionDevelopmentPath', `vscode-remote://${authority}${root}`]]);
  const url = `http://${authority}/?tkn=${token}&folder=${encodeURIComponent(root)}&payload=${encodeURIComponent(payload)}`;
  server.stdout.on('data', (d) => {
    if (/Extension host agent listening|Web UI available/.test(String(d))) {
      console.log(`\nnpm start: open this URL in a browser (Ctrl+C here stops the server):\n\n  ${url}\n`);
    }
  });
  const stop = () => server.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.on('exit', (code) => process.exit(code ?? 0));
}

// Runs the integration suite inside a real VS Code extension host, offline.
//
// @vscode/test-electron downloads VS Code, which this kind of machine cannot. Instead: the VS Code
// server that ships inside the npm package `code-server` (.ci/vscode-host) starts on 127.0.0.1, and
// Debian's Chromium (driven by playwright-core) opens its workbench with VS Code's standard test
// payload (extensionDevelopmentPath + extensionTestsPath). VS Code then runs the suite's run() in
// its Node extension host and reports the result through window.codeAutomationExit, the same hook
// @vscode/test-web uses. Exit code = the suite's result.
//
// With INSTALL_VSIX=<file>, the packaged extension is installed into the server first and the
// suite named by EXT_TESTS_PATH runs beside a stand-in development extension (EXT_DEV_PATH), so it
// sees the installed extension, exactly as a user would get it.
//
// Knobs: CODE_SERVER (path of the code-server bin), CHROMIUM (default /usr/bin/chromium),
// VSCODE_TEST_TIMEOUT_MS (default 300000), VERBOSE=1, KEEP_TMP=1, SCREENSHOT_DIR (where a test's
// screenshots go; see test/integration/suite/screenshot.ts), SERVER_MODELS_TEST_FILES (a comma-separated
// list: only the suite files whose names contain one of them run), UNTRUSTED_WORKSPACE=1 (Workspace
// Trust on: the test workspace opens untrusted), VIEWPORT (the browser's size, WIDTHxHEIGHT, default
// 1400x900), VSCODE_LOCALE (the display language the server gives the workbench and the extension
// host, e.g. `ko`; VS Code's own UI stays English without its language pack, the extension's strings
// follow it).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const testsPath = path.resolve(root, process.env.EXT_TESTS_PATH ?? 'out/test/integration/suite/index');
const developmentPath = path.resolve(root, process.env.EXT_DEV_PATH ?? '.');
const vsix = process.env.INSTALL_VSIX ? path.resolve(root, process.env.INSTALL_VSIX) : undefined;
const untrusted = process.env.UNTRUSTED_WORKSPACE === '1';
const codeServer =
  process.env.CODE_SERVER ??
  [path.join(root, '.ci/vscode-host/node_modules/.bin/code-server'), path.join(root, 'node_modules/.bin/code-server')].find((p) => existsSync(p));
const chromePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const timeoutMs = Number(process.env.VSCODE_TEST_TIMEOUT_MS ?? 300_000);
const verbose = Boolean(process.env.VERBOSE);
const viewportMatch = /^(\d+)x(\d+)$/.exec(process.env.VIEWPORT ?? '1400x900');
if (!viewportMatch) {
  console.error(`integration: VIEWPORT must be WIDTHxHEIGHT, e.g. 1600x1000, not ${process.env.VIEWPORT}`);
  process.exit(2);
}
const viewport = { width: Number(viewportMatch[1]), height: Number(viewportMatch[2]) };
const locale = process.env.VSCODE_LOCALE;
const started = Date.now();
const say = (message) => console.log(`[integration +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);

// Workbench chatter that is not test output.
const NOISE = [
  /^Resolving connection token/, /^Resolved connection token/, /^Creating a socket/, /^\[Service Worker\]/,
  /^Updating additional builtin extensions cache/, /^Ignoring fetching additional builtin extensions/,
  /^\[reconnection-grace-time\]/, /ENOTFOUND|ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED/,
];

if (!codeServer) {
  console.error('integration: the VS Code test host is not installed. Run: bash .ci/install-vscode-host.sh');
  process.exit(2);
}
if (!existsSync(chromePath)) {
  console.error(`integration: no Chromium at ${chromePath}. Install it (Debian: apt-get install chromium) or set CHROMIUM.`);
  process.exit(2);
}
if (!existsSync(`${testsPath}.js`)) {
  console.error('integration: the suite is not built. Run: node esbuild.mjs --tests');
  process.exit(2);
}
if (vsix && !existsSync(vsix)) {
  console.error(`integration: ${vsix} does not exist. Run: npm run package`);
  process.exit(2);
}

const serverMain = path.join(path.dirname(realpathSync(codeServer)), '../../lib/vscode/out/server-main.js');
const vscodeVersion = JSON.parse(readFileSync(path.join(path.dirname(serverMain), '../package.json'), 'utf8')).version;

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const work = mkdtempSync(path.join(tmpdir(), 'server-models-vscode-'));
const dir = (name) => {
  const p = path.join(work, name);
  mkdirSync(p, { recursive: true });
  return p;
};
const userData = dir('user-data');
const home = dir('home');
const workspace = dir('workspace');
mkdirSync(path.join(userData, 'User'), { recursive: true });
writeFileSync(
  path.join(userData, 'User', 'settings.json'),
  JSON.stringify({
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'workbench.enableExperiments': false,
    'workbench.tips.enabled': false,
    'chat.disableAIFeatures': true,
    'terminal.integrated.gpuAcceleration': 'off',
    'git.openRepositoryInParentFolders': 'never',
    // Untrusted mode: no modal asking at startup (it would wait for a click), the banner instead.
    ...(untrusted ? { 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'always' } : {}),
  }),
);

const port = await freePort();
const screenshotDir = path.resolve(process.env.SCREENSHOT_DIR ?? dir('screenshots'));
mkdirSync(screenshotDir, { recursive: true });
const env = {
  ...process.env,
  SERVER_MODELS_SCREENSHOT_DIR: screenshotDir,
  HOME: home,
  TMPDIR: dir('tmp'),
  XDG_CONFIG_HOME: path.join(home, '.config'),
  XDG_DATA_HOME: path.join(home, '.local/share'),
  // No gallery: nothing may try to reach the marketplace.
  EXTENSIONS_GALLERY: '{}',
};
delete env.VSCODE_IPC_HOOK_CLI;
const extensionsDir = dir('extensions');
// The installed-.vsix suite checks that the extension it sees comes from here.
env.SERVER_MODELS_TEST_EXTENSIONS_DIR = extensionsDir;
if (vsix) {
  const installed = spawnSync(
    process.execPath,
    [serverMain, '--install-extension', vsix, '--force', '--accept-server-license-terms', '--user-data-dir', userData, '--server-data-dir', userData, '--extensions-dir', extensionsDir],
    { env, encoding: 'utf8', timeout: 120_000 },
  );
  if (installed.status !== 0 || !/successfully installed/i.test(`${installed.stdout}${installed.stderr}`)) {
    console.error(`integration: installing ${vsix} failed:\n${installed.stdout}\n${installed.stderr}`);
    process.exit(1);
  }
  say(`installed ${path.basename(vsix)}: ${installed.stdout.trim().split('\n').pop()}`);
}
// The bare server (not code-server's CLI) accepts --enable-smoke-test-driver, which newer
// workbenches require before they honour the test payload. Workspace trust is disabled so the
// test workspace counts as trusted (building and running need trust), except with
// UNTRUSTED_WORKSPACE=1, where the new workspace folder is untrusted as for any user.
const server = spawn(
  process.execPath,
  [serverMain, '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', '--accept-server-license-terms',
    '--enable-smoke-test-driver', '--disable-telemetry', ...(untrusted ? [] : ['--disable-workspace-trust']),
    ...(locale ? ['--locale', locale] : []),
    '--user-data-dir', userData, '--server-data-dir', userData, '--extensions-dir', extensionsDir],
  { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
);
const serverLog = [];
const onServerOutput = (data) => {
  for (const line of data.toString().split('\n')) {
    if (!line.trim()) continue;
    serverLog.push(line);
    if (verbose) console.log(`[server] ${line}`);
  }
};
server.stdout.on('data', onServerOutput);
server.stderr.on('data', onServerOutput);
let serverExited = false;
server.on('exit', () => (serverExited = true));
say(`VS Code ${vscodeVersion} (server from code-server) on 127.0.0.1:${port}, ${viewport.width}x${viewport.height}${locale ? `, locale ${locale}` : ''}`);

let browser;
let exitCode = 1;
async function cleanup() {
  try {
    await browser?.close();
  } catch {
    // already gone
  }
  // The whole process group: server, extension host, pty host, file watcher, and any stage the
  // suite started that outlived its test.
  const exited = new Promise((resolve) => (serverExited ? resolve() : server.once('exit', resolve)));
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  try {
    process.kill(-server.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  if (!process.env.KEEP_TMP) rmSync(work, { recursive: true, force: true });
}
const watchdog = setTimeout(() => {
  console.error(`integration: no result after ${timeoutMs} ms; last server output:\n${serverLog.slice(-40).join('\n')}`);
  void cleanup().then(() => process.exit(124));
}, timeoutMs);

try {
  for (;;) {
    if (serverExited) throw new Error(`the VS Code server exited early:\n${serverLog.join('\n')}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/version`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  browser = await chromium.launch({
    executablePath: chromePath,
    headless: true,
    env: { ...process.env, HOME: home },
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport, ...(locale ? { locale } : {}) });
  if (locale) {
    // The web workbench takes its display language from the message file of a language pack
    // (it sets globalThis._VSCODE_NLS_LANGUAGE); offline there is no Korean pack, so the server's
    // --locale alone leaves everything English. Setting what that file would set makes the
    // workbench tell the extension host `ko`: the extension speaks Korean, VS Code's own strings
    // stay English.
    await page.addInitScript((language) => {
      globalThis._VSCODE_NLS_LANGUAGE = language;
    }, locale);
  }
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const message = format(...(Array.isArray(args) ? args : [args]));
    // A test asks for a picture of the workbench as it is now, and waits for the .done file.
    const shot = /^\[screenshot\] ([\w-]+)$/.exec(message);
    if (shot) {
      const file = path.join(screenshotDir, `${shot[1]}.png`);
      void page.screenshot({ path: file }).finally(() => writeFileSync(`${file}.done`, ''));
      return;
    }
    if (!verbose && NOISE.some((re) => re.test(message))) return;
    (type === 'error' ? console.error : console.log)(message);
  });
  await page.exposeFunction('codeAutomationExit', (code) => finish(code));
  if (verbose) {
    page.on('console', (m) => console.log(`[browser:${m.type()}] ${m.text()}`));
    page.on('response', (r) => r.status() >= 400 && console.log(`[browser:http ${r.status()}] ${r.url()}`));
  }
  const authority = `127.0.0.1:${port}`;
  const remote = (p) => `vscode-remote://${authority}${p.split(path.sep).map(encodeURIComponent).join('/')}`;
  const payload = [['extensionDevelopmentPath', remote(developmentPath)], ['extensionTestsPath', remote(testsPath)]];
  await page.goto(`http://${authority}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  exitCode = await finished;
  if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT });
  say(`suite finished in VS Code ${vscodeVersion}, exit code ${exitCode}`);
} catch (err) {
  console.error(err);
  exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await cleanup();
}
process.exit(exitCode);

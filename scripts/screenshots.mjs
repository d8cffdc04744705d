// `npm run screenshots`: the screenshot tour (test/integration/suite/screenshotTour.tour.ts) in the
// served VS Code at 1600x1000: a default Run Stage of each of the nine stages, one picture each,
// then one stage again with the extension in Korean (VSCODE_LOCALE=ko), into .screenshots/
// (git-ignored). Not part of `npm test`: the pictures are for people to look at.
//   npm run screenshots                     all stages, then 09-green-threads in Korean
//   TOUR_STAGES=04-nonblocking-polling,07-libuv npm run screenshots
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, '.screenshots');
mkdirSync(out, { recursive: true });
const run = (command, args, env = {}) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`screenshots: ${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
    process.exit(result.status ?? 1);
  }
};

run('bash', ['.ci/install-vscode-host.sh']);
run(process.execPath, ['esbuild.mjs', '--tests']);
const tour = {
  SERVER_MODELS_SCREENSHOT_TOUR: '1',
  SERVER_MODELS_TEST_FILES: 'screenshotTour',
  SCREENSHOT_DIR: out,
  VIEWPORT: process.env.VIEWPORT ?? '1600x1000',
  VSCODE_TEST_TIMEOUT_MS: '1800000',
};
run(process.execPath, ['test/integration/runOffline.mjs'], { ...tour, SERVER_MODELS_TOUR_STAGES: process.env.TOUR_STAGES ?? '' });
if (!process.env.TOUR_STAGES) {
  run(process.execPath, ['test/integration/runOffline.mjs'], {
    ...tour,
    VSCODE_LOCALE: 'ko',
    SERVER_MODELS_TOUR_STAGES: '09-green-threads',
    SERVER_MODELS_TOUR_SUFFIX: '-ko',
  });
}
console.log(`screenshots: in ${out}`);

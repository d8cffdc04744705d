/**
 * The integration suite's entry point: VS Code loads this in the extension host (offline through
 * runOffline.mjs, or desktop through runElectron.ts) and awaits run().
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000 });
  // SERVER_MODELS_TEST_FILES=runStage,benchmark runs only the files whose names contain one of these.
  const only = (process.env.SERVER_MODELS_TEST_FILES ?? '').split(',').filter(Boolean);
  const chosen = (file: string) => only.length === 0 || only.some((part) => file.includes(part));
  // The screenshot tour (`npm run screenshots`) is a tool for people, not a test: it runs only when asked.
  const suffix = process.env.SERVER_MODELS_SCREENSHOT_TOUR === '1' ? '.tour.js' : '.test.js';
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith(suffix) && chosen(f)).sort()) {
    mocha.addFile(path.join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const { passes = 0, failures: failed = failures } = runner.stats ?? {};
      // A plain closing line that CI reads whatever the reporter.
      console.log(`integration: ${passes} passed, ${failed} failed`);
      if (failures > 0) reject(new Error(`${failures} integration tests failed`));
      else resolve();
    });
  });
}

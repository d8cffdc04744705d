/**
 * Asks the offline runner (test/integration/runOffline.mjs) for a screenshot of the workbench as
 * it is now. The runner reads the request from the log and writes `<name>.png` and then
 * `<name>.png.done` into SERVER_MODELS_SCREENSHOT_DIR, which this extension host shares with it.
 * Under desktop VS Code (no such runner) it does nothing.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from './waitFor';

export async function screenshot(name: string): Promise<string | undefined> {
  const dir = process.env.SERVER_MODELS_SCREENSHOT_DIR;
  if (!dir) return undefined;
  const file = path.join(dir, `${name}.png`);
  // A .done left by an earlier run would end the wait before this picture is taken.
  rmSync(`${file}.done`, { force: true });
  console.log(`[screenshot] ${name}`);
  await waitFor(() => existsSync(`${file}.done`), `screenshot ${name}`, 15_000);
  return file;
}

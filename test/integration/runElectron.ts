/**
 * Runs the same integration suite in desktop VS Code through @vscode/test-electron, for machines
 * that can download VS Code (this project's CI cannot; it uses runOffline.mjs instead).
 *   npm run test:electron            (VSCODE_VERSION=1.100.3 to pin another version)
 */
import path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  try {
    await runTests({
      version: process.env.VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out/test/integration/suite/index'),
      launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
    });
  } catch (err) {
    console.error('integration (desktop VS Code) failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  }
}

void main();

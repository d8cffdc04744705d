// Builds every bundle: the extension host (node, cjs), the command line (node, cjs), the webviews
// (browser), and, with --tests, the integration suite that runs inside VS Code.
//   node esbuild.mjs [--production] [--watch] [--tests]
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

const node = { ...common, platform: 'node', format: 'cjs', target: 'node20' };

/** @type {esbuild.BuildOptions[]} */
const builds = [
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...node, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: { panel: 'webview/panel/main.ts', notes: 'webview/notes/main.ts', bench: 'webview/bench/main.ts' },
    outdir: 'dist/webview',
  },
];
if (tests) {
  builds.push({
    ...node,
    sourcemap: true,
    minify: false,
    // One bundle per test file, loaded by index.js with mocha's addFile.
    entryPoints: ['test/integration/suite/index.ts', 'test/integration/suite/*.test.ts', 'test/integration/suite/*.tour.ts'],
    outdir: 'out/test/integration/suite',
    external: ['vscode', 'mocha'],
  });
  builds.push({
    ...node,
    sourcemap: true,
    minify: false,
    entryPoints: ['test/integration/vsix/index.ts'],
    outfile: 'out/test/integration/vsix/index.js',
    external: ['vscode', 'mocha'],
  });
  builds.push({
    ...node,
    sourcemap: true,
    minify: false,
    entryPoints: ['test/integration/untrusted/index.ts'],
    outfile: 'out/test/integration/untrusted/index.js',
    external: ['vscode', 'mocha'],
  });
}

function copyAssets() {
  // The codicon font is loaded by the webviews from dist/, which localResourceRoots allows.
  mkdirSync('dist/webview', { recursive: true });
  cpSync('node_modules/@vscode/codicons/dist/codicon.css', 'dist/webview/codicon.css');
  cpSync('node_modules/@vscode/codicons/dist/codicon.ttf', 'dist/webview/codicon.ttf');
}

// A production build starts from nothing, so no development leftovers (source maps) are packaged.
if (production) rmSync('dist', { recursive: true, force: true });
copyAssets();
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('esbuild: watching for changes');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}

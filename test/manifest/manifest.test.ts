/**
 * Lints package.json and the localization files against the code, in plain Node: the command
 * table and contributes.commands agree, every %key% has an English and a Korean string, every
 * vscode.l10n.t() string has a Korean entry, and the manifest keeps its promises (narrow
 * activation, workspace extension, trust).
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { COMMANDS } from '../../src/commands';

const root = path.resolve(__dirname, '../..');
const readJson = (rel: string): unknown => JSON.parse(readFileSync(path.join(root, rel), 'utf8'));

interface Manifest {
  name: string;
  engines: { vscode: string };
  main: string;
  l10n: string;
  extensionKind: string[];
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: unknown } };
  contributes: {
    commands: { command: string; title: string; category: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    views: Record<string, { id: string }[]>;
    configuration: { properties: Record<string, unknown> };
  };
  devDependencies: Record<string, string>;
}

const manifest = readJson('package.json') as Manifest;
const nlsEn = readJson('package.nls.json') as Record<string, string>;
const nlsKo = readJson('package.nls.ko.json') as Record<string, string>;
const bundleKo = readJson('l10n/bundle.l10n.ko.json') as Record<string, string>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : name.endsWith('.ts') ? [full] : [];
  });
}

/** The string literals passed to vscode.l10n.t / l10n.t in extension code. */
function l10nStrings(): Map<string, string> {
  const found = new Map<string, string>();
  const call = /\bl10n\.t\(\s*(['"`])((?:\\.|(?!\1).)*)\1/g;
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(call)) {
      if (m[1] === '`' && m[2].includes('${')) assert.fail(`${file}: l10n.t needs a literal, not a template with \${}`);
      found.set(m[2].replace(/\\(['"`\\])/g, '$1'), path.relative(root, file));
    }
  }
  return found;
}

test('the command table and contributes.commands declare the same commands', () => {
  const declared = manifest.contributes.commands.map((c) => c.command).sort();
  const table = Object.values(COMMANDS).sort();
  assert.deepEqual(declared, table);
  for (const c of manifest.contributes.commands) {
    assert.match(c.command, /^serverModels\.[a-z][A-Za-z]+$/, 'ids are serverModels.<verbNoun>');
    assert.equal(c.category, '%category%', `${c.command} is in the Server Models category`);
  }
});

test('commands are registered only through the table', () => {
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/registerCommand\(\s*(['"`])([^'"`]+)\1/g)) {
      assert.fail(`${path.relative(root, file)} registers ${m[2]} by a literal id; add it to src/commands.ts instead`);
    }
  }
});

test('menus and views only name declared commands and existing views', () => {
  const declared = new Set(Object.values(COMMANDS) as string[]);
  for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
    for (const item of items) assert.ok(declared.has(item.command), `${menu} names ${item.command}`);
  }
  const views = Object.values(manifest.contributes.views).flat().map((v) => v.id).sort();
  assert.deepEqual(views, ['serverModels.notes', 'serverModels.stages']);
});

test('every %key% in package.json has an English and a Korean string', () => {
  const keys = new Set([...JSON.stringify(manifest).matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]));
  assert.ok(keys.size > 10);
  for (const key of keys) {
    assert.ok(nlsEn[key], `package.nls.json lacks ${key}`);
    assert.ok(nlsKo[key], `package.nls.ko.json lacks ${key}`);
  }
  assert.deepEqual(Object.keys(nlsKo).sort(), Object.keys(nlsEn).sort(), 'both nls files have the same keys');
  for (const unused of Object.keys(nlsEn).filter((k) => !keys.has(k))) assert.fail(`package.nls.json has unused key ${unused}`);
});

test('every vscode.l10n.t string has a Korean translation, and none is stale', () => {
  const strings = l10nStrings();
  assert.ok(strings.size > 5);
  for (const [s, file] of strings) assert.ok(bundleKo[s], `l10n/bundle.l10n.ko.json lacks "${s}" (used in ${file})`);
  for (const key of Object.keys(bundleKo)) assert.ok(strings.has(key), `l10n/bundle.l10n.ko.json has stale "${key}"`);
  for (const [key, ko] of Object.entries(bundleKo)) {
    const placeholders = (t: string) => [...t.matchAll(/\{(\d+)\}/g)].map((m) => m[1]).sort().join();
    assert.equal(placeholders(ko), placeholders(key), `placeholders of "${key}" match in Korean`);
  }
});

test('the manifest keeps its promises', () => {
  assert.equal(manifest.name, 'server-models');
  assert.equal(manifest.engines.vscode, '^1.100.0');
  assert.equal(manifest.main, './dist/extension.js');
  assert.equal(manifest.l10n, './l10n');
  assert.deepEqual(manifest.extensionKind, ['workspace']);
  assert.ok(!manifest.activationEvents.includes('*'), 'no * activation');
  assert.ok(manifest.activationEvents.every((e) => !e.startsWith('onStartupFinished')), 'no startup activation');
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  const typesVscode = manifest.devDependencies['@types/vscode'].replace(/^[\^~]/, '');
  assert.ok(typesVscode <= manifest.engines.vscode.replace(/^[\^~]/, ''), '@types/vscode is not newer than engines.vscode');
  for (const key of Object.keys(manifest.contributes.configuration.properties)) assert.match(key, /^serverModels\./);
});

test('every file the manifest points at exists', () => {
  const icons = JSON.stringify(manifest.contributes).match(/media\/[\w./-]+/g) ?? [];
  for (const rel of icons) assert.ok(existsSync(path.join(root, rel)), `${rel} exists`);
});

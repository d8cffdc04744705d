/**
 * The walkthrough ("Step through server models"): one step per stage in order, each with a
 * localized text whose button runs that stage through a declared command, and a small, safe,
 * theme-aware diagram.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { STAGES } from '../../src/core/stages';
import { COMMANDS } from '../../src/commands';

const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: { walkthroughs: { id: string; steps: { id: string; title: string; description: string; media: { svg: string; altText: string } }[] }[] };
};
const nls = (lang: '' | '.ko') => JSON.parse(readFileSync(join(root, `package.nls${lang}.json`), 'utf8')) as Record<string, string>;
const key = (ref: string) => ref.replace(/^%|%$/g, '');

test('one step per stage, in order, whose button runs that stage', () => {
  const [walkthrough] = manifest.contributes.walkthroughs;
  assert.equal(walkthrough.steps.length, STAGES.length);
  const declared = new Set<string>(Object.values(COMMANDS));
  for (const lang of ['', '.ko'] as const) {
    const strings = nls(lang);
    walkthrough.steps.forEach((step, i) => {
      const stage = STAGES[i];
      assert.ok(strings[key(step.title)].startsWith(`${stage.id.slice(0, 2)} · `), `${step.id}${lang}: titled with its number`);
      const description = strings[key(step.description)];
      const links = [...description.matchAll(/\(command:([\w.]+)\?([^)]*)\)/g)];
      assert.equal(links.length, 1, `${step.id}${lang}: one button`);
      assert.ok(declared.has(links[0][1]), `${step.id}${lang}: ${links[0][1]} is a declared command`);
      assert.deepEqual(JSON.parse(decodeURIComponent(links[0][2])), [stage.id], `${step.id}${lang}: runs ${stage.id}`);
      assert.ok(strings[key(step.media.altText)].length > 20, `${step.id}${lang}: alt text`);
    });
  }
});

test('every step has a small, self-contained, theme-aware diagram', () => {
  for (const step of manifest.contributes.walkthroughs[0].steps) {
    const svg = readFileSync(join(root, step.media.svg), 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"/, step.id);
    assert.match(svg, /<title id="title">[^<]{20,}<\/title>/, `${step.id}: a title for screen readers`);
    assert.ok(!/<script|<foreignObject|\son[a-z]+=|href="(?!#)|xlink:href|@import|url\((?!#)/i.test(svg), `${step.id}: nothing active or external`);
    assert.ok(/var\(--vscode-foreground, #[0-9a-f]{6}\)/.test(svg), `${step.id}: theme colours with fallbacks`);
    assert.ok(svg.length < 8_000, `${step.id}: small`);
  }
});

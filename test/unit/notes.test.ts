import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EXPERIMENTS, experimentStages, findExperiment } from '../../src/core/experiments';
import { NOTE_IDS, STAGE_SECTION_IDS, TOPICS_OF_STAGE, isNoteId, isStageNote, noteFilePath, type NoteId } from '../../src/core/notes/catalog';
import { type Block, type ParsedNote } from '../../src/core/notes/document';
import { NOTE_LANGUAGES, type NoteLanguage } from '../../src/core/notes/language';
import { MOMENTS, findMoment } from '../../src/core/notes/moments';
import { inlineText } from '../../src/core/notes/inline';
import { loadNote, renderNoteFromDisk } from '../../src/core/notes/noteFiles';
import { collectReferences } from '../../src/core/notes/references';
import { createSourceLineResolver } from '../../src/core/notes/sourceFiles';
import { formatSourceTarget, sourceStage } from '../../src/core/notes/sourceLink';
import { STAGES } from '../../src/core/stages';

const ROOT = join(__dirname, '..', '..');

const notes = new Map<string, ParsedNote>();
function note(language: NoteLanguage, id: NoteId): ParsedNote {
  const key = `${language}/${id}`;
  let parsed = notes.get(key);
  if (!parsed) {
    parsed = loadNote(ROOT, language, id);
    notes.set(key, parsed);
  }
  return parsed;
}

function allNotes(): { language: NoteLanguage; id: NoteId; parsed: ParsedNote }[] {
  return NOTE_LANGUAGES.flatMap((language) => NOTE_IDS.map((id) => ({ language, id, parsed: note(language, id) })));
}

/** Per section: the experiments and moments it holds, in order; the skeleton both languages share. */
function skeleton(parsed: ParsedNote): string[] {
  const marks = (blocks: readonly Block[]): string[] =>
    blocks.flatMap((b) => [
      ...(b.moment ? [`moment:${b.moment}`] : []),
      ...(b.kind === 'experiment' ? [`experiment:${b.id}`, ...marks(b.body)] : []),
    ]);
  return [
    `lead:${marks(parsed.document.lead).join(',')}`,
    ...parsed.document.sections.map((s) => `${s.id}:${marks(s.blocks).join(',')}`),
  ];
}

test('every stage and every topic has a note in English and in Korean, and each parses cleanly', () => {
  assert.equal(NOTE_IDS.length, STAGES.length + 5);
  for (const language of NOTE_LANGUAGES) {
    for (const id of NOTE_IDS) {
      assert.ok(existsSync(join(ROOT, noteFilePath(language, id))), noteFilePath(language, id));
      const { problems, document } = note(language, id);
      assert.deepEqual(problems, [], `${noteFilePath(language, id)}: ${JSON.stringify(problems)}`);
      assert.ok(document.title.length > 0 && document.sections.length >= 3, `${language}/${id} has a title and sections`);
    }
  }
});

test('stage notes have exactly the five sections, in order', () => {
  for (const { language, id, parsed } of allNotes()) {
    if (!isStageNote(id)) continue;
    assert.deepEqual(parsed.document.sections.map((s) => s.id), [...STAGE_SECTION_IDS], `${language}/${id}`);
  }
});

test('both languages have the same sections, experiments and moments, in the same order', () => {
  for (const id of NOTE_IDS) {
    assert.deepEqual(skeleton(note('ko', id)), skeleton(note('en', id)), id);
  }
});

test('every experiment used is declared, every declared one is used, and each stage\'s note runs that stage', () => {
  const used = new Set<string>();
  for (const { language, id, parsed } of allNotes()) {
    for (const { id: experimentId, line } of collectReferences(parsed.document).experiments) {
      assert.ok(findExperiment(experimentId), `${language}/${id}.md:${line}: unknown experiment "${experimentId}"`);
      used.add(experimentId);
    }
  }
  assert.deepEqual(EXPERIMENTS.map((e) => e.id).filter((e) => !used.has(e)), [], 'experiments no note offers');
  for (const stage of STAGES) {
    const own = collectReferences(note('en', stage.id).document).experiments.map((e) => findExperiment(e.id)!);
    assert.ok(own.some((e) => experimentStages(e).includes(stage.id)), `${stage.id}: its note has an experiment that runs it`);
  }
});

test('every moment used is declared and fits the note\'s stage; each declared moment has its paragraph', () => {
  const used = new Set<string>();
  for (const { language, id, parsed } of allNotes()) {
    const moments = collectReferences(parsed.document).moments;
    const seen = new Set<string>();
    for (const { id: momentId, line } of moments) {
      const moment = findMoment(momentId);
      assert.ok(moment, `${language}/${id}.md:${line}: unknown moment "${momentId}"`);
      assert.ok(!seen.has(momentId), `${language}/${id}.md:${line}: moment "${momentId}" marks one block per note`);
      seen.add(momentId);
      if (isStageNote(id)) assert.ok(moment.stages.includes(id), `${language}/${id}.md:${line}: "${momentId}" cannot happen on ${id}`);
      used.add(momentId);
    }
  }
  assert.deepEqual(MOMENTS.map((m) => m.id).filter((m) => !used.has(m)), [], 'moments no paragraph talks about');
});

test('note links point at notes and sections that exist', () => {
  for (const { language, id, parsed } of allNotes()) {
    for (const { target, line } of collectReferences(parsed.document).noteLinks) {
      assert.ok(isNoteId(target.note), `${language}/${id}.md:${line}: no note "${target.note}"`);
      if (target.section !== undefined) {
        const sections = note(language, target.note).document.sections.map((s) => s.id);
        assert.ok(sections.includes(target.section), `${language}/${id}.md:${line}: no section "${target.note}#${target.section}"`);
      }
    }
  }
  for (const topics of Object.values(TOPICS_OF_STAGE)) for (const topic of topics) assert.ok(isNoteId(topic));
});

test('every source link resolves to a line of a file under servers/', () => {
  const resolve = createSourceLineResolver(join(ROOT, 'servers'));
  const broken: string[] = [];
  let count = 0;
  for (const { language, id, parsed } of allNotes()) {
    for (const { target, line } of collectReferences(parsed.document).sourceLinks) {
      count++;
      const where = `${language}/${id}.md:${line}: ${formatSourceTarget(target)}`;
      const stage = sourceStage(target);
      if (isStageNote(id)) assert.ok(stage === undefined || stage === id, `${where} points into another stage`);
      if (resolve(target) === undefined) {
        broken.push(existsSync(join(ROOT, 'servers', target.file)) ? `${where} (needle not found)` : `${where} (no such file)`);
      }
    }
  }
  assert.ok(count >= 40, `the notes link into the sources (${count} links)`);
  assert.deepEqual(broken, []);
});

test('paragraphs stay short enough for a narrow sidebar', () => {
  const limit: Record<NoteLanguage, number> = { en: 620, ko: 420 };
  for (const { language, id, parsed } of allNotes()) {
    for (const block of parsed.document.sections.flatMap((s) => s.blocks)) {
      if (block.kind !== 'paragraph') continue;
      const length = inlineText(block.content).length;
      assert.ok(length <= limit[language], `${language}/${id}.md:${block.line}: paragraph of ~${length} characters`);
    }
  }
});

test('a note renders from disk with its source links resolved to lines', () => {
  const { html, problems } = renderNoteFromDisk({
    extensionRoot: ROOT,
    serversDir: join(ROOT, 'servers'),
    language: 'ko',
    id: '05-select',
    labels: { runExperiment: '실행', notYetMeasured: '아직 측정 전', staleSourceLink: '찾을 수 없음:' },
  });
  assert.deepEqual(problems, []);
  assert.match(html, /^<article class="note" lang="ko">/);
  assert.match(html, /<a class="source-link" href="#" data-file="05-select\/main.c" data-needle="FD_ZERO\(" data-line="\d+">/);
  assert.ok(!html.includes('unresolved'), 'every link of the note resolved');
  assert.equal((html.match(/class="run-experiment"/g) ?? []).length, 2);
  assert.ok(html.includes('data-moment="fd-set-rebuilt"'));
});

/**
 * "Is this a stage's main source?" decided by what the file is: the shipped servers/ folder and
 * a copy of it anywhere match, files that merely look alike do not; and where `main` is defined.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { blankCommentsAndStrings, mainDefinition, STAGE_SOURCE_GLOB, stageOfSource } from '../../src/core/benchmark/stageSource';
import { STAGES } from '../../src/core/stages';

const MAIN = '#include "common/server.h"\n\nint main(int argc, char **argv) {\n    return 0;\n}\n';

async function file(p: string, text = ''): Promise<string> {
  await mkdir(path.dirname(p), { recursive: true });
  await writeFile(p, text);
  return p;
}

/** A servers/ folder: common/, a Makefile, and the given stages' main sources. */
async function serversTree(dir: string, stageIds: readonly string[]): Promise<void> {
  await file(path.join(dir, 'common', 'server.h'));
  await file(path.join(dir, 'Makefile'), 'all:\n');
  for (const id of stageIds) await file(path.join(dir, id, 'main.c'), MAIN);
}

describe('stage source detection', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sm-stage-source-'));
    await serversTree(path.join(root, 'extension', 'servers'), STAGES.map((s) => s.id));
    await serversTree(path.join(root, 'home', 'me', 'my playground'), ['06-epoll', '01-sequential']);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('finds every stage of a servers/ folder, and its folder', async () => {
    for (const stage of STAGES) {
      const found = await stageOfSource(path.join(root, 'extension', 'servers', ...stage.mainSource.split('/')));
      assert.equal(found?.stage.id, stage.id);
      assert.equal(found?.serversDir, path.join(root, 'extension', 'servers'));
    }
  });

  it('finds a playground copy anywhere, whatever the folder is called', async () => {
    const found = await stageOfSource(path.join(root, 'home', 'me', 'my playground', '06-epoll', 'main.c'));
    assert.equal(found?.stage.id, '06-epoll');
    assert.equal(found?.serversDir, path.join(root, 'home', 'me', 'my playground'));
    const relative = path.relative(process.cwd(), path.join(root, 'home', 'me', 'my playground', '01-sequential', 'main.c'));
    assert.equal((await stageOfSource(relative))?.stage.id, '01-sequential', 'a relative path resolves too');
  });

  it('finds the repository’s own stages', async () => {
    const found = await stageOfSource(path.join(__dirname, '..', '..', 'servers', '06-epoll', 'main.c'));
    assert.equal(found?.stage.id, '06-epoll');
  });

  it('rejects files that only look like a stage source', async () => {
    const stray = await file(path.join(root, 'stray', '06-epoll', 'main.c'), MAIN);
    const noMakefile = await file(path.join(root, 'half', '06-epoll', 'main.c'), MAIN);
    await file(path.join(root, 'half', 'common', 'x.h'));
    const makefileDir = await file(path.join(root, 'odd', '06-epoll', 'main.c'), MAIN);
    await file(path.join(root, 'odd', 'common', 'x.h'));
    await mkdir(path.join(root, 'odd', 'Makefile'));
    const servers = path.join(root, 'extension', 'servers');
    const cases = [
      stray,
      noMakefile,
      makefileDir,
      await file(path.join(servers, '06-epoll', 'epoll.c'), MAIN),
      await file(path.join(servers, '99-mine', 'main.c'), MAIN),
      await file(path.join(servers, 'common', 'main.c'), MAIN),
      await file(path.join(servers, '06-epoll', 'main.h'), MAIN),
      await file(path.join(servers, '06-epoll', 'sub', 'main.c'), MAIN),
      '/main.c',
      'main.c',
    ];
    for (const p of cases) assert.equal(await stageOfSource(p), undefined, p);
  });
});

describe('main definition', () => {
  it('finds the line and column of main in every shipped stage', async () => {
    for (const stage of STAGES) {
      const text = await readFile(path.join(__dirname, '..', '..', 'servers', ...stage.mainSource.split('/')), 'utf8');
      const at = mainDefinition(text);
      assert.ok(at, stage.id);
      assert.match(text.split('\n')[at.line], /^int main\(/, stage.id);
      assert.equal(at.character, 4);
    }
  });

  it('skips comments, strings and prototypes, and takes the return type on the line above', () => {
    const text = [
      '/* int main(void) { in a comment */',
      '// int main(void) {',
      'static const char *s = "int main(void) {";',
      'int main(int argc, char **argv);',
      '',
      'int',
      'main (int argc, char *argv[ ])',
      '{',
      '}',
    ].join('\n');
    assert.deepEqual(mainDefinition(text), { line: 6, character: 0 });
    assert.equal(mainDefinition('int main(void);\n'), undefined);
    assert.equal(mainDefinition('int domain(void) { return 0; }\nint main_loop(void) { }\n'), undefined);
    assert.equal(mainDefinition(''), undefined);
  });

  it('blanks comments and literals but keeps every line break and offset', () => {
    const text = 'a /* b\n c */ d // e\n"f\\"g" \'h\' i';
    const blanked = blankCommentsAndStrings(text);
    assert.equal(blanked.length, text.length);
    assert.deepEqual([...blanked].map((c, i) => (c === '\n' ? i : -1)).filter((i) => i >= 0), [...text].map((c, i) => (c === '\n' ? i : -1)).filter((i) => i >= 0));
    assert.equal(blanked.replace(/\s+/g, ' ').trim(), 'a d i');
  });
});

describe('stage source glob', () => {
  it('names every main source file of the catalog', () => {
    assert.equal(STAGE_SOURCE_GLOB, '**/{main.c}');
  });
});

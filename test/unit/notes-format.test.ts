import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type Block, type Inline } from '../../src/core/notes/document';
import { parseInline } from '../../src/core/notes/inline';
import { noteLanguageFor } from '../../src/core/notes/language';
import { parseNote } from '../../src/core/notes/parse';
import { escapeHtml, renderNote, type RenderOptions } from '../../src/core/notes/render';
import { findNeedleLine, parseSourceTarget, formatSourceTarget } from '../../src/core/notes/sourceLink';

const LABELS: RenderOptions['labels'] = { runExperiment: 'Run', notYetMeasured: 'Not measured yet', staleSourceLink: 'Not found:' };

function inline(text: string): { result: Inline[]; problems: string[] } {
  const problems: string[] = [];
  return { result: parseInline(text, (m) => problems.push(m)), problems };
}

test('a note parses into title, lead, sections with ids, and blocks', () => {
  const { document, problems } = parseNote([
    '# The title',
    '',
    'A lead paragraph',
    'over two lines.',
    '',
    '## The idea {#idea}',
    '',
    '- one',
    '  continued',
    '- two',
    '',
    '```c',
    'int x = a < b;',
    '```',
    '',
    '{moment=first-eagain}',
    'This paragraph talks about the moment.',
    '',
    '## Costs {#cost}',
    '### A subheading',
    '1. first',
    '2. second',
    '> an aside',
    '',
    '::: experiment poll-interval-tradeoff',
    'What to watch.',
    ':::',
  ].join('\n'));
  assert.deepEqual(problems, []);
  assert.deepEqual(document.title, [{ kind: 'text', text: 'The title' }]);
  assert.equal(document.lead.length, 1);
  assert.deepEqual(document.lead[0], { kind: 'paragraph', line: 3, content: [{ kind: 'text', text: 'A lead paragraph over two lines.' }] });
  assert.deepEqual(document.sections.map((s) => s.id), ['idea', 'cost']);
  const idea = document.sections[0].blocks;
  assert.deepEqual(idea.map((b) => b.kind), ['list', 'code', 'paragraph']);
  assert.deepEqual((idea[0] as Extract<Block, { kind: 'list' }>).items, [[{ kind: 'text', text: 'one continued' }], [{ kind: 'text', text: 'two' }]]);
  assert.equal((idea[1] as Extract<Block, { kind: 'code' }>).text, 'int x = a < b;');
  assert.equal(idea[2].moment, 'first-eagain');
  assert.equal(idea[0].moment, undefined);
  const cost = document.sections[1].blocks;
  assert.deepEqual(cost.map((b) => b.kind), ['subheading', 'list', 'quote', 'experiment']);
  const experiment = cost[3] as Extract<Block, { kind: 'experiment' }>;
  assert.equal(experiment.id, 'poll-interval-tradeoff');
  assert.deepEqual(experiment.body.map((b) => b.kind), ['paragraph']);
});

test('format mistakes are reported with their line, not thrown', () => {
  const { problems } = parseNote([
    'no title here',
    '## Missing id',
    '## Dup {#a}',
    '## Dup again {#a}',
    '{moment=x}',
    '## Next {#b}',
    '::: experiment open-forever',
    '```',
    'never closed',
  ].join('\n'));
  const lines = problems.map((p) => p.line);
  assert.ok(problems.some((p) => p.line === 1 && /Title/.test(p.message)), JSON.stringify(problems));
  assert.ok(problems.some((p) => p.line === 2 && /needs an id/.test(p.message)));
  assert.ok(problems.some((p) => p.line === 4 && /twice/.test(p.message)));
  assert.ok(problems.some((p) => p.line === 5 && /moment/.test(p.message)));
  assert.ok(problems.some((p) => p.line === 7 && /not closed/.test(p.message)));
  assert.ok(lines.includes(8), 'the unclosed fence');
});

test('inline: code, strong, em, links, escapes; underscores and lone stars stay text', () => {
  assert.deepEqual(inline('call `select(` on FD_SET and uv_queue_work').result, [
    { kind: 'text', text: 'call ' },
    { kind: 'code', text: 'select(' },
    { kind: 'text', text: ' on FD_SET and uv_queue_work' },
  ]);
  assert.deepEqual(inline('**very** *much* 2 * 3 * 4').result, [
    { kind: 'strong', children: [{ kind: 'text', text: 'very' }] },
    { kind: 'text', text: ' ' },
    { kind: 'em', children: [{ kind: 'text', text: 'much' }] },
    { kind: 'text', text: ' 2 * 3 * 4' },
  ]);
  assert.deepEqual(inline('\\*not em\\* and `` a`b ``').result, [
    { kind: 'text', text: '*not em* and ' },
    { kind: 'code', text: 'a`b' },
  ]);
  assert.deepEqual(inline('[the `select` call](source:05-select/main.c#select%28)').result, [{
    kind: 'link',
    target: { kind: 'source', file: '05-select/main.c', needle: 'select(' },
    children: [{ kind: 'text', text: 'the ' }, { kind: 'code', text: 'select' }, { kind: 'text', text: ' call' }],
  }]);
  assert.deepEqual(inline('[see](note:multiplexing#http2)').result[0], {
    kind: 'link', target: { kind: 'note', note: 'multiplexing', section: 'http2' }, children: [{ kind: 'text', text: 'see' }],
  });
  assert.deepEqual(inline('[man](https://man7.org/linux/man-pages/man7/epoll.7.html)').result[0], {
    kind: 'link', target: { kind: 'external', url: 'https://man7.org/linux/man-pages/man7/epoll.7.html' }, children: [{ kind: 'text', text: 'man' }],
  });
  assert.deepEqual(inline('an [unfinished link and [brackets]').result, [{ kind: 'text', text: 'an [unfinished link and [brackets]' }]);
});

test('bad link targets are reported and their words kept', () => {
  for (const bad of ['javascript:alert%281%29', 'source:../etc/passwd', 'source:/abs/x.c', 'source:05-select/main.c#%E0%A4%A', 'http://x', 'note:Bad_Id']) {
    const { result, problems } = inline(`[words](${bad})`);
    assert.equal(problems.length, 1, bad);
    assert.deepEqual(result, [{ kind: 'text', text: 'words' }], bad);
  }
});

test('source links: parse, format back, and find the first line containing the needle', () => {
  const target = parseSourceTarget('05-select/main.c#FD_SET%28fd%2C%20');
  assert.deepEqual(target, { kind: 'source', file: '05-select/main.c', needle: 'FD_SET(fd, ' });
  assert.equal(formatSourceTarget(target as Exclude<typeof target, string>), 'source:05-select/main.c#FD_SET(fd%2C%20');
  assert.deepEqual(parseSourceTarget('common/net.c'), { kind: 'source', file: 'common/net.c', needle: undefined });
  const text = 'int a;\r\n/* select( in a comment */\nint n = select(max + 1, ...);\n';
  assert.equal(findNeedleLine(text, 'select('), 2);
  assert.equal(findNeedleLine(text, 'n = select('), 3);
  assert.equal(findNeedleLine(text, undefined), 1);
  assert.equal(findNeedleLine(text, 'epoll_wait('), undefined);
});

test('the renderer escapes every piece of author text and emits only its own tags', () => {
  const hostile = [
    '# <script>alert(1)</script> & "quotes"',
    '## Section <b>x</b> {#idea}',
    '<img src=x onerror=alert(1)> plain `<code>` **<i>**',
    '',
    '- <li>item</li>',
    '> <iframe>',
    '',
    '```html" onload="x',
    '</code></pre><script>bad()</script>',
    '```',
    '',
    '[x"><script>](source:05-select/main.c#%22%3E%3Cscript%3E)',
    '[e](https://example.com/"onmouseover="x)',
    '',
    '{moment=first-eagain}',
    '::: experiment no-such-experiment',
    ':::',
  ].join('\n');
  const { document } = parseNote(hostile);
  const html = renderNote(document, { language: 'en', labels: { ...LABELS, runExperiment: '<Run>' }, figures: { 'no-such-experiment': '<b>9 s</b>' } });
  const tags = [...html.matchAll(/<\/?([a-zA-Z0-9]+)/g)].map((m) => m[1].toLowerCase());
  const allowed = new Set(['article', 'h1', 'h2', 'h3', 'section', 'p', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code', 'strong', 'em', 'a', 'button']);
  assert.deepEqual(tags.filter((t) => !allowed.has(t)), [], html);
  assert.ok(!/<script|<img|<iframe|<b>|<i>/i.test(html));
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;'));
  assert.ok(html.includes('&lt;b&gt;9 s&lt;/b&gt;'), 'figures are escaped too');
  assert.ok(html.includes('&lt;Run&gt;'), 'labels are escaped too');
  // Text has no raw "<", so every "<" opens one of our tags; each attribute in it is name="value"
  // with no quote inside the value: nothing can break out into a new attribute or tag.
  for (const tag of html.matchAll(/<([a-z0-9]+)([^>]*)>/g)) {
    assert.match(tag[2], /^(?:\s[a-z-]+="[^"<>]*")*$/, `tag ${tag[0]}`);
    assert.ok(!/\son[a-z]+=/.test(tag[2]), `event handler in ${tag[0]}`);
  }
});

test('escapeHtml escapes all five special characters (property)', () => {
  fc.assert(fc.property(fc.string(), (s) => {
    const escaped = escapeHtml(s);
    assert.ok(!/[<>"']/.test(escaped));
    assert.ok(!/&(?!amp;|lt;|gt;|quot;|#39;)/.test(escaped));
    const back = escaped.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    assert.equal(back, s);
  }));
});

test('the renderer marks sections, moments, experiments and resolved source lines', () => {
  const { document } = parseNote([
    '# T',
    '## Idea {#idea}',
    '{moment=first-eagain}',
    'See [the call](source:04-nonblocking-polling/main.c#recv%28) and [stale](source:04-nonblocking-polling/main.c#nowhere).',
    '::: experiment poll-interval-tradeoff',
    ':::',
  ].join('\n'));
  const html = renderNote(document, {
    language: 'ko',
    labels: LABELS,
    resolveSourceLine: (t) => (t.needle === 'recv(' ? 42 : undefined),
    figures: { 'poll-interval-tradeoff': '10 ms: 1.2 s' },
  });
  assert.match(html, /<section class="note-section" id="section-idea" data-section="idea">/);
  assert.match(html, /<p data-moment="first-eagain" title="첫 EAGAIN[^"]*">/);
  assert.match(html, /<a class="source-link" href="#" data-file="04-nonblocking-polling\/main.c" data-needle="recv\(" data-line="42">the call<\/a>/);
  assert.match(html, /<a class="source-link unresolved" [^>]*data-needle="nowhere" title="Not found: source:04-nonblocking-polling\/main.c#nowhere">/);
  assert.match(html, /<h3>10, 200, 1,000ms마다 폴링<\/h3>/);
  assert.match(html, /<button type="button" class="run-experiment" data-experiment="poll-interval-tradeoff">Run<\/button>/);
  assert.match(html, /<p class="figure" data-figure-for="poll-interval-tradeoff" aria-live="polite">10 ms: 1.2 s<\/p>/);
});

test('the display language picks the note language', () => {
  assert.equal(noteLanguageFor('ko'), 'ko');
  assert.equal(noteLanguageFor('ko-KR'), 'ko');
  assert.equal(noteLanguageFor('en-US'), 'en');
  assert.equal(noteLanguageFor('ja'), 'en');
});

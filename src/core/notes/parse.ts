/**
 * The note format: a small Markdown subset with three additions, chosen so that a note reads as
 * plain Markdown on GitHub too.
 *
 *   # Title                       first line; one per note
 *   lead paragraphs               optional, before the first section
 *   ## Section title {#id}        a section; ids ([a-z0-9-]+) are the same in every language
 *   ### Subheading                inside a section
 *   text lines                    a paragraph; a blank line ends any block
 *   - item   /   1. item          a list; a line indented by two spaces continues the item
 *   > text                        an aside
 *   ```c ... ```                  code, shown verbatim
 *   {moment=<moment-id>}          alone on a line: the next block talks about that moment
 *   ::: experiment <id>           an experiment (src/core/experiments.ts): its run button and
 *   body blocks                   measured figure appear here, after the optional body
 *   :::
 *
 * Inline: `code`, **strong**, *em*, [text](source:<file>#<needle>), [text](note:<id>#<section>),
 * [text](https://...). Raw HTML is not a thing: `<` is text. Problems are reported with their line
 * instead of thrown, so a broken note still shows and a test can list every problem at once.
 */
import { type Block, type Inline, type NoteDocument, type ParsedNote, type ParseProblem, type Section } from './document';
import { parseInline } from './inline';

const TITLE = /^# (.+)$/;
const SECTION = /^## (.+?)(?:\s+\{#([^}]*)\})?\s*$/;
const SUBHEADING = /^#{3,6} (.+?)\s*$/;
const FENCE = /^```(.*)$/;
const LANGUAGE = /^[A-Za-z0-9_+-]*$/;
const FENCE_END = /^```\s*$/;
const BULLET = /^[-*] (.*)$/;
const NUMBERED = /^\d+\. (.*)$/;
const CONTINUATION = /^ {2,}(\S.*)$/;
const QUOTE = /^> ?(.*)$/;
const MOMENT = /^\{moment=([^}]*)\}\s*$/;
const EXPERIMENT_OPEN = /^:::\s*experiment\s+(\S+)\s*$/;
const DIRECTIVE_END = /^:::\s*$/;
const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function parseNote(markdown: string): ParsedNote {
  return new NoteParser(markdown.split(/\r?\n/)).parse();
}

type BlockDraft = Block extends infer B ? (B extends Block ? Omit<B, 'line' | 'moment'> : never) : never;

class NoteParser {
  private readonly problems: ParseProblem[] = [];
  private index = 0;
  private title: Inline[] = [];
  private readonly lead: Block[] = [];
  private readonly sections: { id: string; title: Inline[]; line: number; blocks: Block[] }[] = [];
  private experiment: { id: string; line: number; body: Block[]; moment: string | undefined } | undefined;
  private pendingMoment: { id: string; line: number } | undefined;

  constructor(private readonly lines: readonly string[]) {}

  parse(): ParsedNote {
    this.parseTitle();
    while (this.index < this.lines.length) this.parseLine();
    if (this.experiment) this.problem(this.experiment.line, `experiment "${this.experiment.id}" is not closed with :::`);
    this.closeExperiment();
    if (this.pendingMoment) this.problem(this.pendingMoment.line, 'a moment marker must be followed by a block');
    const sections: Section[] = this.sections;
    const document: NoteDocument = { title: this.title, lead: this.lead, sections };
    return { document, problems: this.problems };
  }

  private parseTitle(): void {
    while (this.index < this.lines.length && this.lines[this.index].trim() === '') this.index++;
    const match = TITLE.exec(this.lines[this.index] ?? '');
    if (!match) {
      this.problem(this.index + 1, 'a note starts with "# Title"');
      return;
    }
    this.title = this.inline(match[1], this.index + 1);
    this.index++;
  }

  private parseLine(): void {
    const text = this.lines[this.index];
    const line = this.index + 1;
    if (text.trim() === '') {
      this.index++;
      return;
    }
    let match: RegExpExecArray | null;
    if ((match = SECTION.exec(text))) {
      this.index++;
      this.startSection(match[1], match[2], line);
    } else if ((match = MOMENT.exec(text))) {
      this.index++;
      if (this.pendingMoment) this.problem(this.pendingMoment.line, 'a moment marker must be followed by a block');
      if (!ID.test(match[1])) this.problem(line, `moment id "${match[1]}" is not a valid id`);
      this.pendingMoment = { id: match[1], line };
    } else if ((match = EXPERIMENT_OPEN.exec(text))) {
      this.index++;
      this.openExperiment(match[1], line);
    } else if (DIRECTIVE_END.test(text)) {
      this.index++;
      if (!this.experiment) this.problem(line, '":::" closes nothing');
      this.closeExperiment();
    } else if (TITLE.test(text)) {
      this.index++;
      this.problem(line, 'only one "# Title" per note; sections use "##"');
    } else if ((match = SUBHEADING.exec(text))) {
      this.index++;
      this.add({ kind: 'subheading', content: this.inline(match[1], line) }, line);
    } else if ((match = FENCE.exec(text))) {
      const language = match[1].trim();
      if (!LANGUAGE.test(language)) this.problem(line, `code language "${language}" must be one plain word`);
      this.parseCode(LANGUAGE.test(language) ? language : '', line);
    } else if (BULLET.test(text) || NUMBERED.test(text)) {
      this.parseList(line);
    } else if (QUOTE.test(text)) {
      this.parseQuote(line);
    } else {
      this.parseParagraph(line);
    }
  }

  private startSection(title: string, id: string | undefined, line: number): void {
    if (this.experiment) {
      this.problem(this.experiment.line, `experiment "${this.experiment.id}" is not closed before the next section`);
      this.closeExperiment();
    }
    if (this.pendingMoment) {
      this.problem(this.pendingMoment.line, 'a moment marker must be followed by a block, not a section');
      this.pendingMoment = undefined;
    }
    let sectionId = id ?? '';
    if (!ID.test(sectionId)) {
      this.problem(line, `section "${title}" needs an id: "## ${title} {#some-id}"`);
      sectionId = `section-${this.sections.length + 1}`;
    }
    if (this.sections.some((s) => s.id === sectionId)) this.problem(line, `section id "${sectionId}" is used twice`);
    this.sections.push({ id: sectionId, title: this.inline(title, line), line, blocks: [] });
  }

  private openExperiment(id: string, line: number): void {
    if (this.experiment) {
      this.problem(line, 'experiments do not nest');
      this.closeExperiment();
    }
    if (!ID.test(id)) this.problem(line, `experiment id "${id}" is not a valid id`);
    const moment = this.takeMoment();
    this.experiment = { id, line, body: [], moment };
  }

  private closeExperiment(): void {
    const open = this.experiment;
    if (!open) return;
    this.experiment = undefined;
    const block: Block = { kind: 'experiment', id: open.id, body: open.body, line: open.line };
    this.container().push(open.moment === undefined ? block : { ...block, moment: open.moment });
  }

  private parseCode(language: string, line: number): void {
    this.index++;
    const body: string[] = [];
    while (this.index < this.lines.length && !FENCE_END.test(this.lines[this.index])) {
      body.push(this.lines[this.index]);
      this.index++;
    }
    if (this.index >= this.lines.length) this.problem(line, 'code block is not closed with ```');
    else this.index++;
    this.add({ kind: 'code', language, text: body.join('\n') }, line);
  }

  private parseList(line: number): void {
    const ordered = NUMBERED.test(this.lines[this.index]);
    const itemPattern = ordered ? NUMBERED : BULLET;
    const items: string[] = [];
    while (this.index < this.lines.length) {
      const text = this.lines[this.index];
      const item = itemPattern.exec(text);
      const more = CONTINUATION.exec(text);
      if (item) items.push(item[1].trim());
      else if (more && items.length > 0) items[items.length - 1] += ' ' + more[1].trim();
      else break;
      this.index++;
    }
    this.add({ kind: 'list', ordered, items: items.map((item) => this.inline(item, line)) }, line);
  }

  private parseQuote(line: number): void {
    const parts: string[] = [];
    let match: RegExpExecArray | null;
    while (this.index < this.lines.length && (match = QUOTE.exec(this.lines[this.index]))) {
      parts.push(match[1].trim());
      this.index++;
    }
    this.add({ kind: 'quote', content: this.inline(parts.filter(Boolean).join(' '), line) }, line);
  }

  private parseParagraph(line: number): void {
    const parts: string[] = [];
    while (this.index < this.lines.length && this.continuesParagraph(this.lines[this.index], parts.length === 0)) {
      parts.push(this.lines[this.index].trim());
      this.index++;
    }
    this.add({ kind: 'paragraph', content: this.inline(parts.join(' '), line) }, line);
  }

  /** A paragraph runs until a blank line or a line that starts another kind of block. */
  private continuesParagraph(text: string, first: boolean): boolean {
    if (first) return true;
    if (text.trim() === '') return false;
    return ![SECTION, TITLE, SUBHEADING, FENCE, BULLET, NUMBERED, QUOTE, MOMENT, EXPERIMENT_OPEN, DIRECTIVE_END]
      .some((pattern) => pattern.test(text));
  }

  private add(draft: BlockDraft, line: number): void {
    const moment = this.takeMoment();
    const block = { ...draft, line } as Block;
    this.container().push(moment === undefined ? block : { ...block, moment });
  }

  private takeMoment(): string | undefined {
    const moment = this.pendingMoment?.id;
    this.pendingMoment = undefined;
    return moment;
  }

  private container(): Block[] {
    if (this.experiment) return this.experiment.body;
    const section = this.sections[this.sections.length - 1];
    return section ? section.blocks : this.lead;
  }

  private inline(text: string, line: number): Inline[] {
    return parseInline(text, (message) => this.problem(line, message));
  }

  private problem(line: number, message: string): void {
    this.problems.push({ line, message });
  }
}

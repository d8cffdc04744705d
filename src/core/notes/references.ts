/** Everything a note points at, gathered in one walk: what the checks and the Notes view need. */
import { type Block, type Inline, type NoteDocument, type NoteTarget, type SourceTarget } from './document';

export interface NoteReferences {
  readonly sourceLinks: { readonly target: SourceTarget; readonly line: number }[];
  readonly noteLinks: { readonly target: NoteTarget; readonly line: number }[];
  readonly experiments: { readonly id: string; readonly line: number }[];
  readonly moments: { readonly id: string; readonly line: number }[];
}

export function collectReferences(document: NoteDocument): NoteReferences {
  const found: NoteReferences = { sourceLinks: [], noteLinks: [], experiments: [], moments: [] };
  inlines(document.title, 1, found);
  for (const section of document.sections) inlines(section.title, section.line, found);
  for (const block of [...document.lead, ...document.sections.flatMap((s) => s.blocks)]) visitBlock(block, found);
  return found;
}

function visitBlock(block: Block, found: NoteReferences): void {
  if (block.moment !== undefined) found.moments.push({ id: block.moment, line: block.line });
  switch (block.kind) {
    case 'paragraph':
    case 'quote':
    case 'subheading':
      inlines(block.content, block.line, found);
      return;
    case 'list':
      for (const item of block.items) inlines(item, block.line, found);
      return;
    case 'code':
      return;
    case 'experiment':
      found.experiments.push({ id: block.id, line: block.line });
      for (const inner of block.body) visitBlock(inner, found);
      return;
  }
}

function inlines(content: readonly Inline[], line: number, found: NoteReferences): void {
  for (const inline of content) {
    if (inline.kind === 'link') {
      if (inline.target.kind === 'source') found.sourceLinks.push({ target: inline.target, line });
      if (inline.target.kind === 'note') found.noteLinks.push({ target: inline.target, line });
    }
    if (inline.kind === 'strong' || inline.kind === 'em' || inline.kind === 'link') inlines(inline.children, line, found);
  }
}

/**
 * The typed form of a concept note (media/notes/<lang>/<id>.md) after parsing. The webview never
 * sees Markdown: it gets HTML rendered from this, so nothing the author writes passes through raw.
 */

export type Inline =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'code'; readonly text: string }
  | { readonly kind: 'strong'; readonly children: readonly Inline[] }
  | { readonly kind: 'em'; readonly children: readonly Inline[] }
  | { readonly kind: 'link'; readonly target: LinkTarget; readonly children: readonly Inline[] };

/** A source link names a file under servers/ and a needle; the line is found when it is shown. */
export interface SourceTarget {
  readonly kind: 'source';
  /** Relative to servers/, e.g. "05-select/main.c". */
  readonly file: string;
  /** The text the target line contains; undefined means the top of the file. */
  readonly needle: string | undefined;
}

export interface NoteTarget {
  readonly kind: 'note';
  readonly note: string;
  readonly section: string | undefined;
}

export interface ExternalTarget {
  readonly kind: 'external';
  readonly url: string;
}

export type LinkTarget = SourceTarget | NoteTarget | ExternalTarget;

interface BlockBase {
  /** 1-based line in the note file where the block starts. */
  readonly line: number;
  /** Set when a `{moment=<id>}` line precedes the block: the block talks about that moment. */
  readonly moment?: string;
}

export type Block =
  | (BlockBase & { readonly kind: 'paragraph'; readonly content: readonly Inline[] })
  | (BlockBase & { readonly kind: 'quote'; readonly content: readonly Inline[] })
  | (BlockBase & { readonly kind: 'list'; readonly ordered: boolean; readonly items: readonly (readonly Inline[])[] })
  | (BlockBase & { readonly kind: 'code'; readonly language: string; readonly text: string })
  | (BlockBase & { readonly kind: 'subheading'; readonly content: readonly Inline[] })
  | (BlockBase & { readonly kind: 'experiment'; readonly id: string; readonly body: readonly Block[] });

export interface Section {
  /** Stable across languages: the Korean and English notes have the same ids in the same order. */
  readonly id: string;
  readonly title: readonly Inline[];
  readonly line: number;
  readonly blocks: readonly Block[];
}

export interface NoteDocument {
  readonly title: readonly Inline[];
  /** Paragraphs between the title and the first section. */
  readonly lead: readonly Block[];
  readonly sections: readonly Section[];
}

export interface ParseProblem {
  readonly line: number;
  readonly message: string;
}

export interface ParsedNote {
  readonly document: NoteDocument;
  readonly problems: readonly ParseProblem[];
}

/** Reads, parses and renders a note from the extension's media/notes folder. Node only. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { noteFilePath, type NoteId } from './catalog';
import { type ParsedNote, type ParseProblem } from './document';
import { type NoteLanguage } from './language';
import { parseNote } from './parse';
import { renderNote, type RenderOptions } from './render';
import { createSourceLineResolver } from './sourceFiles';

export function loadNote(extensionRoot: string, language: NoteLanguage, id: NoteId): ParsedNote {
  return parseNote(readFileSync(join(extensionRoot, noteFilePath(language, id)), 'utf8'));
}

export interface RenderFromDiskOptions extends Omit<RenderOptions, 'language' | 'resolveSourceLine'> {
  readonly extensionRoot: string;
  /** The servers/ folder the user runs: the shipped copy or a playground; links resolve against it. */
  readonly serversDir: string;
  readonly language: NoteLanguage;
  readonly id: NoteId;
}

/** The note as HTML for the Notes webview, its source links resolved against `serversDir` now. */
export function renderNoteFromDisk(options: RenderFromDiskOptions): { html: string; problems: readonly ParseProblem[] } {
  const { document, problems } = loadNote(options.extensionRoot, options.language, options.id);
  const html = renderNote(document, { ...options, resolveSourceLine: createSourceLineResolver(options.serversDir) });
  return { html, problems };
}

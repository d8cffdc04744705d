/**
 * Messages between the extension host and the Concept Notes webview. Pure types, shared by both
 * sides. The host renders the note (src/core/notes/render.ts, which escapes all author text) and
 * the webview shows it and turns clicks into the messages below.
 */
import { type NoteLanguage } from './language';

export interface NotesViewLabels {
  readonly language: string;
  readonly relatedTopics: string;
  readonly stageNote: string;
}

/** Host → webview: show this note. */
export interface ShowNoteMessage {
  readonly type: 'show';
  readonly noteId: string;
  readonly language: NoteLanguage;
  readonly html: string;
  /** Other notes to offer under this one (the stage's topics, or the way back to the stage). */
  readonly related: readonly { readonly noteId: string; readonly title: string }[];
  readonly labels: NotesViewLabels;
  /** Scroll to and mark this section after showing. */
  readonly section?: string;
}

/** Host → webview: a recording reached a moment the note talks about; mark its paragraph. */
export interface MomentMessage {
  readonly type: 'moment';
  readonly momentId: string;
}

/** Host → webview: an experiment measured a figure; write it into the note. */
export interface FigureMessage {
  readonly type: 'figure';
  readonly experimentId: string;
  readonly text: string;
  readonly running?: boolean;
}

export type HostToNotesMessage = ShowNoteMessage | MomentMessage | FigureMessage;

export type NotesToHostMessage =
  /** The webview's listeners are installed; (re)send the current note. */
  | { readonly type: 'ready' }
  /** The note is on screen: which one, in which language, and how many sections it shows. */
  | { readonly type: 'shown'; readonly noteId: string; readonly language: NoteLanguage; readonly sections: number }
  /** Reveal a line of a stage's source (line already resolved, or find the needle). */
  | { readonly type: 'openSource'; readonly file: string; readonly needle?: string; readonly line?: number }
  | { readonly type: 'openNote'; readonly noteId: string; readonly section?: string }
  | { readonly type: 'runExperiment'; readonly experimentId: string }
  | { readonly type: 'setLanguage'; readonly language: NoteLanguage };

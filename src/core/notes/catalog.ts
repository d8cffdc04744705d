/**
 * Which notes exist: one per stage (named by the stage id) and the general topics. Both
 * languages have every note, with the same section ids in the same order (test/unit/notes.test.ts).
 */
import { STAGES, type StageId } from '../stages';
import { type NoteLanguage } from './language';

export const TOPIC_IDS = [
  'file-descriptors',
  'multiplexing',
  'threads-and-context-switches',
  'event-loop-rule',
  'virtual-threads',
] as const;

export type TopicId = (typeof TOPIC_IDS)[number];
export type NoteId = StageId | TopicId;

export const NOTE_IDS: readonly NoteId[] = [...STAGES.map((s) => s.id), ...TOPIC_IDS];

/** Every stage note has exactly these sections, in this order. */
export const STAGE_SECTION_IDS = ['idea', 'code', 'cost', 'fails', 'next'] as const;

/** The general topics a stage's note leads into, shown under it in the Concept Notes view. */
export const TOPICS_OF_STAGE: Readonly<Record<StageId, readonly TopicId[]>> = {
  '01-sequential': ['file-descriptors'],
  '02-thread-per-client': ['threads-and-context-switches'],
  '03-blocking-io': ['threads-and-context-switches'],
  '04-nonblocking-polling': ['file-descriptors'],
  '05-select': ['multiplexing', 'file-descriptors'],
  '06-epoll': ['multiplexing', 'file-descriptors'],
  '07-libuv': ['event-loop-rule'],
  '08-ae': ['event-loop-rule'],
  '09-green-threads': ['virtual-threads', 'threads-and-context-switches'],
};

export function isNoteId(value: string): value is NoteId {
  return (NOTE_IDS as readonly string[]).includes(value);
}

export function isStageNote(id: NoteId): id is StageId {
  return !(TOPIC_IDS as readonly string[]).includes(id);
}

/** The note's file, relative to the extension's root. */
export function noteFilePath(language: NoteLanguage, id: NoteId): string {
  return `media/notes/${language}/${id}.md`;
}

/** The languages the concept notes, experiments and moments are written in. */
export const NOTE_LANGUAGES = ['en', 'ko'] as const;

export type NoteLanguage = (typeof NOTE_LANGUAGES)[number];

/** One text in every note language. */
export type Localized = Readonly<Record<NoteLanguage, string>>;

/** VS Code's display language ("ko", "ko-KR", "en-US", ...) to the note language shown first. */
export function noteLanguageFor(displayLanguage: string): NoteLanguage {
  return displayLanguage.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

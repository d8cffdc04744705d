// Concept Notes view (browser side). The host sends rendered, escaped HTML; this file shows it,
// marks moments and figures, and reports clicks back as typed messages.
import type { HostToNotesMessage, NotesToHostMessage, ShowNoteMessage } from '../../src/core/notes/viewProtocol';
import { VsCodeHost } from '../shared/vscodeHost';

const host = new VsCodeHost<HostToNotesMessage, NotesToHostMessage, { noteId: string }>();
const header = document.createElement('header');
const article = document.createElement('main');
const related = document.createElement('nav');
article.id = 'note';
document.body.append(header, article, related);

let current: ShowNoteMessage | undefined;

function languageToggle(note: ShowNoteMessage): HTMLElement {
  const group = document.createElement('div');
  group.className = 'language-toggle';
  group.setAttribute('role', 'group');
  group.setAttribute('aria-label', note.labels.language);
  for (const [language, label] of [['en', 'EN'], ['ko', '한국어']] as const) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = label;
    button.setAttribute('aria-pressed', String(note.language === language));
    button.addEventListener('click', () => host.post({ type: 'setLanguage', language }));
    group.append(button);
  }
  return group;
}

function show(note: ShowNoteMessage): void {
  current = note;
  document.documentElement.lang = note.language;
  header.replaceChildren(languageToggle(note));
  // Safe by construction: render.ts escapes every piece of author text and emits only its own
  // tags, and the CSP forbids inline script anyway.
  article.innerHTML = note.html;
  article.dataset.note = note.noteId;
  related.replaceChildren();
  if (note.related.length > 0) {
    const title = document.createElement('h2');
    title.textContent = note.labels.relatedTopics;
    const list = document.createElement('ul');
    for (const r of note.related) {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = '#';
      link.className = 'note-link';
      link.dataset.note = r.noteId;
      link.textContent = r.title;
      item.append(link);
      list.append(item);
    }
    related.append(title, list);
  }
  if (note.section) document.getElementById(`section-${note.section}`)?.scrollIntoView();
  else window.scrollTo(0, 0);
  host.save({ noteId: note.noteId });
  host.post({ type: 'shown', noteId: note.noteId, language: note.language, sections: article.querySelectorAll('section.note-section').length });
}

function markMoment(momentId: string): void {
  for (const el of article.querySelectorAll<HTMLElement>('[data-moment]')) {
    const hit = el.dataset.moment === momentId;
    el.classList.toggle('moment-now', hit);
    if (hit) el.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }
}

function writeFigure(experimentId: string, text: string, running: boolean): void {
  for (const el of article.querySelectorAll<HTMLElement>('[data-figure-for]')) {
    if (el.dataset.figureFor !== experimentId) continue;
    el.textContent = text;
    el.classList.toggle('pending', running);
  }
  for (const b of article.querySelectorAll<HTMLButtonElement>('button.run-experiment')) {
    if (b.dataset.experiment === experimentId) b.disabled = running;
  }
}

document.body.addEventListener('click', (event) => {
  const target = (event.target as HTMLElement).closest<HTMLElement>('a, button');
  if (!target) return;
  const data = target.dataset;
  if (target.classList.contains('source-link') && data.file) {
    event.preventDefault();
    host.post({ type: 'openSource', file: data.file, needle: data.needle, line: data.line ? Number(data.line) : undefined });
  } else if (target.classList.contains('note-link') && data.note) {
    event.preventDefault();
    host.post({ type: 'openNote', noteId: data.note, section: data.section });
  } else if (target.classList.contains('run-experiment') && data.experiment) {
    host.post({ type: 'runExperiment', experimentId: data.experiment });
  }
});

host.onMessage((message) => {
  switch (message.type) {
    case 'show':
      show(message);
      break;
    case 'moment':
      markMoment(message.momentId);
      break;
    case 'figure':
      writeFigure(message.experimentId, message.text, message.running ?? false);
      break;
  }
});

if (current === undefined) host.post({ type: 'ready' });

/**
 * Renders a parsed note to the HTML the Notes webview shows. Every piece of author text goes
 * through escapeHtml, and only the tags written here are ever emitted, so a note (or a user's
 * edited copy of one) cannot inject markup or script into the webview. Links carry data-*
 * attributes; the webview turns clicks into messages to the host (reveal a source line, open a
 * note, run an experiment), so no href ever navigates the webview itself.
 */
import { type Block, type Inline, type LinkTarget, type NoteDocument, type SourceTarget } from './document';
import { findExperiment } from '../experiments';
import { type NoteLanguage } from './language';
import { findMoment } from './moments';
import { formatSourceTarget } from './sourceLink';

export interface RenderOptions {
  readonly language: NoteLanguage;
  /** The line a source link means in the files the user runs; undefined: unresolved (shown as such). */
  readonly resolveSourceLine?: (target: SourceTarget) => number | undefined;
  /** The last measured figure of each experiment, already phrased (formatFigure). */
  readonly figures?: Readonly<Record<string, string>>;
  /** UI strings, localized by the host. */
  readonly labels: { readonly runExperiment: string; readonly notYetMeasured: string; readonly staleSourceLink: string };
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

export function renderNote(document: NoteDocument, options: RenderOptions): string {
  const parts = [`<article class="note" lang="${options.language}">`, `<h1>${inlines(document.title, options)}</h1>`];
  parts.push(...document.lead.map((block) => renderBlock(block, options)));
  for (const section of document.sections) {
    const id = escapeHtml(section.id);
    parts.push(
      `<section class="note-section" id="section-${id}" data-section="${id}">`,
      `<h2>${inlines(section.title, options)}</h2>`,
      ...section.blocks.map((block) => renderBlock(block, options)),
      '</section>',
    );
  }
  parts.push('</article>');
  return parts.join('\n');
}

function renderBlock(block: Block, options: RenderOptions): string {
  const moment = momentAttributes(block.moment, options);
  switch (block.kind) {
    case 'paragraph':
      return `<p${moment}>${inlines(block.content, options)}</p>`;
    case 'quote':
      return `<blockquote${moment}><p>${inlines(block.content, options)}</p></blockquote>`;
    case 'subheading':
      return `<h3${moment}>${inlines(block.content, options)}</h3>`;
    case 'list': {
      const tag = block.ordered ? 'ol' : 'ul';
      const items = block.items.map((item) => `<li>${inlines(item, options)}</li>`).join('');
      return `<${tag}${moment}>${items}</${tag}>`;
    }
    case 'code': {
      const language = block.language ? ` class="language-${escapeHtml(block.language)}"` : '';
      return `<pre${moment}><code${language}>${escapeHtml(block.text)}</code></pre>`;
    }
    case 'experiment':
      return renderExperiment(block.id, block.body, moment, options);
  }
}

function renderExperiment(id: string, body: readonly Block[], moment: string, options: RenderOptions): string {
  const experiment = findExperiment(id);
  const safeId = escapeHtml(id);
  const title = experiment ? experiment.title[options.language] : id;
  const figure = options.figures?.[id];
  const figureClass = figure === undefined ? 'figure pending' : 'figure';
  return [
    `<section class="experiment" data-experiment="${safeId}"${moment}>`,
    `<h3>${escapeHtml(title)}</h3>`,
    ...body.map((block) => renderBlock(block, options)),
    `<button type="button" class="run-experiment" data-experiment="${safeId}">${escapeHtml(options.labels.runExperiment)}</button>`,
    `<p class="${figureClass}" data-figure-for="${safeId}" aria-live="polite">${escapeHtml(figure ?? options.labels.notYetMeasured)}</p>`,
    '</section>',
  ].join('\n');
}

function momentAttributes(id: string | undefined, options: RenderOptions): string {
  if (id === undefined) return '';
  const moment = findMoment(id);
  const title = moment ? ` title="${escapeHtml(moment.title[options.language])}"` : '';
  // Highlighted by the webview through [data-moment], so the block keeps its own class.
  return ` data-moment="${escapeHtml(id)}"${title}`;
}

function inlines(content: readonly Inline[], options: RenderOptions): string {
  return content.map((inline) => renderInline(inline, options)).join('');
}

function renderInline(inline: Inline, options: RenderOptions): string {
  switch (inline.kind) {
    case 'text':
      return escapeHtml(inline.text);
    case 'code':
      return `<code>${escapeHtml(inline.text)}</code>`;
    case 'strong':
      return `<strong>${inlines(inline.children, options)}</strong>`;
    case 'em':
      return `<em>${inlines(inline.children, options)}</em>`;
    case 'link':
      return `${linkOpen(inline.target, options)}${inlines(inline.children, options)}</a>`;
  }
}

function linkOpen(target: LinkTarget, options: RenderOptions): string {
  switch (target.kind) {
    case 'external':
      return `<a class="external-link" href="${escapeHtml(target.url)}">`;
    case 'note': {
      const section = target.section === undefined ? '' : ` data-section="${escapeHtml(target.section)}"`;
      return `<a class="note-link" href="#" data-note="${escapeHtml(target.note)}"${section}>`;
    }
    case 'source': {
      const line = options.resolveSourceLine?.(target);
      const needle = target.needle === undefined ? '' : ` data-needle="${escapeHtml(target.needle)}"`;
      const common = `href="#" data-file="${escapeHtml(target.file)}"${needle}`;
      if (line !== undefined) return `<a class="source-link" ${common} data-line="${line}">`;
      // Unresolved: the host may still find it on click (a playground copy); say so on hover.
      const hint = `${options.labels.staleSourceLink} ${formatSourceTarget(target)}`;
      return `<a class="source-link unresolved" ${common} title="${escapeHtml(hint)}">`;
    }
  }
}

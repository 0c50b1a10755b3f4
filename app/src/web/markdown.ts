import { BoundedCache } from '../bounded-cache';
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import type { SectionRef } from './api-types';

/**
 * A section anchor as docs/contracts.md defines it: lower case, ASCII letters and
 * digits, words joined by `-`. Used only when the api's section list does not line up
 * with the headings (it always should).
 */
export function slugify(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

// Raw HTML in the Markdown is shown as text (html: false); the sanitizer is the second
// wall, for whatever markdown-it itself emits (links with odd schemes, say).
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: true });

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'p',
    'a',
    'ul',
    'ol',
    'li',
    'blockquote',
    'pre',
    'code',
    'em',
    'strong',
    'del',
    's',
    'hr',
    'br',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'img',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title'],
    h2: ['id'],
    h3: ['id'],
    h4: ['id'],
    h5: ['id'],
    h6: ['id'],
    code: ['class'],
    th: ['style'],
    td: ['style'],
    ol: ['start'],
  },
  allowedClasses: { code: [/^language-[\w-]+$/] },
  allowedStyles: { '*': { 'text-align': [/^(left|right|center)$/] } },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  // Level-1 headings would compete with the page's own h1: they become h2.
  transformTags: { h1: 'h2' },
};

/**
 * Chapter Markdown to safe HTML. Each `## ` heading gets the id of its section, in the
 * order the api lists them, so search links (`/chapters/2#what-a-pod-is`), the table of
 * contents and the saved reading position all land on the same heading.
 */
export function renderChapterMarkdown(source: string, sections: readonly SectionRef[]): string {
  const tokens = markdown.parse(source, {});
  let sectionIndex = 0;
  const used = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.type !== 'heading_open') continue;
    const text = tokens[i + 1]?.type === 'inline' ? tokens[i + 1].content : '';
    let id: string;
    if (token.tag === 'h2') {
      id = sections[sectionIndex]?.anchor ?? slugify(text);
      sectionIndex += 1;
    } else {
      id = slugify(text);
    }
    if (!id || used.has(id)) id = `${id || 'heading'}-${i}`;
    used.add(id);
    token.attrSet('id', id);
  }
  return sanitizeHtml(markdown.renderer.render(tokens, markdown.options, {}), SANITIZE);
}

/**
 * A short text written in Markdown (a quiz explanation, a feedback line) to safe HTML,
 * through the same parser and sanitizer as chapter text, so `code` and **bold** read the
 * same everywhere. `inline` keeps it to one line's markup (no paragraphs), for text
 * that sits inside a sentence.
 */
export function renderTextMarkdown(source: string, options: { inline?: boolean } = {}): string {
  const html = options.inline ? markdown.renderInline(source) : markdown.render(source);
  return sanitizeHtml(html, SANITIZE);
}

/**
 * Rendering is pure, and chapters change only when content is reloaded: keep each
 * chapter's last result so a busy chapter is parsed once per process, not once per page
 * view. Entries are found by chapter number and used only when the Markdown and the
 * section anchors are exactly those rendered; comparing two strings is far cheaper
 * than hashing the whole chapter into a key on every view.
 */
export class ChapterHtmlCache {
  private readonly entries: BoundedCache<number, { source: string; anchors: string; html: string }>;

  constructor(capacity = 64) {
    this.entries = new BoundedCache({ maxEntries: capacity });
  }

  render(chapterNumber: number, source: string, sections: readonly SectionRef[]): string {
    const anchors = sections.map((s) => s.anchor).join('|');
    const hit = this.entries.get(chapterNumber);
    if (hit && hit.source === source && hit.anchors === anchors) return hit.html;
    const html = renderChapterMarkdown(source, sections);
    this.entries.set(chapterNumber, { source, anchors, html });
    return html;
  }
}

import MarkdownIt from 'markdown-it';

/**
 * Reading the chapter files: front matter, sections (each `## ` heading) and the plain
 * text of a section for search. markdown-it's token stream is used rather than a
 * line regex so that a `## ` inside a fenced code block is not taken for a section.
 */
const parser = new MarkdownIt();

export interface FrontMatterSplit {
  /** The YAML between the `---` lines. */
  readonly frontMatter: string;
  /** Everything after the closing `---` line, byte for byte. */
  readonly body: string;
}

/** Splits `---\n<yaml>\n---\n<markdown>`; null when the file has no front matter. */
export function splitFrontMatter(source: string): FrontMatterSplit | null {
  const match = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(source);
  if (!match) return null;
  return { frontMatter: match[1], body: source.slice(match[0].length) };
}

/** Lower case, ASCII letters and digits, words joined by `-` (docs/contracts.md). */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export interface MarkdownSection {
  /** Empty for the text before the first `## ` heading (the chapter's introduction). */
  readonly anchor: string;
  readonly title: string;
  /** Plain text without Markdown syntax, for search and snippets. */
  readonly text: string;
  /** False for the introduction, which has no heading of its own. */
  readonly heading: boolean;
  /**
   * The words the author marked as defining: **bold** runs and sub-headings (### and
   * deeper), as plain text joined by " · ". Search weighs them above the body so the
   * section that defines a term ranks above those that merely use it.
   */
  readonly emphasis: string;
}

type Token = ReturnType<MarkdownIt['parse']>[number];

function plainText(token: Token): string {
  if (token.type === 'inline') {
    return (token.children ?? [])
      .map((child) => {
        if (child.type === 'text' || child.type === 'code_inline') return child.content;
        if (child.type === 'softbreak' || child.type === 'hardbreak') return ' ';
        if (child.type === 'image') return child.content;
        return '';
      })
      .join('');
  }
  if (token.type === 'fence' || token.type === 'code_block') return token.content;
  return '';
}

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The text inside each `**…**` of an inline token. */
function strongRuns(token: Token): string[] {
  const runs: string[] = [];
  let depth = 0;
  let current = '';
  for (const child of token.children ?? []) {
    if (child.type === 'strong_open') depth += 1;
    else if (child.type === 'strong_close') {
      depth -= 1;
      if (depth === 0) runs.push(collapse(current));
      if (depth === 0) current = '';
    } else if (depth > 0 && (child.type === 'text' || child.type === 'code_inline')) current += child.content;
  }
  return runs.filter(Boolean);
}

/**
 * The sections of a chapter in order. The introduction (text before the first `## `)
 * comes first with an empty anchor when it has any text.
 */
export function extractSections(markdown: string, introTitle: string): MarkdownSection[] {
  const tokens = parser.parse(markdown, {});
  const sections: { anchor: string; title: string; parts: string[]; emphasis: string[]; heading: boolean }[] = [
    { anchor: '', title: introTitle, parts: [], emphasis: [], heading: false },
  ];
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i];
    if (token.type === 'heading_open' && token.tag === 'h2') {
      const title = collapse(plainText(tokens[i + 1]));
      sections.push({ anchor: slugify(title), title, parts: [], emphasis: [], heading: true });
      i += 2; // the heading's inline and heading_close tokens
      continue;
    }
    const current = sections[sections.length - 1];
    if (token.type === 'heading_open') current.emphasis.push(collapse(plainText(tokens[i + 1])));
    if (token.type === 'inline') current.emphasis.push(...strongRuns(token));
    const text = plainText(token);
    if (text) current.parts.push(text);
  }
  return sections
    .map((s) => ({
      anchor: s.anchor,
      title: s.title,
      text: collapse(s.parts.join(' ')),
      emphasis: s.emphasis.join(' · '),
      heading: s.heading,
    }))
    .filter((s) => s.heading || s.text !== '');
}

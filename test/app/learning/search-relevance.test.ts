import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import MarkdownIt from 'markdown-it';
import { FixedClock } from '../../../app/src/clock';
import { openStores, type Stores } from '../../../app/src/db/stores';
import { loadCourseContent } from '../../../app/src/domain/content-loader';
import { slugify, splitFrontMatter } from '../../../app/src/domain/markdown';
import { searchCourse } from '../../../app/src/domain/search';
import { createTestDatabase, type TestDatabase } from '../../support/databases';

const REAL_CONTENT = path.join(__dirname, '../../../app/content');

/** Each section's opening here is read independently of the app's parser, from the files themselves. */
interface Definition {
  readonly term: string;
  readonly chapter: number;
  readonly anchors: Set<string>;
}

/**
 * Every bold-defined term of the shipped chapters: a `**term**` of at most four words
 * (longer bold runs are sentences, not terms), keyed by its text without closing
 * punctuation; a term bold in two sections may be ranked first with either.
 */
function boldDefinitions(): Definition[] {
  const parser = new MarkdownIt();
  const byTerm = new Map<string, Definition>();
  for (const file of readdirSync(path.join(REAL_CONTENT, 'chapters')).sort()) {
    const chapter = Number(file.slice(0, 2));
    const body = splitFrontMatter(readFileSync(path.join(REAL_CONTENT, 'chapters', file), 'utf8'))?.body ?? '';
    let anchor = '';
    const tokens = parser.parse(body, {});
    tokens.forEach((token, i) => {
      if (token.type === 'heading_open' && token.tag === 'h2') anchor = slugify(tokens[i + 1].content);
      if (token.type !== 'inline') return;
      const children = token.children ?? [];
      children.forEach((child, j) => {
        if (child.type !== 'strong_open') return;
        const closing = children.findIndex((c, k) => k > j && c.type === 'strong_close');
        const term = children
          .slice(j + 1, closing)
          .map((c) => c.content)
          .join('')
          .replace(/[.:,;]+$/, '')
          .trim();
        if (term.split(/\s+/).length > 4) return;
        const key = `${chapter}:${term.toLowerCase()}`;
        const known = byTerm.get(key) ?? { term, chapter, anchors: new Set<string>() };
        known.anchors.add(anchor);
        byTerm.set(key, known);
      });
    });
  }
  return [...byTerm.values()];
}

describe('search relevance over the shipped course', () => {
  let testDb: TestDatabase;
  let stores: Stores;
  beforeAll(async () => {
    testDb = await createTestDatabase('sqlite');
    await loadCourseContent(testDb.db, REAL_CONTENT, new FixedClock(new Date('2026-01-01T00:00:00Z')));
    stores = openStores(testDb.db);
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it('ranks the defining section first for at least 95 % of the bold-defined terms', async () => {
    const definitions = boldDefinitions();
    expect(definitions.length).toBeGreaterThan(50);
    const misses: string[] = [];
    for (const { term, chapter, anchors } of definitions) {
      const [top] = (await searchCourse(stores, { tier: 'team' }, term, 1)).results;
      if (!top || top.chapter_number !== chapter || !anchors.has(top.section_anchor)) {
        misses.push(`${term} → ${top ? `${top.chapter_number}#${top.section_anchor}` : 'nothing'}`);
      }
    }
    const share = (definitions.length - misses.length) / definitions.length;
    // The misses are named so a content change that costs relevance says which terms.
    if (share < 0.95) throw new Error(`${Math.round(share * 1000) / 10} % ranked first; missed: ${misses.join('; ')}`);
  });

  it.each([
    ['drift', 1],
    ['SOPS', 8],
    ['readiness probe', 3],
  ])('ranks the section that defines "%s" first', async (term, chapter) => {
    const [top] = (await searchCourse(stores, { tier: 'team' }, term, 1)).results;
    expect(top.chapter_number).toBe(chapter);
  });
});

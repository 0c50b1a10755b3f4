import type { LearningStores } from '../db/stores';
import type { Learner } from './learner';
import { canReadChapter } from './tiers';

/**
 * Ranked search over the course's sections (BM25F: section title and body, the title
 * weighted higher), with highlighted snippets and deep links.
 *
 * Why in memory: the course is a few dozen sections, so an index takes microseconds to
 * query and a few milliseconds to build from the database; it needs nothing from the
 * engine (the same code on SQLite and PostgreSQL, where full-text search differs).
 *
 * Access: an index is built per set of readable chapters and holds ONLY those
 * chapters' text. Locked text is therefore never ranked, never counted in the term
 * statistics and cannot reach a snippet: filtering happens before ranking, not after.
 */
export interface SearchResult {
  readonly chapter_number: number;
  readonly chapter_title: string;
  readonly section_anchor: string;
  readonly section_title: string;
  readonly snippet: readonly { readonly text: string; readonly highlight: boolean }[];
  readonly url: string;
  readonly score: number;
}

const STOP_WORDS = new Set(
  'a an and are as at be but by for from how i if in into is it its of on or that the their then there these this to was what when where which who why will with you your'.split(
    ' ',
  ),
);

const WORD = /[\p{L}\p{N}]+/gu;

/** A light English stemmer: enough that "pods" finds "pod" and "rolling" finds "roll". */
export function stem(word: string): string {
  let w = word.toLowerCase();
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 4 && /(?:ch|sh|x|ss)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us')) w = w.slice(0, -1);
  else if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  // "release", "releases", "released", "releasing" all end up as "releas".
  return w.length > 3 && w.endsWith('e') ? w.slice(0, -1) : w;
}

export function terms(text: string): string[] {
  return (text.match(WORD) ?? []).map((w) => w.toLowerCase()).filter((w) => !STOP_WORDS.has(w)).map(stem);
}

interface Field {
  readonly counts: Map<string, number>;
  readonly length: number;
}

interface Document {
  readonly chapterNumber: number;
  readonly chapterTitle: string;
  readonly anchor: string;
  readonly sectionTitle: string;
  readonly body: string;
  readonly title: Field;
  readonly text: Field;
}

function field(text: string): Field {
  const list = terms(text);
  const counts = new Map<string, number>();
  for (const term of list) counts.set(term, (counts.get(term) ?? 0) + 1);
  return { counts, length: list.length };
}

export interface SectionRecord {
  readonly chapterNumber: number;
  readonly chapterTitle: string;
  readonly anchor: string;
  readonly sectionTitle: string;
  readonly body: string;
}

const K1 = 1.2;
const B = 0.75;
const TITLE_WEIGHT = 3;
const BODY_WEIGHT = 1;
const SNIPPET_WORDS = 28;

export class SearchIndex {
  private readonly documents: Document[];
  private readonly documentFrequency = new Map<string, number>();
  private readonly averageTitle: number;
  private readonly averageBody: number;

  constructor(sections: readonly SectionRecord[]) {
    this.documents = sections.map((s) => ({ ...s, title: field(s.sectionTitle), text: field(s.body) }));
    for (const doc of this.documents) {
      for (const term of new Set([...doc.title.counts.keys(), ...doc.text.counts.keys()])) {
        this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
      }
    }
    const n = Math.max(1, this.documents.length);
    this.averageTitle = this.documents.reduce((sum, d) => sum + d.title.length, 0) / n || 1;
    this.averageBody = this.documents.reduce((sum, d) => sum + d.text.length, 0) / n || 1;
  }

  /** The chapters whose text this index holds. */
  get chapterNumbers(): number[] {
    return [...new Set(this.documents.map((d) => d.chapterNumber))];
  }

  search(query: string, limit: number): SearchResult[] {
    const queryTerms = [...new Set(terms(query))];
    if (queryTerms.length === 0) return [];
    const total = this.documents.length;
    const scored: { doc: Document; score: number }[] = [];
    for (const doc of this.documents) {
      let score = 0;
      for (const term of queryTerms) {
        const df = this.documentFrequency.get(term);
        if (!df) continue;
        const weighted =
          (TITLE_WEIGHT * (doc.title.counts.get(term) ?? 0)) / (1 - B + (B * doc.title.length) / this.averageTitle) +
          (BODY_WEIGHT * (doc.text.counts.get(term) ?? 0)) / (1 - B + (B * doc.text.length) / this.averageBody);
        if (weighted === 0) continue;
        const idf = Math.log(1 + (total - df + 0.5) / (df + 0.5));
        score += (idf * weighted * (K1 + 1)) / (weighted + K1);
      }
      if (score > 0) scored.push({ doc, score });
    }
    scored.sort((a, b) => b.score - a.score || a.doc.chapterNumber - b.doc.chapterNumber);
    return scored.slice(0, limit).map(({ doc, score }) => ({
      chapter_number: doc.chapterNumber,
      chapter_title: doc.chapterTitle,
      section_anchor: doc.anchor,
      section_title: doc.sectionTitle,
      snippet: snippet(doc.body, new Set(queryTerms)),
      url: `/chapters/${doc.chapterNumber}${doc.anchor ? `#${doc.anchor}` : ''}`,
      score: Math.round(score * 1000) / 1000,
    }));
  }
}

/**
 * The window of SNIPPET_WORDS words with the most distinct query terms, as segments;
 * matched words are `highlight: true` (the web role renders them as <mark>).
 */
export function snippet(body: string, queryTerms: ReadonlySet<string>): { text: string; highlight: boolean }[] {
  const words = [...body.matchAll(WORD)].map((m) => ({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length, term: stem(m[0]) }));
  if (words.length === 0) return [];
  const hit = words.map((w) => queryTerms.has(w.term));
  let bestStart = 0;
  let bestScore = -1;
  for (let start = 0; start < words.length; start += 1) {
    if (start > 0 && !hit[start]) continue;
    const window = words.slice(start, start + SNIPPET_WORDS);
    const distinct = new Set(window.filter((_, i) => hit[start + i]).map((w) => w.term)).size;
    const count = window.filter((_, i) => hit[start + i]).length;
    const value = distinct * 100 + count;
    if (value > bestScore) {
      bestScore = value;
      bestStart = start;
    }
  }
  // Start a few words before the first hit so it reads in context.
  const first = Math.max(0, bestStart - (hit[bestStart] ? 4 : 0));
  const last = Math.min(words.length, first + SNIPPET_WORDS) - 1;
  const segments: { text: string; highlight: boolean }[] = [];
  const push = (text: string, highlight: boolean) => {
    if (!text) return;
    const previous = segments[segments.length - 1];
    if (previous && previous.highlight === highlight && !highlight) previous.text += text;
    else segments.push({ text, highlight });
  };
  push(first > 0 ? '…' : '', false);
  let cursor = words[first].start;
  for (let i = first; i <= last; i += 1) {
    push(body.slice(cursor, words[i].start), false);
    push(body.slice(words[i].start, words[i].end), hit[i]);
    cursor = words[i].end;
  }
  if (last < words.length - 1) push('…', false);
  return segments;
}

/**
 * The index over exactly the chapters this learner may read: one per set of readable
 * chapters, kept by the content store until the content changes.
 */
export async function readableIndex(stores: Pick<LearningStores, 'content'>, learner: Pick<Learner, 'tier'>): Promise<SearchIndex> {
  const readable = (await stores.content.chapterNumbers()).filter((n) => canReadChapter(learner.tier, n));
  return stores.content.derive(`search-index:${readable.join(',')}`, async () => new SearchIndex(await stores.content.sections(readable)));
}

export const MAX_SEARCH_RESULTS = 50;

export async function searchCourse(stores: Pick<LearningStores, 'content'>, learner: Pick<Learner, 'tier'>, query: string, limit = 10) {
  const index = await readableIndex(stores, learner);
  return { query, results: index.search(query, Math.max(1, Math.min(limit, MAX_SEARCH_RESULTS))) };
}

import type { LearningStores } from '../db/stores';
import type { Learner } from './learner';
import { fold, tokens } from './text-analysis';
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

/** The search terms of a text: the shared analysis (text-analysis.ts) without stop words. */
export function terms(text: string): string[] {
  return tokens(text)
    .filter((t) => !STOP_WORDS.has(fold(text.slice(t.start, t.end))))
    .map((t) => t.stem);
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
  readonly fields: Record<FieldName, Field>;
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
  /** The section's bold runs and sub-headings: where the author defines its terms. */
  readonly emphasis: string;
}

const K1 = 1.2;
const B = 0.75;
type FieldName = 'title' | 'emphasis' | 'body';
/**
 * BM25F field weights. A defining mention (**term**, a sub-heading) outweighs many
 * passing mentions in another section's body; a section title outweighs both. Tuned
 * against test/app/learning/search-relevance.test.ts (every bold-defined term).
 */
const FIELD_WEIGHTS: Record<FieldName, number> = { title: 4, emphasis: 10, body: 1 };
const FIELD_NAMES = Object.keys(FIELD_WEIGHTS) as FieldName[];
const SNIPPET_WORDS = 28;

export class SearchIndex {
  private readonly documents: Document[];
  private readonly documentFrequency = new Map<string, number>();
  private readonly averageLength = {} as Record<FieldName, number>;

  constructor(sections: readonly SectionRecord[]) {
    this.documents = sections.map((s) => ({
      ...s,
      // The introduction's title is the chapter's own: it names what the chapter defines.
      fields: { title: field(s.sectionTitle), emphasis: field(s.emphasis), body: field(s.body) },
    }));
    for (const doc of this.documents) {
      for (const term of new Set(FIELD_NAMES.flatMap((name) => [...doc.fields[name].counts.keys()]))) {
        this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
      }
    }
    const n = Math.max(1, this.documents.length);
    for (const name of FIELD_NAMES) {
      this.averageLength[name] = this.documents.reduce((sum, d) => sum + d.fields[name].length, 0) / n || 1;
    }
  }

  /** The BM25F pseudo-frequency of `term` in `doc`: each field's count, length-normalised and weighted. */
  private weightedFrequency(doc: Document, term: string): number {
    let total = 0;
    for (const name of FIELD_NAMES) {
      const { counts, length } = doc.fields[name];
      const count = counts.get(term) ?? 0;
      if (count > 0) total += (FIELD_WEIGHTS[name] * count) / (1 - B + (B * length) / this.averageLength[name]);
    }
    return total;
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
        const weighted = this.weightedFrequency(doc, term);
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
  const words = tokens(body).map((t) => ({ start: t.start, end: t.end, term: t.stem }));
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

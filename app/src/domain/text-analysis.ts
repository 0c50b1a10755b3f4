import porter2 from 'wink-porter2-stemmer';

/**
 * The one analysis of English text shared by search (index, query and snippets) and
 * by short-answer grading, so that a word that finds a section is also a word that
 * matches a keyword, and the two cannot drift apart again (issue 16, defects 6 and 9).
 *
 * Stemming is the Porter2 (Snowball English) algorithm from wink-porter2-stemmer
 * rather than suffix rules of our own: "string"/"strings" and "setting"/"settings"
 * then reduce alike everywhere.
 */

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Derivations Porter2 leaves apart by design (it strips inflections, not every
 * derivation) but that a learner of this course means as one word. Keyed by Porter2's
 * stem; kept short and explicit rather than a more aggressive stemmer for everything.
 */
const STEM_FAMILIES: ReadonlyMap<string, string> = new Map([
  ['reconcili', 'reconcil'], // reconciliation → reconcile
]);

/** Unicode compatibility folding (full-width letters, ligatures), lower case. */
export const fold = (text: string): string => text.normalize('NFKC').toLowerCase();

/** The stem of one word, after folding. */
export function stem(word: string): string {
  const base = porter2(fold(word));
  return STEM_FAMILIES.get(base) ?? base;
}

/** A word of the text with where it stands, for snippets that quote the original. */
export interface Token {
  readonly start: number;
  readonly end: number;
  readonly stem: string;
}

/** The words of `text` with their stems and offsets, stop words included. */
export function tokens(text: string): Token[] {
  return [...text.matchAll(WORD)].map((m) => ({ start: m.index, end: m.index + m[0].length, stem: stem(m[0]) }));
}

/** The stems of `text`'s words in order, stop words included (phrases keep their shape). */
export const stems = (text: string): string[] => tokens(text).map((t) => t.stem);

const TRAILING_PUNCTUATION = /[\p{P}\s]+$/u;

/**
 * How every short-answer rule sees a text: NFKC, whitespace collapsed and trimmed,
 * closing punctuation dropped ("SIGTERM." is SIGTERM), lower case unless the rule is
 * case-sensitive. Inner punctuation stays: "npm-ci" is not "npm ci".
 */
export function normaliseAnswer(text: string, caseSensitive = false): string {
  const collapsed = text.normalize('NFKC').replace(/\s+/gu, ' ').trim().replace(TRAILING_PUNCTUATION, '');
  return caseSensitive ? collapsed : collapsed.toLowerCase();
}

/** Whether the stems of `phrase` occur, in order and adjacent, among `haystack`'s. */
export function containsPhrase(haystack: readonly string[], phrase: readonly string[]): boolean {
  if (phrase.length === 0) return false;
  for (let i = 0; i + phrase.length <= haystack.length; i += 1) {
    if (phrase.every((s, j) => haystack[i + j] === s)) return true;
  }
  return false;
}

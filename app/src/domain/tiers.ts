/**
 * Access tiers and the one function that decides what a learner may read. Every path
 * that shows course material (chapter, next/previous links, search, quiz, attempts)
 * asks `canReadChapter`; nothing else decides.
 */
export const TIERS = ['free', 'premium', 'pro', 'team'] as const;
export type Tier = (typeof TIERS)[number];

/** Free learners read chapters 1 to this number, and their quizzes. */
export const FREE_CHAPTER_LIMIT = 3;

export interface Plan {
  readonly tier: Tier;
  readonly name: string;
  readonly price_monthly: number;
  readonly currency: 'USD';
  /** In words, for the upgrade panel. */
  readonly chapters: string;
}

export const PLANS: readonly Plan[] = [
  { tier: 'free', name: 'Free', price_monthly: 0, currency: 'USD', chapters: `Chapters 1–${FREE_CHAPTER_LIMIT}` },
  { tier: 'premium', name: 'Premium', price_monthly: 9.99, currency: 'USD', chapters: 'All chapters' },
  { tier: 'pro', name: 'Pro', price_monthly: 19.99, currency: 'USD', chapters: 'All chapters' },
  { tier: 'team', name: 'Team', price_monthly: 49.99, currency: 'USD', chapters: 'All chapters' },
];

/** The lowest tier that may read a chapter. */
export function requiredTierFor(chapterNumber: number): Tier {
  return chapterNumber <= FREE_CHAPTER_LIMIT ? 'free' : 'premium';
}

export function canReadChapter(tier: Tier, chapterNumber: number): boolean {
  return TIERS.indexOf(tier) >= TIERS.indexOf(requiredTierFor(chapterNumber));
}

export function isTier(value: unknown): value is Tier {
  return typeof value === 'string' && (TIERS as readonly string[]).includes(value);
}

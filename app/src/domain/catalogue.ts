import type { Tier } from './tiers';

/**
 * The course as loaded from app/content: its outline (chapters, sections, quizzes).
 * `ContentStore` (db/content-store.ts) reads and caches it.
 */
export interface ChapterOutline {
  readonly number: number;
  readonly slug: string;
  readonly title: string;
  readonly summary: string;
  readonly required_tier: Tier;
  readonly sections: readonly { readonly anchor: string; readonly title: string }[];
  readonly has_quiz: boolean;
}

export interface CourseOutline {
  readonly title: string;
  readonly description: string;
  readonly chapters: readonly ChapterOutline[];
}

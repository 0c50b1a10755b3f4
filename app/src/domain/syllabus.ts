import type { LearningStores } from '../db/stores';
import type { Tier } from './tiers';
import { PLANS, type Plan } from './tiers';

/** One chapter as a visitor sees it before signing up: what it covers and which plan opens it. */
export interface SyllabusChapter {
  readonly number: number;
  readonly title: string;
  readonly summary: string;
  readonly required_tier: Tier;
  readonly free: boolean;
}

export interface Syllabus {
  readonly title: string;
  readonly description: string;
  readonly chapters: readonly SyllabusChapter[];
  readonly plans: readonly Plan[];
}

/**
 * The course as sold on the landing page: every chapter's title and summary (never
 * its content) and the plans. The same for everyone, so it needs no session.
 */
export async function getSyllabus(stores: Pick<LearningStores, 'content'>): Promise<Syllabus> {
  const outline = await stores.content.outline();
  return {
    title: outline.title,
    description: outline.description,
    chapters: outline.chapters.map((chapter) => ({
      number: chapter.number,
      title: chapter.title,
      summary: chapter.summary,
      required_tier: chapter.required_tier,
      free: chapter.required_tier === 'free',
    })),
    plans: PLANS,
  };
}

import { batchedLookup } from './batched-lookup';
import type { Learner } from '../domain/learner';

/** What a chapter's state is decided from: whether the learner finished it, tried its quiz, or is reading it. */
export interface ChapterFacts {
  readonly done: boolean;
  readonly attempted: boolean;
  readonly positioned: boolean;
}

/**
 * The three indexed existence checks behind a chapter's state, as columns of a SELECT:
 * written once, for the single statement (`?` parameters) and the PostgreSQL batch
 * (columns of the unnested keys).
 */
function chapterFactsColumns(user: string, chapter: string): string {
  return [
    `exists (select 1 from chapter_progress where user_id = ${user} and chapter_number = ${chapter}) as done`,
    `exists (select 1 from quiz_attempts where user_id = ${user} and chapter_number = ${chapter}) as attempted`,
    `exists (select 1 from chapter_positions where user_id = ${user} and chapter_number = ${chapter}) as positioned`,
  ].join(',\n       ');
}

type FactsRow = { done: unknown; attempted: unknown; positioned: unknown };

// PostgreSQL answers booleans, SQLite 0 or 1.
const truthy = (value: unknown) => value === true || value === 1 || value === '1' || value === 't';

export function chapterFactsOf(row: FactsRow): ChapterFacts {
  return { done: truthy(row.done), attempted: truthy(row.attempted), positioned: truthy(row.positioned) };
}

export const learnerOfRow = (row: Learner): Learner => ({ id: row.id, email: row.email, tier: row.tier, timezone: row.timezone });

/** The learner's row: every authenticated request reads it. */
export const SIGNED_IN_LEARNER = batchedLookup<string, Learner>({
  name: 'signed_in_learner',
  single: { sql: 'select id, email, tier, timezone from users where id = ? limit 1', params: (id) => [id] },
  batch: {
    sql: `select q.batch_index, u.id, u.email, u.tier, u.timezone
     from unnest(?::varchar[]) with ordinality as q(id, batch_index)
     join users u on u.id = q.id`,
    params: (ids) => [ids],
  },
});

export interface LearnerChapterKey {
  readonly userId: string;
  readonly chapterNumber: number;
}

/** The learner's row and the facts of one chapter: the chapter view's one statement. */
export const LEARNER_WITH_CHAPTER_FACTS = batchedLookup<LearnerChapterKey, Learner & FactsRow>({
  name: 'learner_with_chapter_state',
  single: {
    sql: `select id, email, tier, timezone,
       ${chapterFactsColumns('?', '?')}
     from users where id = ? limit 1`,
    params: ({ userId, chapterNumber }) => [userId, chapterNumber, userId, chapterNumber, userId, chapterNumber, userId],
  },
  batch: {
    sql: `select q.batch_index, u.id, u.email, u.tier, u.timezone,
       ${chapterFactsColumns('q.user_id', 'q.chapter_number')}
     from unnest(?::varchar[], ?::int[]) with ordinality as q(user_id, chapter_number, batch_index)
     join users u on u.id = q.user_id`,
    params: (keys) => [keys.map((k) => k.userId), keys.map((k) => k.chapterNumber)],
  },
});

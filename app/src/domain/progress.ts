import type { Knex } from 'knex';
import type { Clock } from '../clock';
import { BadRequest, NotFound } from '../errors';
import { assertCanReadChapter } from './access';
import { getCourseOutline, type ChapterOutline } from './catalogue';
import type { Cache } from '../db/cache';
import { batchedLookup } from '../db/batched-lookup';
import type { Learner, LearningDatabase } from './learning-database';
import { computeStreak, localDate, type Streak } from './streaks';
import { canReadChapter } from './tiers';

/**
 * A learner's progress: completed chapters, quiz scores, the resume point and the
 * daily streak. Every function takes the learner from the token; none takes a user id
 * from a request.
 */
export type ChapterState = 'done' | 'in_progress' | 'not_started' | 'locked';

/** What learning metrics hear about; `Metrics` from observability satisfies it. */
export interface LearningEvents {
  chapterCompleted(chapterNumber: number): void;
  quizAttempted(chapterNumber: number, passed: boolean, ratio: number): void;
}

export interface ResumePoint {
  readonly chapter_number: number;
  readonly section_anchor: string | null;
}

export interface Progress {
  readonly overall_percentage: number;
  readonly completed_chapters: number;
  readonly total_chapters: number;
  readonly chapters: readonly {
    readonly number: number;
    readonly title: string;
    readonly state: ChapterState;
    readonly completed_at: string | null;
    readonly best_quiz_percentage: number | null;
    readonly last_quiz_percentage: number | null;
  }[];
  readonly resume: ResumePoint | null;
  readonly streak: Streak & { readonly timezone: string };
}

/** Percentage with one decimal, from integer scores (no float column round trips). */
export const percentageOf = (score: number, maxScore: number) => (maxScore > 0 ? Math.round((score * 1000) / maxScore) / 10 : 0);

export interface AttemptScores {
  readonly best: number;
  readonly last: number;
}

/** Best and last percentage per chapter; `last` is the newest attempt. */
export async function quizScores(knex: Knex, userId: string, chapterNumber?: number): Promise<Map<number, AttemptScores>> {
  const query = knex('quiz_attempts').select('chapter_number', 'score', 'max_score').where({ user_id: userId });
  if (chapterNumber !== undefined) query.andWhere({ chapter_number: chapterNumber });
  const rows: { chapter_number: number; score: number; max_score: number }[] = await query.orderBy([
    { column: 'created_at', order: 'asc' },
    { column: 'id', order: 'asc' },
  ]);
  const scores = new Map<number, AttemptScores>();
  for (const row of rows) {
    const percentage = percentageOf(Number(row.score), Number(row.max_score));
    const previous = scores.get(Number(row.chapter_number));
    scores.set(Number(row.chapter_number), { best: Math.max(previous?.best ?? 0, percentage), last: percentage });
  }
  return scores;
}

async function readResume(knex: Knex, learner: Learner): Promise<ResumePoint | null> {
  const row = await knex('reading_positions').where({ user_id: learner.id }).first('chapter_number', 'section_anchor');
  // A resume point in a chapter the learner can no longer read (plan ended) is not offered.
  if (!row || !canReadChapter(learner.tier, Number(row.chapter_number))) return null;
  return { chapter_number: Number(row.chapter_number), section_anchor: row.section_anchor ?? null };
}

function stateOf(learner: Learner, chapterNumber: number, completed: boolean, started: boolean): ChapterState {
  if (!canReadChapter(learner.tier, chapterNumber)) return 'locked';
  if (completed) return 'done';
  return started ? 'in_progress' : 'not_started';
}

/** The state of every chapter for this learner (for the course outline). */
export async function chapterStates(knex: Knex, learner: Learner, chapterNumbers: readonly number[]): Promise<Map<number, ChapterState>> {
  const completed = new Set(
    (await knex('chapter_progress').where({ user_id: learner.id }).select('chapter_number')).map((r) => Number(r.chapter_number)),
  );
  const attempted = new Set(
    (await knex('quiz_attempts').where({ user_id: learner.id }).distinct('chapter_number')).map((r) => Number(r.chapter_number)),
  );
  const resume = await readResume(knex, learner);
  return new Map(
    chapterNumbers.map((n) => [n, stateOf(learner, n, completed.has(n), attempted.has(n) || resume?.chapter_number === n)]),
  );
}

/** The existence checks behind a chapter's state, as columns of one SELECT. */
function chapterStateColumns(knex: Knex, userId: string, chapterNumber: number) {
  const mine = { user_id: userId, chapter_number: chapterNumber };
  const exists = (table: string, as: string) => knex.raw(`exists ? as ${as}`, [knex(table).where(mine).select(knex.raw('1'))]);
  return [exists('chapter_progress', 'done'), exists('quiz_attempts', 'attempted'), exists('reading_positions', 'positioned')];
}

type StateFlags = { done: unknown; attempted: unknown; positioned: unknown };

function stateFromFlags(learner: Learner, chapterNumber: number, flags: StateFlags): ChapterState {
  if (!canReadChapter(learner.tier, chapterNumber)) return 'locked';
  // PostgreSQL answers booleans, SQLite 0 or 1.
  if (truthy(flags.done)) return 'done';
  return truthy(flags.attempted) || truthy(flags.positioned) ? 'in_progress' : 'not_started';
}

/**
 * The state of one chapter: three indexed existence checks in ONE statement, because
 * every chapter view asks it and each round trip to PostgreSQL costs more than the
 * lookups themselves.
 */
export async function chapterState(knex: Knex, learner: Learner, chapterNumber: number): Promise<ChapterState> {
  if (!canReadChapter(learner.tier, chapterNumber)) return 'locked';
  const [flags]: StateFlags[] = await knex.select(...chapterStateColumns(knex, learner.id, chapterNumber));
  return stateFromFlags(learner, chapterNumber, flags);
}

/** The learner's row and three indexed existence checks: the chapter view's one statement. */
const LEARNER_WITH_CHAPTER_STATE = batchedLookup<{ userId: string; chapterNumber: number }, { id: string; email: string; tier: Learner['tier']; timezone: string } & StateFlags>({
  name: 'learner_with_chapter_state',
  single: {
    sql: `select id, email, tier, timezone,
       exists (select 1 from chapter_progress where user_id = ? and chapter_number = ?) as done,
       exists (select 1 from quiz_attempts where user_id = ? and chapter_number = ?) as attempted,
       exists (select 1 from reading_positions where user_id = ? and chapter_number = ?) as positioned
     from users where id = ? limit 1`,
    params: ({ userId, chapterNumber }) => [userId, chapterNumber, userId, chapterNumber, userId, chapterNumber, userId],
  },
  batch: {
    sql: `select q.batch_index, u.id, u.email, u.tier, u.timezone,
       exists (select 1 from chapter_progress p where p.user_id = q.user_id and p.chapter_number = q.chapter_number) as done,
       exists (select 1 from quiz_attempts a where a.user_id = q.user_id and a.chapter_number = q.chapter_number) as attempted,
       exists (select 1 from reading_positions r where r.user_id = q.user_id and r.chapter_number = q.chapter_number) as positioned
     from unnest(?::varchar[], ?::int[]) with ordinality as q(user_id, chapter_number, batch_index)
     join users u on u.id = q.user_id`,
    params: (keys) => [keys.map((k) => k.userId), keys.map((k) => k.chapterNumber)],
  },
});

/**
 * The learner's own row AND their state of one chapter, in one statement: the chapter
 * view is the hottest path, and the row must be read fresh on every request (a tier
 * change applies to the very next one). Undefined when the account no longer exists.
 */
export async function learnerWithChapterState(
  knex: Knex,
  userId: string,
  chapterNumber: number,
): Promise<{ user: { id: string; email: string; tier: Learner['tier']; timezone: string }; state: ChapterState } | undefined> {
  const row = await LEARNER_WITH_CHAPTER_STATE.load(knex, { userId, chapterNumber });
  if (!row) return undefined;
  const user = { id: row.id, email: row.email, tier: row.tier, timezone: row.timezone };
  return { user, state: stateFromFlags(user, chapterNumber, row) };
}

const truthy = (value: unknown) => value === true || value === 1 || value === '1' || value === 't';

/** Marks today (in the learner's zone) as a day of learning. */
export async function recordActivity(knex: Knex, learner: Learner, clock: Clock): Promise<void> {
  await knex('activity_days')
    .insert({ user_id: learner.id, day: localDate(clock.now(), learner.timezone) })
    .onConflict(['user_id', 'day'])
    .ignore();
}

export async function readStreak(knex: Knex, learner: Learner, clock: Clock): Promise<Progress['streak']> {
  const days: { day: string }[] = await knex('activity_days').where({ user_id: learner.id }).select('day');
  const streak = computeStreak(
    days.map((d) => d.day),
    localDate(clock.now(), learner.timezone),
  );
  return { ...streak, timezone: learner.timezone };
}

/**
 * Reads through `knex`: pass `db.write` right after a write so the answer includes it
 * even when `db.read` is a lagging replica.
 */
async function progressFrom(knex: Knex, db: LearningDatabase, learner: Learner, clock: Clock, cache?: Cache): Promise<Progress> {
  const outline = await getCourseOutline(db, cache);
  const completedRows: { chapter_number: number; completed_at: string }[] = await knex('chapter_progress')
    .where({ user_id: learner.id })
    .select('chapter_number', 'completed_at');
  const completedAt = new Map(completedRows.map((r) => [Number(r.chapter_number), r.completed_at]));
  const scores = await quizScores(knex, learner.id);
  const resume = await readResume(knex, learner);
  const chapters = outline.chapters.map((chapter) => {
    const score = scores.get(chapter.number);
    const started = score !== undefined || resume?.chapter_number === chapter.number;
    return {
      number: chapter.number,
      title: chapter.title,
      state: stateOf(learner, chapter.number, completedAt.has(chapter.number), started),
      completed_at: completedAt.get(chapter.number) ?? null,
      best_quiz_percentage: score?.best ?? null,
      last_quiz_percentage: score?.last ?? null,
    };
  });
  const completed = chapters.filter((c) => c.completed_at !== null).length;
  return {
    overall_percentage: percentageOf(completed, chapters.length),
    completed_chapters: completed,
    total_chapters: chapters.length,
    chapters,
    resume,
    streak: await readStreak(knex, learner, clock),
  };
}

export function getProgress(db: LearningDatabase, learner: Learner, clock: Clock, cache?: Cache): Promise<Progress> {
  return progressFrom(db.read, db, learner, clock, cache);
}

/** The outline entry of a chapter that exists, or 404. */
export async function findChapter(db: LearningDatabase, chapterNumber: number, cache?: Cache): Promise<ChapterOutline> {
  const chapter = (await getCourseOutline(db, cache)).chapters.find((c) => c.number === chapterNumber);
  if (!chapter) throw new NotFound(`There is no chapter ${chapterNumber}.`);
  return chapter;
}

export async function completeChapter(
  db: LearningDatabase,
  learner: Learner,
  chapterNumber: number,
  clock: Clock,
  options: { events?: LearningEvents; cache?: Cache } = {},
): Promise<Progress> {
  await findChapter(db, chapterNumber, options.cache);
  assertCanReadChapter(learner, chapterNumber);
  // Completing twice keeps the first completion time and counts once.
  const inserted = await db.write('chapter_progress')
    .insert({ user_id: learner.id, chapter_number: chapterNumber, completed_at: clock.now().toISOString() })
    .onConflict(['user_id', 'chapter_number'])
    .ignore()
    .returning('chapter_number');
  await recordActivity(db.write, learner, clock);
  if (inserted.length > 0) options.events?.chapterCompleted(chapterNumber);
  return progressFrom(db.write, db, learner, clock, options.cache);
}

export async function setReadingPosition(
  db: LearningDatabase,
  learner: Learner,
  position: { chapter_number: number; section_anchor?: string | null },
  clock: Clock,
  cache?: Cache,
): Promise<{ resume: ResumePoint }> {
  const chapter = await findChapter(db, position.chapter_number, cache);
  assertCanReadChapter(learner, chapter.number);
  const anchor = position.section_anchor ?? null;
  if (anchor !== null && !chapter.sections.some((s) => s.anchor === anchor)) {
    throw new BadRequest(`Chapter ${chapter.number} has no section "${anchor}".`, {
      issues: [{ path: ['section_anchor'], message: 'not a section of this chapter' }],
    });
  }
  await db.write('reading_positions')
    .insert({ user_id: learner.id, chapter_number: chapter.number, section_anchor: anchor, updated_at: clock.now().toISOString() })
    .onConflict('user_id')
    .merge();
  await recordActivity(db.write, learner, clock);
  return { resume: { chapter_number: chapter.number, section_anchor: anchor } };
}

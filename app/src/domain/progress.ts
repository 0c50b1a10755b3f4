import type { Clock } from '../clock';
import type { ChapterFacts } from '../db/learner-lookups';
import type { LearnerStore } from '../db/learner-store';
import type { ChapterPositionRow, ProgressReads } from '../db/progress-store';
import type { LearningStores } from '../db/stores';
import { NotFound } from '../errors';
import { assertCanReadChapter } from './access';
import type { ChapterOutline } from './catalogue';
import type { Learner } from './learner';
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
    /** The learner's plan does not open this chapter (it may still be "done", from an earlier plan). */
    readonly locked: boolean;
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
export async function quizScores(reads: ProgressReads, userId: string, chapterNumber?: number): Promise<Map<number, AttemptScores>> {
  const scores = new Map<number, AttemptScores>();
  for (const row of await reads.attemptScores(userId, chapterNumber)) {
    const percentage = percentageOf(row.score, row.max_score);
    const previous = scores.get(row.chapter_number);
    scores.set(row.chapter_number, { best: Math.max(previous?.best ?? 0, percentage), last: percentage });
  }
  return scores;
}

/**
 * The resume point: the chapter viewed last, among those the learner can still read (a
 * plan that ended does not send them to a locked page), with the section read in it.
 */
export function resumeFrom(learner: Learner, positions: readonly ChapterPositionRow[]): ResumePoint | null {
  const row = positions.find((p) => canReadChapter(learner.tier, p.chapter_number));
  return row ? { chapter_number: row.chapter_number, section_anchor: row.section_anchor } : null;
}

/**
 * Issue 16, defect 3: what the learner finished stays finished. A completed chapter is
 * "done" on every plan (and counted in the summary), flagged `locked` apart when the plan
 * no longer opens it; a chapter not completed that the plan does not open is "locked".
 */
function stateOf(learner: Learner, chapterNumber: number, completed: boolean, started: boolean): ChapterState {
  if (completed) return 'done';
  if (!canReadChapter(learner.tier, chapterNumber)) return 'locked';
  return started ? 'in_progress' : 'not_started';
}

/** The state of every chapter for this learner (for the course outline). */
export async function chapterStates(
  stores: Pick<LearningStores, 'progress'>,
  learner: Learner,
  chapterNumbers: readonly number[],
): Promise<Map<number, ChapterState>> {
  const reads = stores.progress.replica;
  const completed = new Set((await reads.completions(learner.id)).map((r) => r.chapter_number));
  const started = new Set([
    ...(await reads.attemptedChapters(learner.id)),
    ...(await reads.chapterPositions(learner.id)).map((p) => p.chapter_number),
  ]);
  return new Map(chapterNumbers.map((n) => [n, stateOf(learner, n, completed.has(n), started.has(n))]));
}

/** One chapter's state from its facts: the rule every page shares. */
export function stateFromFacts(learner: Learner, chapterNumber: number, facts: ChapterFacts): ChapterState {
  return stateOf(learner, chapterNumber, facts.done, facts.attempted || facts.positioned);
}

/**
 * The state of one chapter: three indexed existence checks in ONE statement, because
 * every chapter view asks it and each round trip to PostgreSQL costs more than the
 * lookups themselves.
 */
export async function chapterState(
  stores: Pick<LearningStores, 'learners'>,
  learner: Learner,
  chapterNumber: number,
): Promise<ChapterState> {
  return stateFromFacts(learner, chapterNumber, await stores.learners.chapterFacts(learner.id, chapterNumber));
}

/**
 * The learner's own row AND their state of one chapter, in one statement: the chapter
 * view is the hottest path, and the row must be read fresh on every request (a tier
 * change applies to the very next one). Undefined when the account no longer exists.
 */
export async function learnerWithChapterState(
  learners: LearnerStore,
  userId: string,
  chapterNumber: number,
): Promise<{ learner: Learner; state: ChapterState } | undefined> {
  const found = await learners.findWithChapter(userId, chapterNumber);
  if (!found) return undefined;
  return { learner: found.learner, state: stateFromFacts(found.learner, chapterNumber, found.facts) };
}

/** Marks today (in the learner's zone, kept with the day) as a day of learning; false when it already was. */
export function recordActivity(stores: Pick<LearningStores, 'progress'>, learner: Learner, clock: Clock): Promise<boolean> {
  return stores.progress.recordActivityDay(learner.id, localDate(clock.now(), learner.timezone), learner.timezone);
}

export async function readStreak(reads: ProgressReads, learner: Learner, clock: Clock): Promise<Progress['streak']> {
  const streak = computeStreak(await reads.activityDays(learner.id), localDate(clock.now(), learner.timezone), learner.timezone);
  return { ...streak, timezone: learner.timezone };
}

/**
 * Reads through `reads`: pass `progress.primary` right after a write so the answer
 * includes it even when the replica lags.
 */
async function progressFrom(stores: LearningStores, reads: ProgressReads, learner: Learner, clock: Clock): Promise<Progress> {
  const outline = await stores.content.outline();
  const completedAt = new Map((await reads.completions(learner.id)).map((r) => [r.chapter_number, r.completed_at]));
  const scores = await quizScores(reads, learner.id);
  const positions = await reads.chapterPositions(learner.id);
  const opened = new Set(positions.map((p) => p.chapter_number));
  const chapters = outline.chapters.map((chapter) => {
    const score = scores.get(chapter.number);
    const started = score !== undefined || opened.has(chapter.number);
    return {
      number: chapter.number,
      title: chapter.title,
      state: stateOf(learner, chapter.number, completedAt.has(chapter.number), started),
      locked: !canReadChapter(learner.tier, chapter.number),
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
    resume: resumeFrom(learner, positions),
    streak: await readStreak(reads, learner, clock),
  };
}

export function getProgress(stores: LearningStores, learner: Learner, clock: Clock): Promise<Progress> {
  return progressFrom(stores, stores.progress.replica, learner, clock);
}

/** The outline entry of a chapter that exists, or 404. */
export async function findChapter(stores: Pick<LearningStores, 'content'>, chapterNumber: number): Promise<ChapterOutline> {
  const chapter = (await stores.content.outline()).chapters.find((c) => c.number === chapterNumber);
  if (!chapter) throw new NotFound(`There is no chapter ${chapterNumber}.`);
  return chapter;
}

export async function completeChapter(
  stores: LearningStores,
  learner: Learner,
  chapterNumber: number,
  clock: Clock,
  options: { events?: LearningEvents } = {},
): Promise<Progress> {
  await findChapter(stores, chapterNumber);
  assertCanReadChapter(learner, chapterNumber);
  // Completing twice keeps the first completion time and counts once.
  const inserted = await stores.progress.complete(learner.id, chapterNumber, clock.now().toISOString());
  await recordActivity(stores, learner, clock);
  if (inserted) options.events?.chapterCompleted(chapterNumber);
  return progressFrom(stores, stores.progress.primary, learner, clock);
}

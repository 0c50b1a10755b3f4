import type { Knex } from 'knex';
import { chapterPositions, recordView, type ChapterPositionRow, type ChapterView } from './chapter-positions';
import type { Database } from './database';
import { preparedStatement } from './prepared';

export type { ChapterPositionRow, ChapterView } from './chapter-positions';

export interface CompletionRow {
  readonly chapter_number: number;
  readonly completed_at: string;
}

/** A local date with learning activity, and the zone it was counted in (null: recorded before zones were kept). */
export interface ActivityDayRow {
  readonly day: string;
  readonly timezone: string | null;
}

export interface AttemptScoreRow {
  readonly chapter_number: number;
  readonly score: number;
  readonly max_score: number;
}

export interface AttemptRow {
  readonly id: string;
  readonly score: number;
  readonly max_score: number;
  readonly passed: boolean;
  readonly created_at: string;
}

export interface NewAttempt {
  readonly id: string;
  readonly user_id: string;
  readonly chapter_number: number;
  readonly score: number;
  readonly max_score: number;
  readonly percentage: number;
  readonly passed: boolean;
  readonly answers_json: string;
  readonly created_at: string;
}

/** A learner's progress as one connection pool reads it (the replica, or the primary right after a write). */
export interface ProgressReads {
  completions(userId: string): Promise<CompletionRow[]>;
  /** The chapters whose quiz the learner tried at least once. */
  attemptedChapters(userId: string): Promise<number[]>;
  /** Every chapter the learner opened, newest view first (the first is the resume point). */
  chapterPositions(userId: string): Promise<ChapterPositionRow[]>;
  /** Every attempt's score, oldest first (of one chapter when `chapterNumber` is given). */
  attemptScores(userId: string, chapterNumber?: number): Promise<AttemptScoreRow[]>;
  /** The learner's attempts at one quiz, newest first. */
  attempts(userId: string, chapterNumber: number): Promise<AttemptRow[]>;
  /** The local dates on which the learner learned something, with the zone each was counted in. */
  activityDays(userId: string): Promise<ActivityDayRow[]>;
}

/** Completions, chapter positions, quiz attempts and activity days. */
export interface ProgressStore {
  /** Reads from the replica. */
  readonly replica: ProgressReads;
  /** Reads from the primary: right after a write, so the answer includes it even when the replica lags. */
  readonly primary: ProgressReads;
  /** Marks a chapter done; completing twice keeps the first time. True when this call completed it. */
  complete(userId: string, chapterNumber: number, at: string): Promise<boolean>;
  /** Records a chapter view; false when it changed nothing (and nothing was written). */
  recordView(userId: string, view: ChapterView, at: string): Promise<boolean>;
  addAttempt(attempt: NewAttempt): Promise<void>;
  /** Marks a local date, counted in `timezone`, as a day of learning (once); false when it already was. */
  recordActivityDay(userId: string, day: string, timezone: string): Promise<boolean>;
}

/** Every chapter view runs it (through the view's record): prepared once per connection, as in chapter-positions.ts. */
const recordActivityDayStatement = preparedStatement<{ day: string }>(
  'record_activity_day',
  'insert into activity_days (user_id, day, timezone) values (?, ?, ?) on conflict (user_id, day) do nothing returning day',
);

/** ProgressReads over one connection pool (the replica, or the primary right after a write). */
class SqlProgressReads implements ProgressReads {
  constructor(private readonly knex: Knex) {}

  async completions(userId: string): Promise<CompletionRow[]> {
    const rows: CompletionRow[] = await this.knex('chapter_progress').where({ user_id: userId }).select('chapter_number', 'completed_at');
    return rows.map((r) => ({ chapter_number: Number(r.chapter_number), completed_at: r.completed_at }));
  }

  /** The chapters whose quiz the learner tried at least once. */
  async attemptedChapters(userId: string): Promise<number[]> {
    const rows: { chapter_number: number }[] = await this.knex('quiz_attempts').where({ user_id: userId }).distinct('chapter_number');
    return rows.map((r) => Number(r.chapter_number));
  }

  chapterPositions(userId: string): Promise<ChapterPositionRow[]> {
    return chapterPositions(this.knex, userId);
  }

  /** Every attempt's score, oldest first (of one chapter when `chapterNumber` is given). */
  async attemptScores(userId: string, chapterNumber?: number): Promise<AttemptScoreRow[]> {
    const query = this.knex('quiz_attempts').select('chapter_number', 'score', 'max_score').where({ user_id: userId });
    if (chapterNumber !== undefined) query.andWhere({ chapter_number: chapterNumber });
    // seq, not created_at: two attempts in one millisecond keep the order they were stored in (migration 0005).
    const rows: AttemptScoreRow[] = await query.orderBy('seq', 'asc');
    return rows.map((r) => ({ chapter_number: Number(r.chapter_number), score: Number(r.score), max_score: Number(r.max_score) }));
  }

  /** The learner's attempts at one quiz, newest first. */
  async attempts(userId: string, chapterNumber: number): Promise<AttemptRow[]> {
    const rows: AttemptRow[] = await this.knex('quiz_attempts')
      .where({ user_id: userId, chapter_number: chapterNumber })
      .select('id', 'score', 'max_score', 'passed', 'created_at')
      .orderBy('seq', 'desc');
    return rows.map((r) => ({
      id: r.id,
      score: Number(r.score),
      max_score: Number(r.max_score),
      passed: Boolean(r.passed),
      created_at: r.created_at,
    }));
  }

  /** The local dates on which the learner learned something, with the zone each was counted in. */
  async activityDays(userId: string): Promise<ActivityDayRow[]> {
    const days: ActivityDayRow[] = await this.knex('activity_days').where({ user_id: userId }).select('day', 'timezone');
    return days.map((d) => ({ day: d.day, timezone: d.timezone ?? null }));
  }
}

/**
 * Completions, chapter positions, quiz attempts and activity days. Reads go to the
 * replica (`replica`) or, right after a write, to the primary (`primary`), so an answer
 * includes what was just written even when the replica lags.
 */
export class SqlProgressStore implements ProgressStore {
  readonly replica: ProgressReads;
  readonly primary: ProgressReads;
  private readonly write: Knex;

  constructor(db: Pick<Database, 'write' | 'read'>) {
    this.write = db.write;
    this.primary = new SqlProgressReads(db.write);
    this.replica = db.read === db.write ? this.primary : new SqlProgressReads(db.read);
  }

  /** Marks a chapter done; completing twice keeps the first time. True when this call completed it. */
  async complete(userId: string, chapterNumber: number, at: string): Promise<boolean> {
    const inserted = await this.write('chapter_progress')
      .insert({ user_id: userId, chapter_number: chapterNumber, completed_at: at })
      .onConflict(['user_id', 'chapter_number'])
      .ignore()
      .returning('chapter_number');
    return inserted.length > 0;
  }

  /** Records a chapter view; false when it changed nothing (and nothing was written). */
  recordView(userId: string, view: ChapterView, at: string): Promise<boolean> {
    return recordView(this.write, userId, view, at);
  }

  async addAttempt(attempt: NewAttempt): Promise<void> {
    await this.write('quiz_attempts').insert(attempt);
  }

  /** Marks a local date, counted in `timezone`, as a day of learning (once); false when it already was. */
  async recordActivityDay(userId: string, day: string, timezone: string): Promise<boolean> {
    return (await recordActivityDayStatement.rows(this.write, [userId, day, timezone])).length > 0;
  }
}

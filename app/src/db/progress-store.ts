import type { Knex } from 'knex';
import type { Database } from './database';

export interface CompletionRow {
  readonly chapter_number: number;
  readonly completed_at: string;
}

export interface ReadingPositionRow {
  readonly chapter_number: number;
  readonly section_anchor: string | null;
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
  readingPosition(userId: string): Promise<ReadingPositionRow | undefined>;
  /** Every attempt's score, oldest first (of one chapter when `chapterNumber` is given). */
  attemptScores(userId: string, chapterNumber?: number): Promise<AttemptScoreRow[]>;
  /** The learner's attempts at one quiz, newest first. */
  attempts(userId: string, chapterNumber: number): Promise<AttemptRow[]>;
  /** The local dates on which the learner learned something. */
  activityDays(userId: string): Promise<string[]>;
}

/** Completions, reading positions, quiz attempts and activity days. */
export interface ProgressStore {
  /** Reads from the replica. */
  readonly replica: ProgressReads;
  /** Reads from the primary: right after a write, so the answer includes it even when the replica lags. */
  readonly primary: ProgressReads;
  /** Marks a chapter done; completing twice keeps the first time. True when this call completed it. */
  complete(userId: string, chapterNumber: number, at: string): Promise<boolean>;
  setReadingPosition(userId: string, position: ReadingPositionRow, at: string): Promise<void>;
  addAttempt(attempt: NewAttempt): Promise<void>;
  /** Marks a local date as a day of learning (once). */
  recordActivityDay(userId: string, day: string): Promise<void>;
}

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

  async readingPosition(userId: string): Promise<ReadingPositionRow | undefined> {
    const row = await this.knex('reading_positions').where({ user_id: userId }).first('chapter_number', 'section_anchor');
    return row ? { chapter_number: Number(row.chapter_number), section_anchor: row.section_anchor ?? null } : undefined;
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
    return rows.map((r) => ({ id: r.id, score: Number(r.score), max_score: Number(r.max_score), passed: Boolean(r.passed), created_at: r.created_at }));
  }

  /** The local dates on which the learner learned something. */
  async activityDays(userId: string): Promise<string[]> {
    const days: { day: string }[] = await this.knex('activity_days').where({ user_id: userId }).select('day');
    return days.map((d) => d.day);
  }
}

/**
 * Completions, reading positions, quiz attempts and activity days. Reads go to the
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

  async setReadingPosition(userId: string, position: ReadingPositionRow, at: string): Promise<void> {
    await this.write('reading_positions')
      .insert({ user_id: userId, chapter_number: position.chapter_number, section_anchor: position.section_anchor, updated_at: at })
      .onConflict('user_id')
      .merge();
  }

  async addAttempt(attempt: NewAttempt): Promise<void> {
    await this.write('quiz_attempts').insert(attempt);
  }

  /** Marks a local date as a day of learning (once). */
  async recordActivityDay(userId: string, day: string): Promise<void> {
    await this.write('activity_days').insert({ user_id: userId, day }).onConflict(['user_id', 'day']).ignore();
  }
}

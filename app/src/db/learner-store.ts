import type { Learner } from '../domain/learner';
import type { Database } from './database';
import { chapterFactsOf, LEARNER_WITH_CHAPTER_FACTS, learnerOfRow, SIGNED_IN_LEARNER, type ChapterFacts } from './learner-lookups';

/** The signed-in learner's lookups, as the domain and the auth middleware call them. */
export interface LearnerStore {
  /** The learner behind an access token, or null when the account no longer exists. */
  find(id: string): Promise<Learner | null>;
  /** The learner and the facts of one chapter in one statement; undefined when the account no longer exists. */
  findWithChapter(id: string, chapterNumber: number): Promise<{ learner: Learner; facts: ChapterFacts } | undefined>;
  /** The facts of one chapter, read from the replica. */
  chapterFacts(id: string, chapterNumber: number): Promise<ChapterFacts>;
}

/**
 * The signed-in learner's lookups, the api's hottest statements: prepared, and on
 * PostgreSQL batched per turn of the event loop (see batched-lookup.ts). Both read the
 * primary: a tier change must apply to the very next request.
 */
export class SqlLearnerStore implements LearnerStore {
  private readonly signedIn;
  private readonly withChapterOnPrimary;
  private readonly withChapterOnReplica;

  constructor(db: Pick<Database, 'write' | 'read'>) {
    this.signedIn = SIGNED_IN_LEARNER.on(db.write);
    this.withChapterOnPrimary = LEARNER_WITH_CHAPTER_FACTS.on(db.write);
    this.withChapterOnReplica = db.read === db.write ? this.withChapterOnPrimary : LEARNER_WITH_CHAPTER_FACTS.on(db.read);
  }

  /** The learner behind an access token, or null when the account no longer exists. */
  async find(id: string): Promise<Learner | null> {
    const row = await this.signedIn.load(id);
    return row ? learnerOfRow(row) : null;
  }

  /** The learner and the facts of one chapter in one statement; undefined when the account no longer exists. */
  async findWithChapter(id: string, chapterNumber: number): Promise<{ learner: Learner; facts: ChapterFacts } | undefined> {
    const row = await this.withChapterOnPrimary.load({ userId: id, chapterNumber });
    return row ? { learner: learnerOfRow(row), facts: chapterFactsOf(row) } : undefined;
  }

  /** The facts of one chapter, read from the replica (the same statement, for pages that ask without the learner). */
  async chapterFacts(id: string, chapterNumber: number): Promise<ChapterFacts> {
    const row = await this.withChapterOnReplica.load({ userId: id, chapterNumber });
    return row ? chapterFactsOf(row) : { done: false, attempted: false, positioned: false };
  }
}

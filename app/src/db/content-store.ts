import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { BoundedCache } from '../bounded-cache';
import type { ChapterOutline, CourseOutline } from '../domain/catalogue';
import type { Cache } from './cache';
import type { Database } from './database';

export const CONTENT_CACHE_TTL_SECONDS = 300;
const MAX_PARSED_VALUES = 1_000;
const MAX_DERIVED_VALUES = 1_000;

export interface ContentStoreOptions {
  /** The cache shared by every api pod (Redis), when there is one. */
  readonly cache?: Cache;
  /** Milliseconds since the epoch, for the TTL of parsed values. @default Date.now */
  readonly now?: () => number;
}

/** A chapter's quiz as stored: its questions still JSON. */
export interface QuizRow {
  readonly title: string;
  readonly pass_percentage: number;
  readonly questions_json: string;
}

/** A section of a chapter as the search index reads it. */
export interface SectionText {
  readonly chapterNumber: number;
  readonly chapterTitle: string;
  readonly anchor: string;
  readonly sectionTitle: string;
  readonly body: string;
  /** Bold runs and sub-headings, joined (markdown.ts `MarkdownSection.emphasis`). */
  readonly emphasis: string;
}

/** The course content as the domain reads it (see SqlContentStore for how it is cached). */
export interface ContentStore {
  outline(): Promise<CourseOutline>;
  /** The chapter's Markdown exactly as in its file (minus front matter); null when there is no such chapter. */
  chapterMarkdown(chapterNumber: number): Promise<string | null>;
  /** The quiz of a chapter, read anew each time; undefined when the chapter has none. */
  quiz(chapterNumber: number): Promise<QuizRow | undefined>;
  /** Every chapter's number, in order, read anew each time. */
  chapterNumbers(): Promise<number[]>;
  /** The text of every titled section of these chapters, in reading order. */
  sections(chapterNumbers: readonly number[]): Promise<SectionText[]>;
  /** A value built from the content, kept until the content changes (or rebuilt when `isCurrent` says it is stale). */
  derive<T>(key: string, build: () => T, isCurrent?: (kept: T) => boolean): T;
  /** Forget everything cached after this process loaded new content. */
  invalidate(): void;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * The course as loaded from app/content (outline, chapters' Markdown, quizzes, section
 * text), read from the replica. Content changes only when a release loads new content,
 * so the outline and the Markdown are cached: in this process, and in Redis (shared by
 * every pod) when the api has it. Keys carry a content version (a hash of every
 * chapter's content hash, read once per store), so pods of a new release never read an
 * old release's entries; the TTL bounds how long an old pod keeps serving what it
 * started with. One store is built where the app starts and passed to whoever reads
 * content; `invalidate()` after this process loaded new content (dev, tests).
 */
export class SqlContentStore implements ContentStore {
  private version: Promise<string> | undefined;
  /**
   * Values this process already parsed, in front of the shared cache: a chapter view
   * needs the outline and the chapter on every request, and parsing them (or asking
   * Redis) each time cost more than the rest of the request. Entries live as long as
   * the shared ones and are frozen, so no caller can change what the next one reads.
   */
  private readonly parsed: BoundedCache<string, unknown>;
  /** Values built from the content (search indexes, serialized chapters), until it changes. */
  private readonly derived = new BoundedCache<string, unknown>({ maxEntries: MAX_DERIVED_VALUES });

  constructor(
    private readonly knex: Knex,
    private readonly options: ContentStoreOptions = {},
  ) {
    this.parsed = new BoundedCache({ maxEntries: MAX_PARSED_VALUES, ttlMs: CONTENT_CACHE_TTL_SECONDS * 1000, now: options.now });
  }

  /** The store over `db`'s replica (or primary when there is none). */
  static of(db: Pick<Database, 'read'>, options: ContentStoreOptions = {}): SqlContentStore {
    return new SqlContentStore(db.read, options);
  }

  /** Forget everything cached here after this process loaded new content. */
  invalidate(): void {
    this.version = undefined;
    this.parsed.clear();
    this.derived.clear();
  }

  outline(): Promise<CourseOutline> {
    return this.cached('outline', () => this.readOutline());
  }

  /** The chapter's Markdown exactly as in its file (minus front matter); null when there is no such chapter. */
  chapterMarkdown(chapterNumber: number): Promise<string | null> {
    return this.cached(`chapter:${chapterNumber}`, async () => {
      const row = await this.knex('chapters').where({ number: chapterNumber }).first('markdown');
      return row ? (row.markdown as string) : null;
    });
  }

  /** The quiz of a chapter, read anew each time; undefined when the chapter has none. */
  async quiz(chapterNumber: number): Promise<QuizRow | undefined> {
    const row = await this.knex('quizzes').where({ chapter_number: chapterNumber }).first('title', 'pass_percentage', 'questions_json');
    return row ? { title: row.title, pass_percentage: Number(row.pass_percentage), questions_json: row.questions_json } : undefined;
  }

  /** Every chapter's number, in order, read anew each time. */
  async chapterNumbers(): Promise<number[]> {
    const rows: { number: number }[] = await this.knex('chapters').select('number').orderBy('number');
    return rows.map((row) => Number(row.number));
  }

  /** The text of every titled section of these chapters, in reading order. */
  async sections(chapterNumbers: readonly number[]): Promise<SectionText[]> {
    const rows = await this.knex('sections')
      .join('chapters', 'chapters.number', 'sections.chapter_number')
      .whereIn('sections.chapter_number', chapterNumbers as number[])
      .select(
        'sections.chapter_number',
        'chapters.title as chapter_title',
        'sections.anchor',
        'sections.title',
        'sections.body_text',
        'sections.emphasis_text',
      )
      .orderBy(['sections.chapter_number', 'sections.position']);
    return rows.map((r) => ({
      chapterNumber: Number(r.chapter_number),
      chapterTitle: r.chapter_title,
      anchor: r.anchor,
      sectionTitle: r.title,
      body: r.body_text,
      emphasis: r.emphasis_text,
    }));
  }

  /**
   * A value built from the content, kept in this process until `invalidate()` (or until
   * more than a thousand are kept), or rebuilt when `isCurrent` says the kept one is
   * stale. A failed promise is not kept.
   */
  derive<T>(key: string, build: () => T, isCurrent: (kept: T) => boolean = () => true): T {
    const kept = this.derived.get(key) as T | undefined;
    if (kept !== undefined && isCurrent(kept)) return kept;
    this.derived.delete(key);
    return this.derived.getOrSet(key, build) as T;
  }

  private contentVersion(): Promise<string> {
    if (!this.version) {
      const version = this.readVersion();
      version.catch(() => {
        if (this.version === version) this.version = undefined;
      });
      this.version = version;
    }
    return this.version;
  }

  private async readVersion(): Promise<string> {
    const rows: { number: number; content_hash: string }[] = await this.knex('chapters').select('number', 'content_hash').orderBy('number');
    const quizzes: { chapter_number: number; content_hash: string }[] = await this.knex('quizzes')
      .select('chapter_number', 'content_hash')
      .orderBy('chapter_number');
    const course = await this.knex('course').where({ id: 1 }).first('title', 'description');
    return createHash('sha256')
      .update(JSON.stringify([rows, quizzes, course ?? null]))
      .digest('hex')
      .slice(0, 16);
  }

  private async cached<T>(key: string, produce: () => Promise<T>): Promise<T> {
    const fullKey = `course:${await this.contentVersion()}:${key}`;
    const local = this.parsed.get(fullKey);
    if (local !== undefined) return local as T;

    // The shared cache (Redis), when there is one, spares each new pod the database.
    const cache = this.options.cache;
    const hit = cache ? await cache.get(fullKey) : null;
    let value: T;
    if (hit !== null) {
      value = JSON.parse(hit) as T;
    } else {
      value = await produce();
      if (cache && value !== null) await cache.set(fullKey, JSON.stringify(value), CONTENT_CACHE_TTL_SECONDS);
    }
    if (value !== null) this.parsed.set(fullKey, deepFreeze(value));
    return value;
  }

  private async readOutline(): Promise<CourseOutline> {
    const knex = this.knex;
    const course = await knex('course').where({ id: 1 }).first('title', 'description');
    const chapters = await knex('chapters').select('number', 'slug', 'title', 'summary', 'required_tier').orderBy('number');
    const sections = await knex('sections')
      .select('chapter_number', 'anchor', 'title')
      .whereNot('anchor', '')
      .orderBy(['chapter_number', 'position']);
    const quizzes: { chapter_number: number }[] = await knex('quizzes').select('chapter_number');
    const withQuiz = new Set(quizzes.map((q) => Number(q.chapter_number)));
    return {
      title: course?.title ?? '',
      description: course?.description ?? '',
      chapters: chapters.map((chapter): ChapterOutline => ({
        number: Number(chapter.number),
        slug: chapter.slug,
        title: chapter.title,
        summary: chapter.summary,
        required_tier: chapter.required_tier,
        sections: sections
          .filter((s) => Number(s.chapter_number) === Number(chapter.number))
          .map((s) => ({ anchor: s.anchor, title: s.title })),
        has_quiz: withQuiz.has(Number(chapter.number)),
      })),
    };
  }
}

import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Cache } from '../db/cache';
import type { LearningDatabase } from './learning-database';
import type { Tier } from './tiers';

/**
 * The course as loaded from app/content: its outline (chapters, sections, quizzes)
 * and each chapter's Markdown. Both change only when a release loads new content, so
 * they are cached: in each process, and in Redis (shared by every pod) when the api
 * has it. Keys carry a content version (a hash of every chapter's content hash,
 * read once per process), so pods of a new release never read an old release's
 * entries; the TTL bounds how long an old pod keeps serving what it started with.
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

export const CONTENT_CACHE_TTL_SECONDS = 300;

const versions = new WeakMap<object, Promise<string>>();

async function readVersion(knex: Knex): Promise<string> {
  const rows: { number: number; content_hash: string }[] = await knex('chapters').select('number', 'content_hash').orderBy('number');
  const quizzes: { chapter_number: number; content_hash: string }[] = await knex('quizzes')
    .select('chapter_number', 'content_hash')
    .orderBy('chapter_number');
  const course = await knex('course').where({ id: 1 }).first('title', 'description');
  return createHash('sha256')
    .update(JSON.stringify([rows, quizzes, course ?? null]))
    .digest('hex')
    .slice(0, 16);
}

function contentVersion(db: LearningDatabase): Promise<string> {
  let version = versions.get(db.write);
  if (!version) {
    version = readVersion(db.read);
    version.catch(() => versions.delete(db.write));
    versions.set(db.write, version);
  }
  return version;
}

/** Forget the cached version after this process loaded new content (dev, tests). */
export function invalidateContentVersion(db: LearningDatabase): void {
  versions.delete(db.write);
  parsedValues.delete(db.write);
}

/**
 * Values this process already parsed, in front of the shared cache: a chapter view
 * needs the outline and the chapter on every request, and parsing them (or asking
 * Redis) each time cost more than the rest of the request. Entries live as long as
 * the shared ones and are frozen, so no caller can change what the next one reads.
 */
const parsedValues = new WeakMap<object, Map<string, { value: unknown; expiresAt: number }>>();
const MAX_PARSED_VALUES = 1_000;

function parsedFor(db: LearningDatabase): Map<string, { value: unknown; expiresAt: number }> {
  let values = parsedValues.get(db.write);
  if (!values) {
    values = new Map();
    parsedValues.set(db.write, values);
  }
  return values;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

async function cached<T>(db: LearningDatabase, cache: Cache | undefined, key: string, produce: () => Promise<T>): Promise<T> {
  const fullKey = `course:${await contentVersion(db)}:${key}`;
  const parsed = parsedFor(db);
  const local = parsed.get(fullKey);
  if (local && local.expiresAt > Date.now()) return local.value as T;

  // The shared cache (Redis), when there is one, spares each new pod the database.
  const hit = cache ? await cache.get(fullKey) : null;
  let value: T;
  if (hit !== null) {
    value = JSON.parse(hit) as T;
  } else {
    value = await produce();
    if (cache && value !== null) await cache.set(fullKey, JSON.stringify(value), CONTENT_CACHE_TTL_SECONDS);
  }
  if (value !== null) {
    if (parsed.size >= MAX_PARSED_VALUES) parsed.delete(parsed.keys().next().value as string);
    parsed.set(fullKey, { value: deepFreeze(value), expiresAt: Date.now() + CONTENT_CACHE_TTL_SECONDS * 1000 });
  }
  return value;
}

async function readOutline(knex: Knex): Promise<CourseOutline> {
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
    chapters: chapters.map((chapter) => ({
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

export function getCourseOutline(db: LearningDatabase, cache?: Cache): Promise<CourseOutline> {
  return cached(db, cache, 'outline', () => readOutline(db.read));
}

/** The chapter's Markdown exactly as in its file (minus front matter); null when there is no such chapter. */
export function getChapterMarkdown(db: LearningDatabase, chapterNumber: number, cache?: Cache): Promise<string | null> {
  return cached(db, cache, `chapter:${chapterNumber}`, async () => {
    const row = await db.read('chapters').where({ number: chapterNumber }).first('markdown');
    return row ? (row.markdown as string) : null;
  });
}

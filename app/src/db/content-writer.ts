import type { Knex } from 'knex';
import type { CourseContent, ParsedChapter } from '../domain/content-loader';
import { requiredTierFor } from '../domain/tiers';

/** What a load changed, by chapter number. */
export interface LoadReport {
  readonly added: number[];
  readonly updated: number[];
  readonly removed: number[];
  readonly unchanged: number[];
  readonly quizzesChanged: number[];
}

async function writeSections(trx: Knex.Transaction, chapter: ParsedChapter): Promise<void> {
  await trx('sections').where({ chapter_number: chapter.number }).delete();
  await trx('sections').insert(
    chapter.sections.map((section, position) => ({
      chapter_number: chapter.number,
      position,
      anchor: section.anchor,
      title: section.title,
      body_text: section.text,
      emphasis_text: section.emphasis,
    })),
  );
}

type ChapterChanges = Pick<LoadReport, 'added' | 'updated' | 'removed' | 'unchanged'>;

async function writeChapters(trx: Knex.Transaction, content: CourseContent, now: string): Promise<ChapterChanges> {
  const existing: { number: number; content_hash: string }[] = await trx('chapters').select('number', 'content_hash');
  const byNumber = new Map(existing.map((row) => [Number(row.number), row.content_hash]));
  const wanted = new Set(content.chapters.map((c) => c.number));
  const removed = [...byNumber.keys()].filter((n) => !wanted.has(n)).sort((a, b) => a - b);
  const added: number[] = [];
  const updated: number[] = [];
  const unchanged: number[] = [];

  if (removed.length > 0) {
    // Children first: SQLite enforces ON DELETE CASCADE only when foreign keys are on.
    await trx('quizzes').whereIn('chapter_number', removed).delete();
    await trx('sections').whereIn('chapter_number', removed).delete();
    await trx('chapters').whereIn('number', removed).delete();
  }
  const changed = content.chapters.filter((c) => byNumber.has(c.number) && byNumber.get(c.number) !== c.contentHash);
  // Slugs are unique; moving a slug from one chapter to another would collide midway.
  for (const chapter of changed) {
    await trx('chapters')
      .where({ number: chapter.number })
      .update({ slug: `~moving-${chapter.number}` });
  }
  for (const chapter of content.chapters) {
    const row = {
      slug: chapter.slug,
      title: chapter.title,
      summary: chapter.summary,
      markdown: chapter.markdown,
      required_tier: requiredTierFor(chapter.number),
      content_hash: chapter.contentHash,
      updated_at: now,
    };
    if (!byNumber.has(chapter.number)) {
      await trx('chapters').insert({ number: chapter.number, ...row });
      await writeSections(trx, chapter);
      added.push(chapter.number);
    } else if (byNumber.get(chapter.number) !== chapter.contentHash) {
      await trx('chapters').where({ number: chapter.number }).update(row);
      await writeSections(trx, chapter);
      updated.push(chapter.number);
    } else {
      unchanged.push(chapter.number);
    }
  }
  return { added, updated, removed, unchanged };
}

/** The chapters whose quiz was added, changed or removed. */
async function writeQuizzes(trx: Knex.Transaction, content: CourseContent): Promise<number[]> {
  const quizRows: { chapter_number: number; content_hash: string }[] = await trx('quizzes').select('chapter_number', 'content_hash');
  const quizHashes = new Map(quizRows.map((row) => [Number(row.chapter_number), row.content_hash]));
  const quizzesChanged: number[] = [];
  const wantedQuizzes = new Set(content.quizzes.map((q) => q.chapter));
  const goneQuizzes = [...quizHashes.keys()].filter((n) => !wantedQuizzes.has(n));
  if (goneQuizzes.length > 0) {
    await trx('quizzes').whereIn('chapter_number', goneQuizzes).delete();
    quizzesChanged.push(...goneQuizzes);
  }
  for (const quiz of content.quizzes) {
    if (quizHashes.get(quiz.chapter) === quiz.contentHash) continue;
    const row = {
      title: quiz.title,
      pass_percentage: quiz.pass_percentage,
      questions_json: JSON.stringify(quiz.questions),
      content_hash: quiz.contentHash,
    };
    if (quizHashes.has(quiz.chapter)) await trx('quizzes').where({ chapter_number: quiz.chapter }).update(row);
    else await trx('quizzes').insert({ chapter_number: quiz.chapter, ...row });
    quizzesChanged.push(quiz.chapter);
  }
  return quizzesChanged.sort((a, b) => a - b);
}

async function writeCourse(trx: Knex.Transaction, content: CourseContent, now: string): Promise<void> {
  const courseRow = { title: content.course.title, description: content.course.description };
  const current = await trx('course').where({ id: 1 }).first();
  if (!current) await trx('course').insert({ id: 1, ...courseRow, updated_at: now });
  else if (current.title !== courseRow.title || current.description !== courseRow.description) {
    await trx('course')
      .where({ id: 1 })
      .update({ ...courseRow, updated_at: now });
  }
}

/**
 * Brings the course tables in line with `content` in one transaction: chapters whose
 * content hash changed are rewritten with their sections, removed ones deleted with
 * their children, quizzes likewise; unchanged rows are left alone.
 */
export async function writeCourseContent(knex: Knex, content: CourseContent, now: string): Promise<LoadReport> {
  return knex.transaction(async (trx) => {
    const chapters = await writeChapters(trx, content, now);
    const quizzesChanged = await writeQuizzes(trx, content);
    await writeCourse(trx, content, now);
    return { ...chapters, quizzesChanged };
  });
}

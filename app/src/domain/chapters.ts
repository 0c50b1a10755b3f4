import type { Cache } from '../db/cache';
import { assertCanReadChapter } from './access';
import { getChapterMarkdown, getCourseOutline, type ChapterOutline } from './catalogue';
import type { Learner, LearningDatabase } from './learning-database';
import { chapterState, chapterStates, findChapter, type ChapterState } from './progress';
import { canReadChapter } from './tiers';

/** The course outline and chapters as the learner sees them (docs/contracts.md shapes). */
export interface ChapterSummary extends ChapterOutline {
  readonly locked: boolean;
  readonly state: ChapterState;
}

export interface ChapterLink {
  readonly number: number;
  readonly title: string;
  readonly locked: boolean;
}

export interface Chapter extends ChapterSummary {
  readonly markdown: string;
  readonly previous: ChapterLink | null;
  readonly next: ChapterLink | null;
}

export async function getCourse(db: LearningDatabase, learner: Learner, cache?: Cache) {
  const outline = await getCourseOutline(db, cache);
  const states = await chapterStates(
    db.read,
    learner,
    outline.chapters.map((c) => c.number),
  );
  return {
    title: outline.title,
    description: outline.description,
    chapters: outline.chapters.map(
      (chapter): ChapterSummary => ({
        ...chapter,
        locked: !canReadChapter(learner.tier, chapter.number),
        state: states.get(chapter.number) ?? 'not_started',
      }),
    ),
  };
}

/** A link to a neighbour: its title, and whether this learner may open it. Never its content. */
function linkTo(learner: Learner, chapter: ChapterOutline | undefined): ChapterLink | null {
  return chapter ? { number: chapter.number, title: chapter.title, locked: !canReadChapter(learner.tier, chapter.number) } : null;
}

/** `knownState`: the learner's state of this chapter when the caller already read it. */
export async function getChapter(
  db: LearningDatabase,
  learner: Learner,
  chapterNumber: number,
  cache?: Cache,
  knownState?: ChapterState,
): Promise<Chapter> {
  const chapter = await findChapter(db, chapterNumber, cache);
  assertCanReadChapter(learner, chapter.number);
  const outline = await getCourseOutline(db, cache);
  const markdown = await getChapterMarkdown(db, chapter.number, cache);
  const index = outline.chapters.findIndex((c) => c.number === chapter.number);
  return {
    ...chapter,
    locked: false,
    state: knownState ?? (await chapterState(db.read, learner, chapter.number)),
    markdown: markdown ?? '',
    previous: linkTo(learner, outline.chapters[index - 1]),
    next: linkTo(learner, outline.chapters[index + 1]),
  };
}

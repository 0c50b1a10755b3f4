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

/** What a chapter view is made of: the cached content and this learner's part of it. */
interface ChapterParts {
  readonly content: ChapterOutline;
  readonly markdown: string;
  readonly state: ChapterState;
  readonly previous: ChapterLink | null;
  readonly next: ChapterLink | null;
}

async function chapterParts(
  db: LearningDatabase,
  learner: Learner,
  chapterNumber: number,
  cache: Cache | undefined,
  knownState: ChapterState | undefined,
): Promise<ChapterParts> {
  const content = await findChapter(db, chapterNumber, cache);
  assertCanReadChapter(learner, content.number);
  const outline = await getCourseOutline(db, cache);
  const markdown = (await getChapterMarkdown(db, content.number, cache)) ?? '';
  const index = outline.chapters.findIndex((c) => c.number === content.number);
  return {
    content,
    markdown,
    state: knownState ?? (await chapterState(db.read, learner, content.number)),
    previous: linkTo(learner, outline.chapters[index - 1]),
    next: linkTo(learner, outline.chapters[index + 1]),
  };
}

/** `knownState`: the learner's state of this chapter when the caller already read it. */
export async function getChapter(
  db: LearningDatabase,
  learner: Learner,
  chapterNumber: number,
  cache?: Cache,
  knownState?: ChapterState,
): Promise<Chapter> {
  const { content, markdown, state, previous, next } = await chapterParts(db, learner, chapterNumber, cache, knownState);
  return { ...content, locked: false, state, markdown, previous, next };
}

/**
 * The fields of a chapter that are the same for every learner, serialized once per
 * cached content (the outline entry is frozen and replaced, never changed, when
 * content changes). The chapter view is the hottest response and its Markdown is
 * most of it: serializing it anew for every learner cost more than the database read.
 */
const contentJson = new WeakMap<ChapterOutline, { readonly markdown: string; readonly json: string }>();

function learnerIndependentJson(content: ChapterOutline, markdown: string): string {
  const known = contentJson.get(content);
  if (known && known.markdown === markdown) return known.json;
  const { number, slug, title, summary, required_tier, sections, has_quiz } = content;
  const json = JSON.stringify({ number, slug, title, summary, required_tier, sections, has_quiz, markdown });
  contentJson.set(content, { markdown, json });
  return json;
}

/** `getChapter` as the JSON text the api answers: the same fields, the content part serialized once. */
export async function getChapterJson(
  db: LearningDatabase,
  learner: Learner,
  chapterNumber: number,
  cache?: Cache,
  knownState?: ChapterState,
): Promise<string> {
  const { content, markdown, state, previous, next } = await chapterParts(db, learner, chapterNumber, cache, knownState);
  const learnerPart = JSON.stringify({ locked: false, state, previous, next });
  // Two JSON objects become one: drop the first's closing brace and the second's opening one.
  return `${learnerIndependentJson(content, markdown).slice(0, -1)},${learnerPart.slice(1)}`;
}

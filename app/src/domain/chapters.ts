import type { LearningStores } from '../db/stores';
import { assertCanReadChapter } from './access';
import type { ChapterOutline } from './catalogue';
import type { Learner } from './learner';
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

export async function getCourse(stores: LearningStores, learner: Learner) {
  const outline = await stores.content.outline();
  const states = await chapterStates(
    stores,
    learner,
    outline.chapters.map((c) => c.number),
  );
  return {
    title: outline.title,
    description: outline.description,
    chapters: outline.chapters.map((chapter): ChapterSummary => ({
      ...chapter,
      locked: !canReadChapter(learner.tier, chapter.number),
      state: states.get(chapter.number) ?? 'not_started',
    })),
  };
}

/** The chapter after `chapterNumber` as a link for this learner, or null after the last. */
export async function nextChapterLink(
  stores: Pick<LearningStores, 'content'>,
  learner: Learner,
  chapterNumber: number,
): Promise<ChapterLink | null> {
  const { chapters } = await stores.content.outline();
  return linkTo(
    learner,
    chapters.find((c) => c.number > chapterNumber),
  );
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
  stores: LearningStores,
  learner: Learner,
  chapterNumber: number,
  knownState: ChapterState | undefined,
): Promise<ChapterParts> {
  const content = await findChapter(stores, chapterNumber);
  assertCanReadChapter(learner, content.number);
  const outline = await stores.content.outline();
  const markdown = (await stores.content.chapterMarkdown(content.number)) ?? '';
  const index = outline.chapters.findIndex((c) => c.number === content.number);
  return {
    content,
    markdown,
    state: knownState ?? (await chapterState(stores, learner, content.number)),
    previous: linkTo(learner, outline.chapters[index - 1]),
    next: linkTo(learner, outline.chapters[index + 1]),
  };
}

/** `knownState`: the learner's state of this chapter when the caller already read it. */
export async function getChapter(
  stores: LearningStores,
  learner: Learner,
  chapterNumber: number,
  knownState?: ChapterState,
): Promise<Chapter> {
  const { content, markdown, state, previous, next } = await chapterParts(stores, learner, chapterNumber, knownState);
  return { ...content, locked: false, state, markdown, previous, next };
}

/**
 * The fields of a chapter that are the same for every learner, serialized once per
 * content (kept by the content store until the content changes). The chapter view is
 * the hottest response and its Markdown is most of it: serializing it anew for every
 * learner cost more than the database read.
 */
function learnerIndependentJson(stores: LearningStores, content: ChapterOutline, markdown: string): string {
  // The outline entry is frozen and replaced, never changed, when content changes.
  return stores.content.derive(
    `chapter-json:${content.number}`,
    () => ({ content, markdown, json: serialize(content, markdown) }),
    (kept) => kept.content === content && kept.markdown === markdown,
  ).json;
}

function serialize(content: ChapterOutline, markdown: string): string {
  const { number, slug, title, summary, required_tier, sections, has_quiz } = content;
  return JSON.stringify({ number, slug, title, summary, required_tier, sections, has_quiz, markdown });
}

/** `getChapter` as the JSON text the api answers: the same fields, the content part serialized once. */
export async function getChapterJson(
  stores: LearningStores,
  learner: Learner,
  chapterNumber: number,
  knownState?: ChapterState,
): Promise<string> {
  const { content, markdown, state, previous, next } = await chapterParts(stores, learner, chapterNumber, knownState);
  const learnerPart = JSON.stringify({ locked: false, state, previous, next });
  // Two JSON objects become one: drop the first's closing brace and the second's opening one.
  return `${learnerIndependentJson(stores, content, markdown).slice(0, -1)},${learnerPart.slice(1)}`;
}

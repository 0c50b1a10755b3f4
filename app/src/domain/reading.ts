import type { Clock } from '../clock';
import type { LearningStores } from '../db/stores';
import { BadRequest } from '../errors';
import { assertCanReadChapter } from './access';
import type { Learner } from './learner';
import { findChapter, recordActivity, resumeFrom, type ResumePoint } from './progress';

/**
 * Reading a chapter (issues 14, 15 and 16): the page reports each view with a POST, after
 * it has loaded; a GET never writes. A view marks the chapter started, moves its section,
 * makes it the resume point and counts today for the streak, and writes nothing at all
 * when none of that changes, so a reload or a second tab costs no write.
 */
export interface ViewReport {
  readonly chapter_number: number;
  /** The section in view; absent or null keeps the section already recorded for the chapter. */
  readonly section_anchor?: string | null;
}

/** What a view changed: both false means nothing was written. */
export interface ViewOutcome {
  readonly position_changed: boolean;
  readonly activity_day_added: boolean;
}

export async function recordChapterView(stores: LearningStores, learner: Learner, view: ViewReport, clock: Clock): Promise<ViewOutcome> {
  const chapter = await findChapter(stores, view.chapter_number);
  assertCanReadChapter(learner, chapter.number);
  const anchor = view.section_anchor ?? null;
  if (anchor !== null && !chapter.sections.some((s) => s.anchor === anchor)) {
    throw new BadRequest(`Chapter ${chapter.number} has no section "${anchor}".`, {
      issues: [{ path: ['section_anchor'], message: 'not a section of this chapter' }],
    });
  }
  const at = clock.now().toISOString();
  const positionChanged = await stores.progress.recordView(learner.id, { chapter_number: chapter.number, section_anchor: anchor }, at);
  const dayAdded = await recordActivity(stores, learner, clock);
  return { position_changed: positionChanged, activity_day_added: dayAdded };
}

/**
 * The deprecated `PUT /progress/position`: the same record, answering the resume point
 * as before (read back from the primary, one more statement the new POST does not pay).
 */
export async function setReadingPosition(
  stores: LearningStores,
  learner: Learner,
  view: ViewReport,
  clock: Clock,
): Promise<{ resume: ResumePoint | null }> {
  await recordChapterView(stores, learner, view, clock);
  return { resume: resumeFrom(learner, await stores.progress.primary.chapterPositions(learner.id)) };
}

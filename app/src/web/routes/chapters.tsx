import Router from '@koa/router';
import type { Chapter, Progress } from '../api-types';
import { redirectWithFlash, sendPage, type WebContext, type WebState } from '../context';
import { chapterNumber } from '../forms';
import { ChapterPage } from '../pages/chapter';
import { cookieOptions } from '../session';
import { frame, isUpgrade, requireSession, sendUpgradePanel, type WebRouteDeps } from './shared';

/** A chapter's page, and marking it complete; locked chapters show the upgrade panel. */
export function chapterRoutes(deps: WebRouteDeps): Router<WebState> {
  const router = new Router<WebState>();
  router.get('chapter', '/chapters/:number', requireSession, (ctx) => showChapter(ctx, deps));
  router.post('completeChapter', '/chapters/:number/complete', requireSession, async (ctx) => {
    const number = chapterNumber(ctx);
    if (number === null) return;
    try {
      await ctx.state.learner.call<Progress>({ method: 'POST', path: `/chapters/${number}/complete` });
    } catch (error) {
      if (isUpgrade(error)) return sendUpgradePanel(ctx, deps, number, error);
      throw error;
    }
    redirectWithFlash(ctx, deps.runtime, `/chapters/${number}#finish-title`, 'chapter-complete');
  });
  return router;
}

async function showChapter(ctx: WebContext, deps: WebRouteDeps): Promise<void> {
  const { runtime, logger, outline, chapterHtml } = deps;
  const number = chapterNumber(ctx);
  if (number === null) return; // falls through to the 404 page
  const learner = ctx.state.learner;
  let chapter: Chapter;
  try {
    chapter = await learner.call<Chapter>({ method: 'GET', path: `/chapters/${number}` });
  } catch (error) {
    if (isUpgrade(error)) return sendUpgradePanel(ctx, deps, number, error);
    throw error;
  }
  // Remember the chapter as the resume point, once per chapter change: the section
  // anchor then follows the learner's scrolling (enhancement script), and a reload
  // does not overwrite it.
  if (ctx.cookies.get(runtime.names.position) !== String(number)) {
    try {
      await learner.call({ method: 'PUT', path: '/progress/position', body: { chapter_number: number } });
      ctx.cookies.set(runtime.names.position, String(number), cookieOptions(runtime.cookies));
    } catch (error) {
      logger.warn({ err: error, chapter: number }, 'could not save the reading position');
    }
  }
  const html = chapterHtml.render(chapter.number, chapter.markdown, chapter.sections);
  const total = await outline.total(learner);
  // The page shows the Markdown as HTML only; leaving it out keeps the template key short.
  const { markdown: _shownAsHtml, ...shown } = chapter;
  sendPage(ctx, 200, <ChapterPage frame={frame(ctx, deps)} chapter={shown} html={html} totalChapters={total} />, runtime.pages);
}

import Router from '@koa/router';
import type { Chapter, Progress } from '../api-types';
import { redirectWithFlash, sendPage, type WebContext, type WebState } from '../context';
import { chapterNumber } from '../forms';
import { ChapterPage } from '../pages/chapter';
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
  const { runtime, outline, chapterHtml } = deps;
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
  // Nothing is recorded here: a GET never writes (issue 15). The page reports the view
  // with a POST once it has loaded (enhancement script), or by its "Save my place" form.
  const html = chapterHtml.render(chapter.number, chapter.markdown, chapter.sections);
  const total = await outline.total(learner);
  // The page shows the Markdown as HTML only; leaving it out keeps the template key short.
  const { markdown: _shownAsHtml, ...shown } = chapter;
  sendPage(ctx, 200, <ChapterPage frame={frame(ctx, deps)} chapter={shown} html={html} totalChapters={total} />, runtime.pages);
}

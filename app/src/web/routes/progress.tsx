import Router from '@koa/router';
import type { ChapterViewReport, Progress } from '../api-types';
import { redirectWithFlash, sendPage, type WebState } from '../context';
import { bodyOf, text } from '../forms';
import { ProgressPage } from '../pages/progress';
import { frame, requireSession, type WebRouteDeps } from './shared';

/** The progress page, and the reading position the chapter pages report. */
export function progressRoutes(deps: WebRouteDeps): Router<WebState> {
  const router = new Router<WebState>();
  const { runtime } = deps;

  /**
   * A chapter view, reported by the enhancement script after the page loaded (JSON,
   * CSRF header, answered 204) or by the page's "Save my place" form without JavaScript
   * (CSRF field, answered with a redirect back). The chapter GET itself writes nothing
   * (issue 15: a cross-site link must not change state); the api writes only what changed.
   */
  router.post('position', '/progress/position', async (ctx) => {
    const body = bodyOf(ctx);
    const number = Number(body.chapter_number);
    const anchor = text(body.section_anchor);
    if (!Number.isInteger(number) || number < 1 || number > 9999 || (anchor && !/^[a-z0-9-]{1,160}$/.test(anchor))) {
      ctx.status = 400;
      ctx.body = { code: 'bad_request', message: 'chapter_number must be a chapter and section_anchor a section anchor.' };
      return;
    }
    if (!ctx.state.learner.hasSession) {
      if (!ctx.request.is('json')) return ctx.redirect(`/signin?next=${encodeURIComponent(`/chapters/${number}`)}`);
      ctx.status = 401;
      ctx.body = { code: 'unauthorized', message: 'Sign in to keep your place.' };
      return;
    }
    const view: ChapterViewReport = { chapter_number: number, ...(anchor ? { section_anchor: anchor } : {}) };
    await ctx.state.learner.call({ method: 'POST', path: '/progress/views', body: view });
    if (ctx.request.is('json')) ctx.status = 204;
    else redirectWithFlash(ctx, runtime, `/chapters/${number}${anchor ? `#${anchor}` : ''}`, 'place-saved');
  });

  router.get('progress', '/progress', requireSession, async (ctx) => {
    const progress = await ctx.state.learner.call<Progress>({ method: 'GET', path: '/progress' });
    sendPage(ctx, 200, <ProgressPage frame={frame(ctx, deps)} progress={progress} />);
  });

  return router;
}

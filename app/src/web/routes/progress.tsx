import Router from '@koa/router';
import type { Progress } from '../api-types';
import { sendPage, type WebState } from '../context';
import { bodyOf, text } from '../forms';
import { ProgressPage } from '../pages/progress';
import { cookieOptions } from '../session';
import { frame, requireSession, type WebRouteDeps } from './shared';

/** The progress page, and the reading position the chapter pages report. */
export function progressRoutes(deps: WebRouteDeps): Router<WebState> {
  const router = new Router<WebState>();
  const { runtime } = deps;

  /** The enhancement script reports the section in view; a plain form may too. */
  router.post('position', '/progress/position', async (ctx) => {
    const body = bodyOf(ctx);
    const number = Number(body.chapter_number);
    const anchor = text(body.section_anchor);
    if (!Number.isInteger(number) || number < 1 || (anchor && !/^[a-z0-9-]{1,160}$/.test(anchor))) {
      ctx.status = 400;
      return;
    }
    if (!ctx.state.learner.hasSession) {
      ctx.status = 401;
      return;
    }
    await ctx.state.learner.call({
      method: 'PUT',
      path: '/progress/position',
      body: { chapter_number: number, ...(anchor ? { section_anchor: anchor } : {}) },
    });
    ctx.cookies.set(runtime.names.position, String(number), cookieOptions(runtime.cookies));
    ctx.status = 204;
  });

  router.get('progress', '/progress', requireSession, async (ctx) => {
    const progress = await ctx.state.learner.call<Progress>({ method: 'GET', path: '/progress' });
    sendPage(ctx, 200, <ProgressPage frame={frame(ctx, deps)} progress={progress} />);
  });

  return router;
}

import Router from '@koa/router';
import { z } from 'zod';
import type { ApiDeps } from '../app';
import { getChapterJson } from '../../domain/chapters';
import type { Learner } from '../../domain/learning-database';
import { completeChapter, type ChapterState } from '../../domain/progress';
import { requireUser } from '../middleware/auth';

/** `:number` in a path: a plain positive integer ("4", not "4.0", "1e1" or "04x"). */
export const ChapterNumber = z
  .string()
  .regex(/^[1-9][0-9]{0,4}$/, 'a chapter number is a positive whole number')
  .transform(Number);

/** The learner behind `requireUser`: only the token decides who and which tier. */
export const learnerOf = (state: { user?: unknown }): Learner => state.user as Learner;

export function chapterRoutes(deps: ApiDeps): Router {
  const router = new Router();
  const auth = requireUser(deps);

  // The learner's row and their state of this chapter come in one round trip.
  const authWithState = requireUser(deps, { withChapterState: (ctx) => ChapterNumber.parse((ctx.params as Record<string, string>).number) });
  router.get('/chapters/:number', authWithState, async (ctx) => {
    const number = ChapterNumber.parse(ctx.params.number);
    ctx.type = 'application/json';
    ctx.body = await getChapterJson(deps.db, learnerOf(ctx.state), number, deps.cache, ctx.state.chapterState as ChapterState);
  });

  router.post('/chapters/:number/complete', auth, async (ctx) => {
    ctx.body = await completeChapter(deps.db, learnerOf(ctx.state), ChapterNumber.parse(ctx.params.number), deps.clock, {
      events: deps.metrics,
      cache: deps.cache,
    });
  });

  return router;
}

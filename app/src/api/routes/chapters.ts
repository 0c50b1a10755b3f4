import Router from '@koa/router';
import { z } from 'zod';
import type { ApiContext } from '../app';
import { getChapterJson } from '../../domain/chapters';
import { completeChapter } from '../../domain/progress';
import { requireUser, requireUserWithChapterState } from '../middleware/auth';
import type { ApiState, ChapterViewState, SignedInState } from '../state';

/** `:number` in a path: a plain positive integer ("4", not "4.0", "1e1" or "04x"). */
export const ChapterNumber = z
  .string()
  .regex(/^[1-9][0-9]{0,4}$/, 'a chapter number is a positive whole number')
  .transform(Number);

export function chapterRoutes(deps: ApiContext): Router {
  const router = new Router<ApiState>();
  const auth = requireUser(deps);

  // The learner's row and their state of this chapter come in one round trip.
  const authWithState = requireUserWithChapterState(deps, (ctx) => ChapterNumber.parse(ctx.params.number));
  router.get<ChapterViewState>('/chapters/:number', authWithState, async (ctx) => {
    const number = ChapterNumber.parse(ctx.params.number);
    ctx.type = 'application/json';
    ctx.body = await getChapterJson(deps.stores, ctx.state.user, number, ctx.state.chapterState);
  });

  router.post<SignedInState>('/chapters/:number/complete', auth, async (ctx) => {
    ctx.body = await completeChapter(deps.stores, ctx.state.user, ChapterNumber.parse(ctx.params.number), deps.clock, {
      events: deps.metrics,
    });
  });

  return router;
}

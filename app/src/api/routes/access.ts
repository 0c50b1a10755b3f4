import Router from '@koa/router';
import type { ApiContext } from '../app';
import { accessCheck } from '../../domain/access';
import { findChapter } from '../../domain/progress';
import type { ApiState, SignedInState } from '../state';
import { requireUser } from '../middleware/auth';
import { ChapterNumber } from './chapters';

/** Whether this learner may open a chapter, answered by the same function every path uses. */
export function accessRoutes(deps: ApiContext): Router {
  const router = new Router<ApiState>();
  router.get<SignedInState>('/access/chapters/:number', requireUser(deps), async (ctx) => {
    const chapter = await findChapter(deps.stores, ChapterNumber.parse(ctx.params.number));
    ctx.body = accessCheck(ctx.state.user, chapter.number);
  });
  return router;
}

import Router from '@koa/router';
import type { ApiDeps } from '../app';
import { accessCheck } from '../../domain/access';
import { findChapter } from '../../domain/progress';
import { requireUser } from '../middleware/auth';
import { ChapterNumber, learnerOf } from './chapters';

/** Whether this learner may open a chapter, answered by the same function every path uses. */
export function accessRoutes(deps: ApiDeps): Router {
  const router = new Router();
  router.get('/access/chapters/:number', requireUser(deps), async (ctx) => {
    const chapter = await findChapter(deps.db, ChapterNumber.parse(ctx.params.number), deps.cache);
    ctx.body = accessCheck(learnerOf(ctx.state), chapter.number);
  });
  return router;
}

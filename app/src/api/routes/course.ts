import Router from '@koa/router';
import type { ApiDeps } from '../app';
import { getCourse } from '../../domain/chapters';
import { requireUser } from '../middleware/auth';
import { learnerOf } from './chapters';

/** The course outline, with each chapter's lock and state for this learner. */
export function courseRoutes(deps: ApiDeps): Router {
  const router = new Router();
  router.get('/course', requireUser(deps), async (ctx) => {
    ctx.body = await getCourse(deps.db, learnerOf(ctx.state), deps.cache);
  });
  return router;
}

import Router from '@koa/router';
import type { ApiContext } from '../app';
import { getCourse } from '../../domain/chapters';
import type { ApiState, SignedInState } from '../state';
import { requireUser } from '../middleware/auth';

/** The course outline, with each chapter's lock and state for this learner. */
export function courseRoutes(deps: ApiContext): Router {
  const router = new Router<ApiState>();
  router.get<SignedInState>('/course', requireUser(deps), async (ctx) => {
    ctx.body = await getCourse(deps.stores, ctx.state.user);
  });
  return router;
}

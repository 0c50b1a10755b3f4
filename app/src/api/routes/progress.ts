import Router from '@koa/router';
import { z } from 'zod';
import type { ApiDeps } from '../app';
import { getProgress, setReadingPosition } from '../../domain/progress';
import { requireUser } from '../middleware/auth';
import { learnerOf } from './chapters';

/** Unknown fields (a `user_id`, a `tier`) are dropped, never used. */
const PositionBody = z.object({
  chapter_number: z.number().int().positive().max(99_999),
  section_anchor: z.string().min(1).max(160).nullable().optional(),
});

/** The learner's own progress; there is no path that names another learner. */
export function progressRoutes(deps: ApiDeps): Router {
  const router = new Router();
  const auth = requireUser(deps);

  router.get('/progress', auth, async (ctx) => {
    ctx.body = await getProgress(deps.db, learnerOf(ctx.state), deps.clock, deps.cache);
  });

  router.put('/progress/position', auth, async (ctx) => {
    ctx.body = await setReadingPosition(deps.db, learnerOf(ctx.state), PositionBody.parse(ctx.request.body), deps.clock, deps.cache);
  });

  return router;
}

import Router from '@koa/router';
import { z } from 'zod';
import type { ApiContext } from '../app';
import { getProgress } from '../../domain/progress';
import { recordChapterView, setReadingPosition } from '../../domain/reading';
import type { ApiState, SignedInState } from '../state';
import { requireUser } from '../middleware/auth';

/** Unknown fields (a `user_id`, a `tier`) are dropped, never used. */
const PositionBody = z.object({
  chapter_number: z.number().int().positive().max(99_999),
  section_anchor: z.string().min(1).max(160).nullable().optional(),
});

/** The learner's own progress; there is no path that names another learner. */
export function progressRoutes(deps: ApiContext): Router {
  const router = new Router<ApiState>();
  const auth = requireUser(deps);

  router.get<SignedInState>('/progress', auth, async (ctx) => {
    ctx.body = await getProgress(deps.stores, ctx.state.user, deps.clock);
  });

  // The page reports each view here after it loaded (issues 14 and 15): idempotent, and
  // nothing is written when nothing changed. 204: the page has no use for an answer.
  router.post<SignedInState>('/progress/views', auth, async (ctx) => {
    await recordChapterView(deps.stores, ctx.state.user, PositionBody.parse(ctx.request.body), deps.clock);
    ctx.status = 204;
  });

  /** Deprecated alias of POST /progress/views that answers the resume point; kept for older web pods during a rollout. */
  router.put<SignedInState>('/progress/position', auth, async (ctx) => {
    ctx.body = await setReadingPosition(deps.stores, ctx.state.user, PositionBody.parse(ctx.request.body), deps.clock);
  });

  return router;
}

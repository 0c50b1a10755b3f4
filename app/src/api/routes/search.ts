import Router from '@koa/router';
import { z } from 'zod';
import type { ApiContext } from '../app';
import { MAX_SEARCH_RESULTS, searchCourse } from '../../domain/search';
import type { ApiState, SignedInState } from '../state';
import { requireUser } from '../middleware/auth';

const SearchQuery = z.object({
  q: z.string().trim().min(1, 'say what to search for').max(200),
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, 'a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_SEARCH_RESULTS))
    .optional(),
});

/** Search over only what this learner may read. */
export function searchRoutes(deps: ApiContext): Router {
  const router = new Router<ApiState>();
  router.get<SignedInState>('/search', requireUser(deps), async (ctx) => {
    const query = SearchQuery.parse({ q: ctx.query.q, limit: ctx.query.limit });
    ctx.body = await searchCourse(deps.stores, ctx.state.user, query.q, query.limit);
  });
  return router;
}

import Router from '@koa/router';
import type { SearchResponse } from '../api-types';
import { sendPage, type WebState } from '../context';
import { text } from '../forms';
import { SearchPage } from '../pages/search';
import { frame, requireSession, type WebRouteDeps } from './shared';

/** Search the course; an empty query shows the empty form. */
export function searchRoutes(deps: WebRouteDeps): Router<WebState> {
  const router = new Router<WebState>();
  router.get('search', '/search', requireSession, async (ctx) => {
    const query = text(ctx.query.q).slice(0, 200);
    const response = query
      ? await ctx.state.learner.call<SearchResponse>({ method: 'GET', path: `/search?q=${encodeURIComponent(query)}&limit=20` })
      : null;
    sendPage(ctx, 200, <SearchPage frame={frame(ctx, deps)} query={query} response={response} />);
  });
  return router;
}

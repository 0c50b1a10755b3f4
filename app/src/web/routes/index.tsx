import Router from '@koa/router';
import type { Logger } from 'pino';
import { frameFor, sendPage, type WebAppContext, type WebRuntime, type WebState } from '../context';
import { ChapterHtmlCache } from '../markdown';
import { CourseOutlineCache } from '../outline';
import { ErrorPage, troubleStatus } from '../pages/errors';
import { accountRoutes } from './account';
import { authRoutes } from './auth';
import { chapterRoutes } from './chapters';
import { credentialRoutes } from './credentials';
import { homeRoutes } from './home';
import { maintenanceRoutes } from '../maintenance';
import { progressRoutes } from './progress';
import { quizRoutes } from './quizzes';
import { searchRoutes } from './search';
import { signUpRoutes } from './signup';
import { upgradeRoutes } from './upgrade';
import type { WebRouteModule } from './shared';

/**
 * Every group of learner pages. To add one, import its `(deps) => Router` function
 * and append it to this list; nothing else needs to change (as the api's ROUTE_MODULES).
 */
export const WEB_ROUTE_MODULES: readonly WebRouteModule[] = [
  homeRoutes,
  authRoutes,
  signUpRoutes,
  chapterRoutes,
  progressRoutes,
  quizRoutes,
  searchRoutes,
  accountRoutes,
  maintenanceRoutes,
  credentialRoutes,
  upgradeRoutes,
];

export interface RouteDeps {
  readonly runtime: WebRuntime;
  readonly logger: Logger;
}

/** The web role's router: every module's pages, sharing one set of page caches. */
export function webRoutes({ runtime, logger }: RouteDeps): Router<WebState> {
  const deps = { runtime, logger, outline: new CourseOutlineCache(), chapterHtml: new ChapterHtmlCache() };
  const router = new Router<WebState>();
  for (const module of WEB_ROUTE_MODULES) router.use(module(deps).routes());
  return router;
}

/** The "nothing here" page, for paths no route answered. */
export function notFound(ctx: WebAppContext, runtime: WebRuntime): void {
  sendPage(ctx, troubleStatus('not_found'), <ErrorPage frame={frameFor(ctx, runtime)} kind="not_found" />);
}

import Router from '@koa/router';
import type { ApiContext } from '../app';
import type { ApiState } from '../state';
import { PLANS } from '../../domain/tiers';
import { adminRoutes } from './admin';
import { authRoutes } from './auth';
import { meRoutes } from './me';
import { webhookRoutes } from './webhooks';
import { billingRoutes } from './billing';
import { accessRoutes } from './access';
import { chapterRoutes } from './chapters';
import { courseRoutes } from './course';
import { progressRoutes } from './progress';
import { publicRoutes } from './public';
import { quizRoutes } from './quizzes';
import { searchRoutes } from './search';

/** A group of routes under /api/v1: one function per file, given the api's dependencies. */
export type RouteModule = (deps: ApiContext) => Router<ApiState>;

/**
 * Every router under /api/v1. To add a feature, import its `(deps) => Router`
 * function and append it to this list; nothing else needs to change.
 */
export const ROUTE_MODULES: RouteModule[] = [
  authRoutes,
  meRoutes,
  adminRoutes,
  webhookRoutes,
  billingRoutes,
  plansRoutes,
  publicRoutes,
  courseRoutes,
  chapterRoutes,
  quizRoutes,
  searchRoutes,
  progressRoutes,
  accessRoutes,
];

function plansRoutes(): Router<ApiState> {
  const router = new Router<ApiState>();
  // Plans never change at run time: serialise once.
  const body = JSON.stringify({ plans: PLANS });
  router.get('/plans', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = body;
  });
  return router;
}

export function apiRouter(deps: ApiContext): Router<ApiState> {
  const api = new Router<ApiState>({ prefix: '/api/v1' });
  for (const module of ROUTE_MODULES) {
    const router = module(deps);
    api.use(router.routes());
  }
  return api;
}

import Router from '@koa/router';
import type { ApiContext } from '../app';
import type { ApiState } from '../state';
import { checkDatabase, timedCheck, type CheckResult } from '../../observability/health';

/**
 * Probes, outside /api/v1: `/livez` says the process runs; `/readyz` says it should
 * get traffic (database reachable within the timeout and not draining); `/health` is
 * the JSON a person or smoke test reads. Redis is optional: when it fails the status
 * is `degraded` and the answer stays 200, since the api still works without it.
 */
export function healthRouter(deps: ApiContext): Router<ApiState> {
  const router = new Router<ApiState>();
  const timeout = deps.config.readinessTimeoutMs;

  async function database(): Promise<CheckResult> {
    const result = await checkDatabase(deps.db, timeout);
    deps.metrics.dbUp.set(result.status === 'ok' ? 1 : 0);
    return result;
  }

  router.get('/livez', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async (ctx) => {
    if (deps.lifecycle?.draining) {
      ctx.status = 503;
      ctx.body = { status: 'draining' };
      return;
    }
    const db = await database();
    ctx.status = db.status === 'ok' ? 200 : 503;
    ctx.body = { status: db.status === 'ok' ? 'ok' : 'unavailable', checks: { database: db } };
  });

  router.get('/health', async (ctx) => {
    const checks: Record<string, CheckResult> = { database: await database() };
    const redis = deps.redis;
    if (redis) checks.redis = await timedCheck(() => redis.ping(), timeout);
    const status =
      checks.database.status !== 'ok' ? 'unavailable' : Object.values(checks).some((c) => c.status !== 'ok') ? 'degraded' : 'ok';
    ctx.status = status === 'unavailable' ? 503 : 200;
    ctx.body = { status, version: deps.config.version, role: 'api', draining: deps.lifecycle?.draining ?? false, checks };
  });

  return router;
}

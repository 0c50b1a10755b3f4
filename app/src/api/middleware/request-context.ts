import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../../observability/logger';
import type { Metrics } from '../../observability/metrics';

// Accept the gateway's request id when it looks like one; anything else could be log injection.
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Outermost middleware: gives each request an id (echoed as X-Request-Id), a child
 * logger carrying it, one access-log line and the HTTP metrics. The route label is
 * the router's pattern (`/api/v1/chapters/:number`), never the raw path, so label
 * cardinality stays bounded.
 */
export function requestContext(logger: Logger, metrics: Metrics): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const incoming = ctx.get('x-request-id');
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.log = logger.child({ request_id: requestId });
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (ctx as unknown as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      const labels = { method: ctx.method, route: String(route), status: String(ctx.status) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
      ctx.state.log.info(
        { method: ctx.method, route: labels.route, path: ctx.path, status: ctx.status, duration_ms: Math.round(seconds * 1e5) / 100, user_id: ctx.state.user?.id },
        'request',
      );
    }
  };
}

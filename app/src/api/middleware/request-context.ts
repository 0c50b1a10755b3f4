import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { ApiState } from '../state';
import type { Logger } from '../../observability/logger';
import type { Metrics } from '../../observability/metrics';

// Accept the gateway's request id when it looks like one; anything else could be log injection.
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** The logger for something about this request: every line carries its request id. */
export function requestLogger(logger: Logger, state: { requestId?: unknown }): Logger {
  return typeof state.requestId === 'string' ? logger.child({ request_id: state.requestId }) : logger;
}

/** The access line: every field is chosen here, none comes from a body, header or cookie. */
interface AccessLine {
  request_id: string;
  method: string;
  route: string;
  path: string;
  status: number;
  duration_ms: number;
  user_id: string | undefined;
}

/**
 * Outermost middleware: gives each request an id (echoed as X-Request-Id), a child
 * logger carrying it, one access-log line and the HTTP metrics. The route label is
 * the router's pattern (`/api/v1/chapters/:number`), never the raw path, so label
 * cardinality stays bounded.
 *
 * The access line goes through a child without redaction: its fields are fixed above
 * and hold no secret, and redaction (the second wall, for whatever else is logged) cost
 * 8 µs a line, more than the line itself. Code that logs about a request builds its
 * own child from `ctx.state.requestId` (see `requestLogger`), so requests that log
 * nothing else pay nothing for it.
 */
export function requestContext(logger: Logger, metrics: Metrics): Middleware<ApiState> {
  const access = logger.child({}, { redact: [] });
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const incoming = ctx.get('x-request-id');
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = String((ctx as unknown as { _matchedRoute?: string })._matchedRoute ?? 'unmatched');
      const labels = { method: ctx.method, route, status: String(ctx.status) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
      const line: AccessLine = {
        request_id: requestId,
        method: ctx.method,
        route,
        path: ctx.path,
        status: ctx.status,
        duration_ms: Math.round(seconds * 1e5) / 100,
        user_id: ctx.state.user?.id,
      };
      access.info(line, 'request');
    }
  };
}

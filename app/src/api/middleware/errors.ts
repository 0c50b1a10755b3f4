import type { Middleware } from 'koa';
import type { ApiState } from '../state';
import { ZodError } from 'zod';
import { AppError } from '../../errors';
import type { Logger } from '../../observability/logger';
import { requestLogger } from './request-context';
import { noErrorReporter, type ErrorReporter } from '../../observability/error-reporter';

/** Stable `code`s for errors raised by Koa and its libraries (http-errors), by status. */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  429: 'rate_limited',
  503: 'unavailable',
};

interface ErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Turn anything thrown into `{ code, message, details }`; what the client sees never holds a stack. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody; expose: boolean } {
  if (err instanceof AppError) {
    return {
      status: err.status,
      body: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
      expose: true,
    };
  }
  if (err instanceof ZodError) {
    return {
      status: 400,
      body: {
        code: 'bad_request',
        message: 'The request is not valid.',
        details: { issues: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code })) },
      },
      expose: true,
    };
  }
  const status = typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : 500;
  if (status >= 400 && status < 500) {
    // http-errors from the body parser etc.: their messages are written for clients.
    const message = (err as { expose?: boolean; message?: string }).expose ? String((err as Error).message) : 'The request is not valid.';
    return { status, body: { code: CODE_BY_STATUS[status] ?? 'bad_request', message }, expose: true };
  }
  if (status === 503) return { status, body: { code: 'unavailable', message: 'The service is temporarily unavailable.' }, expose: false };
  return { status: 500, body: { code: 'internal', message: 'Something went wrong on our side.' }, expose: false };
}

export function errorHandler(logger: Logger, reporter: ErrorReporter = noErrorReporter): Middleware<ApiState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { code: 'not_found', message: 'Not found.' };
      }
    } catch (err) {
      const { status, body, expose } = toErrorResponse(err);
      const log = requestLogger(logger, ctx.state);
      if (!expose) log.error({ err }, 'request failed');
      // A 503 is an outage the alerts already cover; a 500 is a bug someone must see.
      if (status === 500) {
        reporter.capture(err, {
          requestId: ctx.state.requestId,
          method: ctx.method,
          route: (ctx as { _matchedRoute?: string })._matchedRoute,
        });
      }
      ctx.status = status;
      ctx.body = body;
      if (status === 429) {
        const retry = (body.details as { retry_after_seconds?: number } | undefined)?.retry_after_seconds;
        if (retry) ctx.set('Retry-After', String(retry));
      }
    }
  };
}

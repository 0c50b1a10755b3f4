import Koa from 'koa';
import cors from '@koa/cors';
import { bodyParser } from '@koa/bodyparser';
import type { Redis } from 'ioredis';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Cache } from '../db/cache';
import type { Database } from '../db/database';
import { openStores, type Stores } from '../db/stores';
import { AccessTokens } from '../domain/tokens';
import { SessionRevocations } from '../domain/sessions';
import { logMailer, type Mailer } from '../mailer';
import { createBilling, type Billing } from '../domain/billing';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { Lifecycle } from '../observability/health';
import { clientAddress } from './middleware/client-address';
import { errorHandler } from './middleware/errors';
import { requestContext } from './middleware/request-context';
import { allowedHosts, securityHeaders } from './middleware/security';
import { rehearsalFault } from './middleware/rehearsal-fault';
import { healthRouter } from './routes/health';
import { apiRouter } from './routes/index';
import type { ErrorReporter } from '../observability/error-reporter';
import type { ApiState } from './state';

/** Everything the api role needs, built once by server.ts (or by a test). */
export interface ApiDeps {
  config: Config;
  db: Database;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Chapter content cache (Redis when REDIS_URL is set). */
  cache?: Cache;
  /** Shared Redis client: rate limits, and the `/health` dependency check. */
  redis?: Redis;
  /** Flipped by SIGTERM so `/readyz` answers 503 while requests drain. */
  lifecycle?: Lifecycle;
  /** Where unexpected errors are reported (Sentry when SENTRY_DSN is set). */
  errors?: ErrorReporter;
  /** The stores over `db`. @default built from `db` and `cache` by createApiApp */
  stores?: Stores;
  /** Password reset mail (SMTP when SMTP_URL is set). @default printed to `logger` */
  mailer?: Mailer;
  /** Stripe's client. @default built from `config.stripe` by createApiApp (none without keys) */
  billing?: Billing;
}

/** What the api's routes receive: its dependencies with the stores built. */
export interface ApiContext extends ApiDeps {
  readonly stores: Stores;
  /** Signs and verifies access tokens; remembers the ones it verified. */
  readonly accessTokens: AccessTokens;
  /** Which sign-ins ended, so their access tokens stop before they expire. */
  readonly sessions: SessionRevocations;
  readonly mailer: Mailer;
}

export function createApiApp(apiDeps: ApiDeps): Koa<ApiState> {
  const stores = apiDeps.stores ?? openStores(apiDeps.db, { cache: apiDeps.cache });
  const deps: ApiContext = {
    ...apiDeps,
    stores,
    accessTokens: new AccessTokens(apiDeps.config, apiDeps.clock),
    sessions: new SessionRevocations(stores.tokens),
    mailer: apiDeps.mailer ?? logMailer(apiDeps.logger),
    billing: apiDeps.billing ?? createBilling(apiDeps.config.stripe),
  };
  const app = new Koa<ApiState>();
  // app.proxy stays off (Koa would believe X-Forwarded-Host and -Proto too); the client
  // address comes from clientAddress, through TRUSTED_PROXIES only.
  // Errors are answered and logged by errorHandler; keep Koa from printing stacks to stderr.
  app.silent = true;

  const corsOrigins = new Set(deps.config.corsOrigins);
  app.use(requestContext(deps.logger, deps.metrics));
  app.use(clientAddress(deps.config));
  const fault = rehearsalFault(deps.config.rehearsalFault);
  if (fault) app.use(fault);
  app.use(securityHeaders({ hsts: deps.config.appEnv === 'staging' || deps.config.appEnv === 'production' }));
  app.use(errorHandler(deps.logger, deps.errors));
  app.use(allowedHosts(deps.config.allowedHosts));
  app.use(
    cors({
      // An origin not listed gets no CORS headers at all, so browsers refuse the answer.
      origin: (ctx) => (corsOrigins.has(ctx.get('origin')) ? ctx.get('origin') : ''),
      allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
      exposeHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    }),
  );
  app.use(
    bodyParser({
      enableTypes: ['json'],
      encoding: 'utf-8',
      jsonLimit: deps.config.bodyLimitBytes,
      jsonStrict: true,
      // DELETE /me carries the password that confirms it.
      parsedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],
      // ctx.request.rawBody keeps the exact bytes: Stripe's webhook signature covers them.
      enableRawChecking: false,
    }),
  );
  const health = healthRouter(deps);
  app.use(health.routes());
  const api = apiRouter(deps);
  app.use(api.routes());
  return app;
}

import { randomUUID } from 'node:crypto';
import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import Cookies from 'cookies';
import Koa from 'koa';
import compress from 'koa-compress';
import { constants as zlib } from 'node:zlib';
import type { Logger } from 'pino';
import { ApiClient, ApiError, ApiUnavailable } from './api-client';
import { StaticAssets } from './assets';
import { createRuntime, frameFor, rotateCsrf, sendPage, takeFlash, type WebRuntime, type WebState } from './context';
import { CsrfTokens } from './csrf';
import { bodyOf } from './forms';
import { ErrorPage, troubleStatus, type Trouble } from './pages/errors';
import { notFound, webRoutes } from './routes';
import { allowedHosts, securityHeaders } from './security';
import { MaintenanceNotices } from './maintenance';
import { LearnerApi, RefreshCoordinator } from './session';
import { noErrorReporter, type ErrorReporter } from '../observability/error-reporter';
import { systemClock, type Clock } from '../clock';
import type { MaintenanceWindow } from '../maintenance/window';
import { peerAddressResolver } from '../client-address';

export interface WebAppDeps {
  /** API_URL: how this role reaches the api, e.g. `http://api-stable:8000` (no `/api/v1`). */
  readonly apiUrl: string;
  /** SESSION_SECRET: signs the CSRF tokens (at least 16 characters). */
  readonly sessionSecret: string;
  /**
   * Secure, `__Host-` cookies and HSTS. Turn off only for plain-http localhost (dev,
   * tests); behind the gateway TLS ends before the pod, so this stays on.
   * @default true
   */
  readonly secureCookies?: boolean;
  readonly logger: Logger;
  /** Mounted first, around everything: the role's request-id / metrics / logging middleware. */
  readonly instrument?: readonly Koa.Middleware[];
  /** ALLOWED_HOSTS; `*` accepts any host. @default ['*'] */
  readonly allowedHosts?: readonly string[];
  /** Staging: send `X-Robots-Tag: noindex`. @default false */
  readonly noIndex?: boolean;
  /** Readiness for `/readyz`; the server turns it false on SIGTERM. @default () => true */
  readonly isReady?: () => boolean;
  /** Give up on an api call after this long and show the "api is down" page. @default 5000 */
  readonly apiTimeoutMs?: number;
  /**
   * TRUSTED_PROXIES: the gateway's addresses, whose X-Forwarded-For names the visitor.
   * Koa's `app.proxy` stays off: it would also believe X-Forwarded-Host, which bypassed
   * ALLOWED_HOSTS (issue 15). @default [] (the peer is the visitor)
   */
  readonly trustedProxies?: readonly string[];
  /** CLIENT_ADDRESS_SECRET: signs the visitor's address for the api's per-visitor limits. */
  readonly clientAddressSecret?: string;
  /** Reported by `/health`. */
  readonly version?: string;
  /** Where this role's own unexpected errors are reported (Sentry when SENTRY_DSN is set). */
  readonly errorReporter?: ErrorReporter;
  /** MAINTENANCE_WINDOW: announced on every page from 48 hours ahead. @default none */
  readonly maintenanceWindow?: MaintenanceWindow;
  /** @default the system clock */
  readonly clock?: Clock;
}

const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Turn anything thrown below into a page a learner can act on; never a stack trace. */
function troubleFor(error: unknown): Trouble {
  if (error instanceof ApiUnavailable) return 'api_down';
  if (error instanceof ApiError) {
    if (error.status === 404) return 'not_found';
    if (error.status === 403) return 'forbidden';
    if (error.status === 429) return 'rate_limited';
    if (error.status >= 400 && error.status < 500) return 'bad_request';
    return 'internal';
  }
  const status = (error as { status?: number; expose?: boolean })?.status;
  if (status === 413 || status === 400 || status === 415) return 'bad_request';
  return 'internal';
}

// Partial: a request the router did not match has no route.
function errorPages(
  runtime: WebRuntime,
  logger: Logger,
  reporter: ErrorReporter,
): Koa.Middleware<WebState, Partial<Router.RouterParamContext<WebState>>> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        // The session is gone (expired refresh token, revoked, account deleted elsewhere).
        ctx.state.learner.forget();
        ctx.status = 303;
        ctx.redirect(SAFE_METHODS.has(ctx.method) ? `/signin?next=${encodeURIComponent(ctx.originalUrl)}` : '/signin');
        return;
      }
      const kind = troubleFor(error);
      const status = troubleStatus(kind);
      const log = { err: error, requestId: ctx.state.requestId, method: ctx.method, path: ctx.path };
      if (status >= 500) logger.error(log, `web page failed: ${kind}`);
      // The api reports its own failures; only this role's bugs are reported from here.
      if (kind === 'internal' && !(error instanceof ApiError)) {
        reporter.capture(error, { requestId: ctx.state.requestId, method: ctx.method, route: ctx._matchedRoute?.toString() });
      } else logger.info(log, `web page refused: ${kind}`);
      if (kind === 'api_down') ctx.set('Retry-After', '30');
      if ((ctx.path === '/progress/position' && ctx.request.is('json')) || ctx.accepts('html', 'json') === 'json') {
        ctx.status = status;
        ctx.body = { code: kind, message: 'See the page for details.' };
        return;
      }
      sendPage(ctx, status, <ErrorPage frame={frameFor(ctx, runtime)} kind={kind} requestId={ctx.state.requestId} />);
    }
  };
}

/** The role's instrumentation gives each request its id; without it (tests), this does. */
function requestIds(): Koa.Middleware<WebState> {
  return async (ctx, next) => {
    if (!ctx.state.requestId) {
      const incoming = ctx.get('x-request-id');
      ctx.state.requestId = /^[\w.-]{8,128}$/.test(incoming) ? incoming : randomUUID();
      ctx.set('X-Request-Id', ctx.state.requestId);
    }
    await next();
  };
}

/**
 * Probes on the role's own port, before the host check: kubelet calls them by pod IP.
 * Readiness does not follow the api: if the api is down, taking every web pod out
 * would only swap our "api is down" page for the gateway's bare 503.
 */
function probes(client: ApiClient, isReady: () => boolean, version: string | undefined): Koa.Middleware<WebState> {
  return async (ctx, next) => {
    if (ctx.path === '/livez') {
      ctx.body = { status: 'ok' };
    } else if (ctx.path === '/readyz') {
      ctx.status = isReady() ? 200 : 503;
      ctx.body = { status: isReady() ? 'ok' : 'draining' };
    } else if (ctx.path === '/health') {
      const api = await client.ping();
      ctx.body = {
        status: api.ok ? 'ok' : 'degraded',
        version: version ?? null,
        checks: { api: { status: api.ok ? 'ok' : 'down', response_time_ms: api.ms } },
      };
    } else {
      await next();
    }
  };
}

/** Session, CSRF secret and flash, for every page. */
function learnerSession(
  client: ApiClient,
  runtime: WebRuntime,
  secure: boolean,
  trustedProxies: readonly string[],
): Koa.Middleware<WebState> {
  const refresher = new RefreshCoordinator(client);
  const visitorAddress = peerAddressResolver(trustedProxies);
  return async (ctx, next) => {
    // Our own cookie jar, so Secure cookies can be set behind a TLS-terminating gateway.
    ctx.cookies = new Cookies(ctx.req, ctx.res, { secure });
    const learner = new LearnerApi(client, refresher, ctx.cookies, runtime.cookies, ctx.state.requestId, visitorAddress(ctx.req));
    ctx.state.learner = learner;
    const secret = ctx.cookies.get(runtime.names.csrf);
    if (secret && /^[\w-]{16,64}$/.test(secret)) ctx.state.csrfSecret = secret;
    else rotateCsrf(ctx, runtime);
    if (ctx.method === 'GET') ctx.state.flash = takeFlash(ctx, runtime);
    await next();
  };
}

/** Forms and the enhancement script's JSON; pages are GETs, and a GET carries no body worth parsing. */
function formBodies(): Koa.Middleware<WebState> {
  const parseBody = bodyParser({ enableTypes: ['form', 'json'], encoding: 'utf-8', formLimit: '64kb', jsonLimit: '16kb' });
  return (ctx, next) => (SAFE_METHODS.has(ctx.method) ? next() : parseBody(ctx, next));
}

/**
 * Every state-changing request carries a token signed for this browser's secret: in
 * the form (`_csrf`) or, from the enhancement script, in a header.
 */
function csrfCheck(runtime: WebRuntime, logger: Logger): Koa.Middleware<WebState> {
  return async (ctx, next) => {
    if (SAFE_METHODS.has(ctx.method)) {
      await next();
      return;
    }
    const token = bodyOf(ctx)._csrf ?? ctx.get(CSRF_HEADER);
    if (runtime.csrf.verify(ctx.state.csrfSecret, token)) {
      await next();
      return;
    }
    logger.info({ requestId: ctx.state.requestId, path: ctx.path }, 'refused a request without a valid CSRF token');
    sendPage(ctx, troubleStatus('csrf'), <ErrorPage frame={frameFor(ctx, runtime)} kind="csrf" />);
  };
}

/**
 * The learner web role: server-rendered pages that call the api over HTTP as the
 * learner. Holds no database credentials; its only state is in the learner's cookies.
 */
export function createWebApp(deps: WebAppDeps): Koa<WebState> {
  const secure = deps.secureCookies ?? true;
  const app = new Koa<WebState>();
  // Errors are answered as pages and logged by errorPages; keep Koa from printing stacks.
  app.silent = true;
  const logger = deps.logger;
  const client = new ApiClient({ baseUrl: deps.apiUrl, timeoutMs: deps.apiTimeoutMs, clientAddressSecret: deps.clientAddressSecret });
  const assets = new StaticAssets();
  const notices = new MaintenanceNotices(deps.maintenanceWindow, deps.clock ?? systemClock, { secure });
  const runtime = createRuntime(assets.urls, new CsrfTokens(deps.sessionSecret), { secure }, notices);

  for (const middleware of deps.instrument ?? []) app.use(middleware);
  app.use(requestIds());
  app.use(securityHeaders({ hsts: secure, noIndex: deps.noIndex ?? false }));
  app.use(probes(client, deps.isReady ?? (() => true), deps.version));
  app.use(allowedHosts(deps.allowedHosts ?? ['*']));
  app.use(
    compress({
      threshold: 1024,
      br: { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } },
      gzip: { level: 6 },
      deflate: false,
    }),
  );
  app.use(assets.middleware());
  app.use(learnerSession(client, runtime, secure, deps.trustedProxies ?? []));
  app.use(errorPages(runtime, logger, deps.errorReporter ?? noErrorReporter));
  app.use(formBodies());
  app.use(csrfCheck(runtime, logger));

  const router = webRoutes({ runtime, logger });
  app.use(router.routes());
  app.use(router.allowedMethods());
  app.use(async (ctx) => {
    if (ctx.status === 404 && !ctx.body) notFound(ctx, runtime);
  });

  app.on('error', (error) => logger.error({ err: error }, 'web response failed'));
  return app;
}

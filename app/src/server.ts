import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Redis } from 'ioredis';
import { systemClock, type Clock } from './clock';
import { ConfigError, loadConfig, type Config } from './config';
import { ROLE_PORTS } from './contract';
import { createApiApp } from './api/app';
import { requestContext } from './api/middleware/request-context';
import { rehearsalFault } from './api/middleware/rehearsal-fault';
import { RedisCache } from './db/cache';
import { openDatabase, type Database } from './db/database';
import { openStores, type Stores } from './db/stores';
import { openRedis } from './db/redis';
import { runPrimary } from './cluster-primary';
import { closeServer, listen, startMetricsServer, urlOf } from './listen';
import { logMailer, smtpMailer } from './mailer';
import { createErrorReporter, type ErrorReporter } from './observability/error-reporter';
import { createLogger, type Logger } from './observability/logger';
import { createMetrics } from './observability/metrics';
import type { Lifecycle } from './observability/health';

/** Ports of the two roles when one process runs both (`ROLE=all`, development only). */
export const DEV_PORTS = ROLE_PORTS;
const DEV_SESSION_SECRET = 'development-only-session-secret-0123456789';

export interface RunningServer {
  /** Where each role listens, e.g. `{ api: 'http://127.0.0.1:8000' }`. */
  urls: { api?: string; web?: string; metrics?: string };
  lifecycle: Lifecycle;
  /** Drain and stop: readiness fails at once, in-flight requests finish, pools close. */
  shutdown(): Promise<void>;
  /** The api role's database and stores, when this process serves it (the dev server reloads content through them). */
  api?: { readonly db: Database; readonly stores: Stores };
}

export interface StartOptions {
  logger?: Logger;
  clock?: Clock;
  /** Serve /metrics on METRICS_PORT from this process. @default true */
  metricsServer?: boolean;
  /** Called with the registries, so a cluster primary can aggregate them. */
  onRegistries?: (registries: Registry[]) => void;
  host?: string;
  /**
   * After SIGTERM, keep serving (with /readyz at 503) this long before closing the
   * listener, so load balancers and Service endpoints stop sending new requests first.
   * @default min(5 s, SHUTDOWN_TIMEOUT_SECONDS / 5)
   */
  drainDelayMs?: number;
  /** Ports for ROLE=all instead of the fixed development ones; 0 picks a free one (the dev supervisor's children). */
  ports?: { api: number; web: number };
}

/** What both roles' start functions share within one process. */
interface RoleContext {
  readonly config: Config;
  readonly host: string;
  readonly clock: Clock;
  readonly lifecycle: Lifecycle;
  readonly errorReporter: ErrorReporter;
  /** The role's logger: under its own role name when ROLE=all runs both. */
  readonly logger: Logger;
  readonly ports?: { api: number; web: number };
}

/** A role listening on its port, with what it must close on shutdown. */
interface RunningRole {
  readonly server: Server;
  readonly registry: Registry;
  readonly db?: Database;
  readonly redis?: Redis;
  readonly stores?: Stores;
}

/** The port a role listens on: its own in a pod, the fixed development ports with ROLE=all. */
const portOf = (role: RoleContext, name: 'api' | 'web'): number =>
  role.config.role === 'all' ? (role.ports ?? DEV_PORTS)[name] : role.config.port;

/** The web role's app factory, loaded only by processes that serve the web role. */
function loadWebApp(): typeof import('./web/app').createWebApp {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand: the api role never loads the web half
  return (require('./web/app') as typeof import('./web/app')).createWebApp;
}

/** The api role: database, optional Redis, the JSON api on its port. */
async function startApiRole(role: RoleContext): Promise<RunningRole> {
  const { config, logger } = role;
  if (!config.databaseUrl) throw new ConfigError(['DATABASE_URL: is required for the api role']);
  const db = openDatabase({
    url: config.databaseUrl,
    readUrl: config.databaseReadUrl,
    poolSize: config.databasePoolSize,
    echo: config.databaseEcho,
    logger,
  });
  let redis: Redis | undefined;
  if (config.redisUrl) {
    redis = openRedis(config.redisUrl);
    // ioredis reconnects by itself; log instead of crashing on its 'error' events.
    redis.on('error', (err) => logger.warn({ err: err.message }, 'redis unavailable'));
  }
  const metrics = createMetrics({ role: 'api' });
  const cache = redis ? new RedisCache(redis) : undefined;
  // Built here rather than by createApiApp, so the dev server can reload content through them.
  const stores = openStores(db, { cache });
  const app = createApiApp({
    stores,
    config,
    db,
    clock: role.clock,
    logger,
    metrics,
    redis,
    cache,
    lifecycle: role.lifecycle,
    errors: role.errorReporter,
    mailer: config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom) : logMailer(logger),
  });
  const server = await listen(app, portOf(role, 'api'), role.host);
  return { server, registry: metrics.registry, db, redis, stores };
}

/** The web role: server-rendered pages that call the api at `apiUrl`. */
async function startWebRole(role: RoleContext, apiUrl: string): Promise<RunningRole> {
  const { config, logger } = role;
  const createWebApp = loadWebApp();
  const metrics = createMetrics({ role: 'web', defaultMetrics: config.role === 'web' });
  const secure = config.appEnv === 'staging' || config.appEnv === 'production';
  const app = createWebApp({
    apiUrl,
    sessionSecret: config.sessionSecret ?? DEV_SESSION_SECRET,
    secureCookies: secure,
    logger,
    instrument: [requestContext(logger, metrics), rehearsalFault(config.rehearsalFault)].filter((m) => m !== undefined),
    allowedHosts: config.allowedHosts,
    noIndex: config.appEnv === 'staging',
    isReady: () => !role.lifecycle.draining,
    trustedProxies: config.trustedProxies,
    clientAddressSecret: config.clientAddressSecret,
    errorReporter: role.errorReporter,
    maintenanceWindow: config.maintenanceWindow,
    clock: role.clock,
  });
  const server = await listen(app, portOf(role, 'web'), role.host);
  return { server, registry: metrics.registry };
}

/** One registry per role; ROLE=all (dev only) shows both one after the other. */
function serveRegistries(registries: readonly Registry[], config: Config, host: string): Promise<Server> {
  const source = {
    contentType: registries[0].contentType,
    metrics: async () => (await Promise.all(registries.map((r) => r.metrics()))).join('\n'),
  };
  return startMetricsServer(source, config.metricsPort, host);
}

export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger({ level: config.logLevel, role: config.role, version: config.version });
  const host = opts.host ?? '0.0.0.0';
  const lifecycle: Lifecycle = { draining: false };
  const errorReporter = createErrorReporter({
    dsn: config.sentryDsn,
    environment: config.appEnv,
    release: config.version,
    role: config.role,
  });
  // ROLE=all (development) runs both roles in one process: each logs under its own role.
  const contextFor = (role: 'api' | 'web'): RoleContext => ({
    config,
    host,
    clock: opts.clock ?? systemClock,
    lifecycle,
    errorReporter,
    logger: config.role === 'all' ? createLogger({ level: config.logLevel, role, version: config.version }) : logger,
    ports: opts.ports,
  });
  const urls: RunningServer['urls'] = {};
  const roles: RunningRole[] = [];
  if (config.role === 'api' || config.role === 'all') {
    roles.push(await startApiRole(contextFor('api')));
    urls.api = urlOf(roles[0].server);
  }
  if (config.role === 'web' || config.role === 'all') {
    const web = await startWebRole(contextFor('web'), config.role === 'all' ? urls.api! : config.apiUrl);
    roles.push(web);
    urls.web = urlOf(web.server);
  }
  const servers = roles.map((role) => role.server);
  const registries = roles.map((role) => role.registry);
  opts.onRegistries?.(registries);
  if (opts.metricsServer ?? true) {
    const metricsServer = await serveRegistries(registries, config, host);
    servers.push(metricsServer);
    urls.metrics = urlOf(metricsServer);
  }

  logger.info({ urls, env: config.appEnv }, 'listening');
  // Written now, not with the next block: deploy tooling and people wait for this line.
  logger.flush();
  const drainDelayMs = opts.drainDelayMs ?? Math.min(5_000, config.shutdownTimeoutSeconds * 200);
  const stop = () => stopServers({ servers, roles, lifecycle, logger, errorReporter, drainDelayMs });
  let stopping: Promise<void> | undefined;
  const api = roles.find((role) => role.stores);
  return { urls, lifecycle, shutdown: () => (stopping ??= stop()), api: api && { db: api.db!, stores: api.stores! } };
}

interface StopPlan {
  readonly servers: readonly Server[];
  readonly roles: readonly RunningRole[];
  readonly lifecycle: Lifecycle;
  readonly logger: Logger;
  readonly errorReporter: ErrorReporter;
  readonly drainDelayMs: number;
}

/** Readiness fails at once; after the drain delay, close listeners, pools and clients. */
async function stopServers(plan: StopPlan): Promise<void> {
  const { logger } = plan;
  plan.lifecycle.draining = true;
  logger.info('draining: readiness now fails, finishing in-flight requests');
  await new Promise((resolve) => setTimeout(resolve, plan.drainDelayMs));
  await Promise.all(plan.servers.map(closeServer));
  for (const { db } of plan.roles) await db?.close();
  for (const { redis } of plan.roles) {
    if (redis) await redis.quit().catch(() => redis.disconnect());
  }
  await plan.errorReporter.flush(2_000);
  logger.info('stopped');
}

/** Stop on SIGTERM/SIGINT, exiting before the grace period runs out in any case. */
function exitOnSignals(server: RunningServer, config: Config, logger: Logger): void {
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutdown requested');
    const deadline = setTimeout(() => {
      logger.error({ timeout_s: config.shutdownTimeoutSeconds }, 'shutdown timed out; exiting with requests still open');
      process.exit(1);
    }, config.shutdownTimeoutSeconds * 1000);
    deadline.unref();
    server.shutdown().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
  const logger = createLogger({ level: config.logLevel, role: config.role, version: config.version });
  if (config.rehearsalFault === 'crash') {
    // A release that cannot start: the pod never becomes ready (npm run rehearse).
    process.stderr.write('REHEARSAL_FAULT=crash: exiting at start\n');
    process.exit(1);
  }
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));

  if (config.webConcurrency > 1 && cluster.isPrimary) {
    await runPrimary(config, logger);
    return;
  }
  const server = await startServer(config, {
    logger,
    metricsServer: !cluster.isWorker,
    onRegistries: cluster.isWorker ? (registries) => AggregatorRegistry.setRegistries(registries) : undefined,
  });
  exitOnSignals(server, config, logger);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}

import cluster from 'node:cluster';
import { createServer, type RequestListener, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Redis } from 'ioredis';
import { systemClock, type Clock } from './clock';
import { ConfigError, loadConfig, type Config } from './config';
import { createApiApp } from './api/app';
import { requestContext } from './api/middleware/request-context';
import { RedisCache } from './db/cache';
import { openDatabase, type Database } from './db/database';
import { openRedis } from './db/redis';
import { createErrorReporter } from './observability/error-reporter';
import { createLogger, type Logger } from './observability/logger';
import { createMetrics } from './observability/metrics';
import type { Lifecycle } from './observability/health';

/** Ports of the two roles when one process runs both (`ROLE=all`, development only). */
export const DEV_PORTS = { api: 8000, web: 3000 } as const;
const DEV_SESSION_SECRET = 'development-only-session-secret-0123456789';

export interface RunningServer {
  /** Where each role listens, e.g. `{ api: 'http://127.0.0.1:8000' }`. */
  urls: { api?: string; web?: string; metrics?: string };
  lifecycle: Lifecycle;
  /** Drain and stop: readiness fails at once, in-flight requests finish, pools close. */
  shutdown(): Promise<void>;
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
}

async function listen(app: Koa | RequestListener, port: number, host: string): Promise<Server> {
  const server = createServer(typeof app === 'function' ? app : app.callback());
  // Longer than the gateway's idle timeout, so the gateway closes idle connections first.
  server.keepAliveTimeout = 65_000;
  server.listen(port, host);
  await once(server, 'listening');
  return server;
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // Keep-alive connections with no request in flight would hold close() open until
    // their idle timeout; close them now, and again as in-flight requests finish.
    const sweep = setInterval(() => server.closeIdleConnections(), 200);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** The web role, built by the web engineer's app/src/web/app.tsx when it is there. */
function loadWebApp(): typeof import('./web/app').createWebApp {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand: the api role never loads the web half
  return (require('./web/app') as typeof import('./web/app')).createWebApp;
}

export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger({ level: config.logLevel, role: config.role, version: config.version });
  const clock = opts.clock ?? systemClock;
  const host = opts.host ?? '0.0.0.0';
  const lifecycle: Lifecycle = { draining: false };
  const servers: Server[] = [];
  const registries: Registry[] = [];
  const urls: RunningServer['urls'] = {};
  let db: Database | undefined;
  let redis: Redis | undefined;

  // ROLE=all (development) runs both roles in one process: each logs under its own role.
  const loggerFor = (role: 'api' | 'web'): Logger =>
    config.role === 'all' ? createLogger({ level: config.logLevel, role, version: config.version }) : logger;
  const errorReporter = createErrorReporter({ dsn: config.sentryDsn, environment: config.appEnv, release: config.version, role: config.role });

  if (config.role === 'api' || config.role === 'all') {
    const apiLogger = loggerFor('api');
    if (!config.databaseUrl) throw new ConfigError(['DATABASE_URL: is required for the api role']);
    db = openDatabase({
      url: config.databaseUrl,
      readUrl: config.databaseReadUrl,
      poolSize: config.databasePoolSize,
      echo: config.databaseEcho,
      logger: apiLogger,
    });
    if (config.redisUrl) {
      redis = openRedis(config.redisUrl);
      // ioredis reconnects by itself; log instead of crashing on its 'error' events.
      redis.on('error', (err) => apiLogger.warn({ err: err.message }, 'redis unavailable'));
    }
    const metrics = createMetrics({ role: 'api' });
    registries.push(metrics.registry);
    const app = createApiApp({
      config,
      db,
      clock,
      logger: apiLogger,
      metrics,
      redis,
      cache: redis ? new RedisCache(redis) : undefined,
      lifecycle,
      errors: errorReporter,
    });
    const server = await listen(app, config.role === 'all' ? DEV_PORTS.api : config.port, host);
    servers.push(server);
    urls.api = urlOf(server);
  }

  if (config.role === 'web' || config.role === 'all') {
    const createWebApp = loadWebApp();
    const webLogger = loggerFor('web');
    const metrics = createMetrics({ role: 'web', defaultMetrics: config.role === 'web' });
    registries.push(metrics.registry);
    const secure = config.appEnv === 'staging' || config.appEnv === 'production';
    const app = createWebApp({
      apiUrl: config.role === 'all' ? urls.api! : config.apiUrl,
      sessionSecret: config.sessionSecret ?? DEV_SESSION_SECRET,
      secureCookies: secure,
      logger: webLogger,
      instrument: [requestContext(webLogger, metrics)],
      allowedHosts: config.allowedHosts,
      noIndex: config.appEnv === 'staging',
      isReady: () => !lifecycle.draining,
      trustProxy: config.trustProxy,
      errorReporter,
    });
    const server = await listen(app, config.role === 'all' ? DEV_PORTS.web : config.port, host);
    servers.push(server);
    urls.web = urlOf(server);
  }

  opts.onRegistries?.(registries);
  if (opts.metricsServer ?? true) {
    const metricsServer = await listen(
      ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
        if (req.url !== '/metrics') {
          res.writeHead(404).end();
          return;
        }
        // One registry per role; ROLE=all (dev only) shows both one after the other.
        // A failed collection answers 500 instead of an unhandled rejection ending the process.
        Promise.all(registries.map((r) => r.metrics())).then(
          (texts) => res.writeHead(200, { 'content-type': registries[0].contentType }).end(texts.join('\n')),
          () => res.writeHead(500).end(),
        );
      }) satisfies RequestListener,
      config.metricsPort,
      host,
    );
    servers.push(metricsServer);
    urls.metrics = urlOf(metricsServer);
  }

  logger.info({ urls, env: config.appEnv }, 'listening');
  // Written now, not with the next block: deploy tooling and people wait for this line.
  logger.flush();

  let stopping: Promise<void> | undefined;
  return {
    urls,
    lifecycle,
    shutdown() {
      stopping ??= (async () => {
        lifecycle.draining = true;
        logger.info('draining: readiness now fails, finishing in-flight requests');
        const drainDelayMs = opts.drainDelayMs ?? Math.min(5_000, config.shutdownTimeoutSeconds * 200);
        await new Promise((resolve) => setTimeout(resolve, drainDelayMs));
        await Promise.all(servers.map(closeServer));
        await db?.close();
        if (redis) await redis.quit().catch(() => redis?.disconnect());
        await errorReporter.flush(2_000);
        logger.info('stopped');
      })();
      return stopping;
    },
  };
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

/**
 * WEB_CONCURRENCY > 1 (a VM, not a pod): the primary forks workers that share the
 * port, serves their aggregated metrics, and passes SIGTERM on.
 */
async function runPrimary(config: Config, logger: Logger): Promise<void> {
  for (let i = 0; i < config.webConcurrency; i += 1) cluster.fork();
  const aggregator = new AggregatorRegistry();
  const metricsServer = await listen(
    ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      aggregator.clusterMetrics().then(
        (text) => res.writeHead(200, { 'content-type': aggregator.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    }) satisfies RequestListener,
    config.metricsPort,
    '0.0.0.0',
  );
  let stopping = false;
  cluster.on('exit', (worker, code) => {
    if (!stopping) {
      logger.error({ pid: worker.process.pid, code }, 'worker died; starting another');
      cluster.fork();
    } else if (Object.keys(cluster.workers ?? {}).length === 0) {
      metricsServer.close();
      process.exit(0);
    }
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(() => process.exit(1), config.shutdownTimeoutSeconds * 1000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
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

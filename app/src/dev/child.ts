import { parseArgs } from 'node:util';
import { systemClock } from '../clock';
import { loadConfig } from '../config';
import { ROLE_PORTS } from '../contract';
import { loadCourseContent } from '../domain/content-loader';
import { CONTENT_DIR, migrateAndLoad } from '../migrate';
import { createLogger } from '../observability/logger';
import { startServer } from '../server';
import { isMessage, type ChildMessage, type SupervisorMessage } from './protocol';

/**
 * One version of the app under `npm run dev`, started by the supervisor (app/src/dev.ts)
 * on free ports behind its fixed ones. Says `ready` once both roles listen, reloads the
 * course content when asked, and stops on SIGTERM like a pod.
 *
 *   tsx app/src/dev/child.ts [--content-dir DIR]
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'content-dir': { type: 'string' } } });
  const contentDir = values['content-dir'] ?? CONTENT_DIR;
  const send = (message: ChildMessage) => process.send?.(message);
  const config = loadConfig({
    APP_ENV: 'development',
    ROLE: 'all',
    DATABASE_URL: 'sqlite:./tmp/dev.sqlite',
    LOG_LEVEL: 'debug',
    DEBUG: 'true',
    // Behind the supervisor's fixed ports: two versions run side by side during a swap.
    METRICS_PORT: '0',
    // The browser sees the supervisor's fixed ports, never this child's.
    CORS_ORIGINS: `http://localhost:${ROLE_PORTS.web},http://127.0.0.1:${ROLE_PORTS.web}`,
    ...process.env,
  });
  const logger = createLogger({ level: config.logLevel, role: 'all', version: config.version });
  await migrateAndLoad(config.databaseUrl!, { logger, contentDir });
  const server = await startServer(config, { logger, host: '127.0.0.1', ports: { api: 0, web: 0 }, drainDelayMs: 0 });
  const api = server.api!;

  process.on('message', (message) => {
    if (!isMessage<SupervisorMessage>(message) || message.type !== 'reload-content') return;
    // loadCourseContent validates every file before it writes, in one transaction: a
    // broken file leaves the last good content in place.
    loadCourseContent(api.db, contentDir, systemClock).then(
      (report) => {
        api.stores.content.invalidate();
        send({ type: 'content-reloaded', chapters: report.added.length + report.updated.length + report.unchanged.length });
      },
      (err: Error) => send({ type: 'content-failed', error: err.message }),
    );
  });
  const stop = () => void server.shutdown().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // The supervisor going away (killed, crashed) takes this version with it.
  process.once('disconnect', stop);
  send({ type: 'ready', urls: { api: server.urls.api!, web: server.urls.web!, metrics: server.urls.metrics! } });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

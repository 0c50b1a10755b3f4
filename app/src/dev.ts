import { loadConfig } from './config';
import { ROLE_PORTS } from './contract';
import { migrateAndLoad } from './migrate';
import { createLogger } from './observability/logger';
import { startServer } from './server';

/**
 * `npm run dev`: everything on a laptop with no set-up. Migrates and loads the course
 * into an SQLite file, then serves the api on :8000 and the web pages on :3000 from one
 * process. Any variable already in the environment wins over these defaults.
 */
async function main(): Promise<void> {
  const env = {
    APP_ENV: 'development',
    ROLE: 'all',
    DATABASE_URL: 'sqlite:./tmp/dev.sqlite',
    LOG_LEVEL: 'debug',
    DEBUG: 'true',
    CORS_ORIGINS: `http://localhost:${ROLE_PORTS.web},http://127.0.0.1:${ROLE_PORTS.web}`,
    ...process.env,
  };
  const config = loadConfig(env);
  const logger = createLogger({ level: config.logLevel, role: 'all', version: config.version });
  const report = await migrateAndLoad(config.databaseUrl!, { logger });
  logger.info({ content: report }, 'database ready');
  const server = await startServer(config, { logger, host: '127.0.0.1' });
  logger.info(`api on ${server.urls.api}, web on ${server.urls.web}, metrics on ${server.urls.metrics}`);
  const stop = () => void server.shutdown().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

import path from 'node:path';
import { z } from 'zod';
import { systemClock } from './clock';
import { openDatabase, migrateLatest } from './db/database';
import { loadCourseContent } from './domain/content-loader';
import { createLogger } from './observability/logger';

/** Where the course lives, beside both app/src and app/build. */
export const CONTENT_DIR = path.resolve(__dirname, '../content');

// The migration Job needs only the database, not the api's secrets: parse just that.
const MigrateEnv = z.object({
  DATABASE_URL: z.string().regex(/^(postgres(ql)?:\/\/|sqlite:)/, 'must start with postgres://, postgresql:// or sqlite:'),
  DATABASE_ECHO: z.enum(['true', 'false', '1', '0', '']).optional(),
  LOG_LEVEL: z.string().optional(),
});

/** Bring the schema up to date, then load the course content (both idempotent). */
export async function migrateAndLoad(
  url: string,
  opts: { echo?: boolean; logger?: ReturnType<typeof createLogger>; contentDir?: string } = {},
) {
  const db = openDatabase({ url, echo: opts.echo, logger: opts.logger, poolSize: 2 });
  try {
    await migrateLatest(db);
    return await loadCourseContent(db, opts.contentDir ?? CONTENT_DIR, systemClock);
  } finally {
    await db.close();
  }
}

async function main(): Promise<void> {
  const parsed = MigrateEnv.safeParse(process.env);
  if (!parsed.success) {
    process.stderr.write(`Invalid configuration:\n${parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}\n`);
    process.exit(1);
  }
  const logger = createLogger({ level: (parsed.data.LOG_LEVEL ?? 'info').toLowerCase(), role: 'migrate' });
  const echo = ['true', '1'].includes(parsed.data.DATABASE_ECHO ?? '');
  const report = await migrateAndLoad(parsed.data.DATABASE_URL, { echo, logger });
  logger.info({ content: report }, 'schema migrated and course content loaded');
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`migrate failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

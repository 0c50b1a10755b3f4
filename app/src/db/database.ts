import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { migrationSource } from './migrations';

/**
 * The app's one way to reach its database. `write` is the primary; `read` is the
 * replica named by DATABASE_READ_URL, or the primary again when there is none, so
 * callers can always send read-only queries to `read` without asking which it is.
 */
export interface Database {
  write: Knex;
  read: Knex;
  kind: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

/** What openDatabase logs through: any pino-like logger. */
export interface DatabaseLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface OpenDatabaseOptions {
  /** `sqlite:<path>` or `postgres://…` / `postgresql://…`. */
  url: string;
  /** Optional read replica of the same kind. */
  readUrl?: string;
  /** Connections per pool (PostgreSQL); SQLite uses one connection. @default 10 */
  poolSize?: number;
  /** Log every SQL statement (never its bindings) at debug level. @default false */
  echo?: boolean;
  logger?: DatabaseLogger;
}

export function databaseKind(url: string): Database['kind'] {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgres';
  throw new Error(`Unsupported database URL scheme in "${url.split(':')[0]}:…"; use sqlite: or postgres://`);
}

function sqliteFilename(url: string): string {
  const filename = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  if (filename === '') throw new Error('sqlite: URL needs a file path, e.g. sqlite:./tmp/dev.sqlite');
  return filename;
}

/** knex's own messages (lost connections and the like) as JSON log lines, not console.log. */
function knexLog(logger: DatabaseLogger | undefined): Knex.Config['log'] {
  const warn = (message: unknown) => logger?.warn({ knex: String(message) }, 'database');
  return { warn, error: warn, deprecate: warn, debug: (message: unknown) => logger?.debug({ knex: message }, 'database') };
}

interface SqliteConnection {
  pragma(sql: string): unknown;
}

function connect(url: string, poolSize: number, logger?: DatabaseLogger): Knex {
  if (databaseKind(url) === 'sqlite') {
    const filename = sqliteFilename(url);
    if (filename !== ':memory:') mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
    return knex({
      client: 'better-sqlite3',
      connection: { filename },
      useNullAsDefault: true,
      log: knexLog(logger),
      // better-sqlite3 is synchronous: one connection serialises writes the way SQLite
      // wants them, and WAL lets readers in other processes proceed meanwhile.
      pool: {
        min: 1,
        max: 1,
        afterCreate: (conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) => {
          conn.pragma('journal_mode = WAL');
          conn.pragma('foreign_keys = ON');
          conn.pragma('busy_timeout = 5000');
          conn.pragma('synchronous = NORMAL');
          done(null, conn);
        },
      },
    });
  }
  return knex({
    client: 'pg',
    connection: url,
    log: knexLog(logger),
    pool: { min: 0, max: poolSize, idleTimeoutMillis: 30_000 },
    // Fail fast when the server is gone, so readiness answers 503 instead of hanging.
    acquireConnectionTimeout: 5_000,
  });
}

export function openDatabase(opts: OpenDatabaseOptions): Database {
  const kind = databaseKind(opts.url);
  const poolSize = opts.poolSize ?? 10;
  const write = connect(opts.url, poolSize, opts.logger);
  let read = write;
  if (opts.readUrl && opts.readUrl !== opts.url) {
    if (databaseKind(opts.readUrl) !== kind) throw new Error('DATABASE_READ_URL must be the same kind of database as DATABASE_URL');
    read = connect(opts.readUrl, poolSize, opts.logger);
  }
  if (opts.echo && opts.logger) {
    const logger = opts.logger;
    for (const [name, instance] of [
      ['write', write],
      ['read', read],
    ] as const) {
      if (name === 'read' && instance === write) continue;
      instance.on('query', (q: { sql: string }) => logger.debug({ db: name, sql: q.sql }, 'sql'));
    }
  }
  let closed = false;
  return {
    write,
    read,
    kind,
    async close() {
      if (closed) return;
      closed = true;
      await write.destroy();
      if (read !== write) await read.destroy();
    },
  };
}

/** One round trip to the primary: what readiness asks. */
export async function pingDatabase(db: Pick<Database, 'write'>): Promise<void> {
  await db.write.raw('select 1');
}

/** Bring the schema to the newest migration (expand-then-contract; safe to rerun). */
export async function migrateLatest(db: Database): Promise<void> {
  await db.write.migrate.latest({ migrationSource });
}

/** The current time as the schema stores it: an ISO-8601 string in UTC. */
export function isoTimestamp(date: Date): string {
  return date.toISOString();
}

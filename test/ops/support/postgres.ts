import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The shared PostgreSQL server of the machine; tests only ever create and drop their own databases on it. */
export const SERVER_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string, serverUrl = SERVER_URL): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** A fresh database with a random name; returns its URL and a function that drops it. */
export async function createDatabase(
  prefix: string,
  serverUrl = SERVER_URL,
): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withClient(serverUrl, (c) => c.query(`create database "${name}"`));
  return {
    name,
    url: databaseUrl(name, serverUrl),
    drop: () => withClient(serverUrl, (c) => c.query(`drop database if exists "${name}" with (force)`)).then(() => undefined),
  };
}

/** Row count and a content checksum for one table. */
export interface TableSnapshot {
  readonly rows: number;
  readonly checksum: string;
}

/**
 * Every user table of a database with its row count and an md5 over its rows in a stable
 * order, so two databases compare equal only when they hold the same data.
 */
export async function snapshotDatabase(url: string): Promise<Record<string, TableSnapshot>> {
  return withClient(url, async (client) => {
    const tables = await client.query<{ schemaname: string; tablename: string }>(
      `select schemaname, tablename from pg_tables
        where schemaname not in ('pg_catalog', 'information_schema') order by 1, 2`,
    );
    const snapshot: Record<string, TableSnapshot> = {};
    for (const { schemaname, tablename } of tables.rows) {
      const { rows } = await client.query<{ rows: number; checksum: string }>(
        `select count(*)::int as rows,
                coalesce(md5(string_agg(t::text, E'\\n' order by t::text)), 'empty') as checksum
           from "${schemaname}"."${tablename}" t`,
      );
      snapshot[`${schemaname}.${tablename}`] = rows[0];
    }
    return snapshot;
  });
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrateLatest, openDatabase, type Database } from '../../app/src/db/database';

/** Every database test runs on both engines: `describe.each(DATABASE_KINDS)(...)`. */
export const DATABASE_KINDS = ['sqlite', 'postgres'] as const;
export type DatabaseKind = (typeof DATABASE_KINDS)[number];

/** The shared test server; tests only ever create and drop their own databases on it. */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  db: Database;
  url: string;
  drop(): Promise<void>;
}

/** Runs one statement on the test server (or, with `adminUrl`, on one of its databases). */
export async function adminQuery(sql: string, adminUrl = POSTGRES_ADMIN_URL): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated, empty database (temp SQLite file or a randomly named PostgreSQL database). */
export async function createTestDatabase(kind: DatabaseKind, opts: { poolSize?: number } = {}): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'cc-test-'));
    const url = `sqlite:${path.join(dir, 'test.sqlite')}`;
    const db = openDatabase({ url });
    await migrateLatest(db);
    return {
      db,
      url,
      async drop() {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `cc_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const adminUrl = new URL(POSTGRES_ADMIN_URL);
  adminUrl.pathname = `/${name}`;
  const url = adminUrl.toString();
  const db = openDatabase({ url, poolSize: opts.poolSize ?? 5 });
  await migrateLatest(db);
  return {
    db,
    url,
    async drop() {
      await db.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

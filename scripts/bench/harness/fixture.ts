/**
 * What the HTTP suites set up before measuring: a fresh database with the course (a
 * SQLite file or a PostgreSQL database of its own on the shared server), a learner
 * signed up through the api, and the bytes a route answered, for the baselines.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { migrateAndLoad } from '../../../app/src/migrate';

export type DatabaseKind = 'sqlite' | 'postgres';
export const DATABASE_LABEL: Record<DatabaseKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A migrated database with the course loaded, dropped again by `drop()`. */
export async function createBenchDatabase(kind: DatabaseKind): Promise<BenchDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'cc-bench-'));
    const url = `sqlite:${path.join(dir, 'bench.sqlite')}`;
    await migrateAndLoad(url);
    return { url, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `cc_bench_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  await migrateAndLoad(url.toString());
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export interface Session {
  readonly access_token: string;
  readonly refresh_token: string;
}

/** A new learner (free tier), signed up through the api as the sign-up page does. */
export async function signUp(apiUrl: string): Promise<Session> {
  const res = await fetch(`${apiUrl}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `bench-${randomBytes(6).toString('hex')}@example.com`, password: 'bench password 123' }),
  });
  if (res.status !== 201) throw new Error(`sign up answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Session;
}

/** A scratch directory for the bytes the baselines serve; removed by the returned function. */
export function scratch(): { file(name: string, bytes: Buffer | string): string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cc-bench-bytes-'));
  return {
    file(name, bytes) {
      const file = path.join(dir, name);
      writeFileSync(file, bytes);
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

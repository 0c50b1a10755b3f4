/**
 * What the HTTP suites set up before measuring: a fresh database with the course (a
 * SQLite file or a PostgreSQL database of its own on the shared server), learners
 * signed up through the api (with the link it mails), and the bytes a route answered,
 * for the baselines.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { migrateAndLoad } from '../../../app/src/migrate';
import { signUpByMail, TestSmtpServer } from '../../../test/support/smtp';
import { startApi, type ServerProcess } from './processes';

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

/** Sign-ups the api allows one client address a minute (its auth rate limit is 10). */
const SIGN_UPS_PER_ADDRESS = 8;

/** The api role with an SMTP receiver of its own (SMTP_URL), so sign-ups finish with the mailed link. */
export interface MailingApi extends ServerProcess {
  readonly mail: TestSmtpServer;
}

/** The api role from the build, on `databaseUrl`, mailing to a local receiver that `stop()` closes too. */
export async function startMailingApi(databaseUrl: string): Promise<MailingApi> {
  const mail = await TestSmtpServer.start();
  try {
    const api = await startApi(databaseUrl, { SMTP_URL: mail.url });
    return {
      ...api,
      mail,
      async stop() {
        await api.stop();
        await mail.close();
      },
    };
  } catch (error) {
    await mail.close();
    throw error;
  }
}

function postFrom(url: string, localAddress: string, body: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Register, take the link from the mail, finish, every request from `localAddress`. */
function signUpFrom(api: MailingApi, localAddress: string, index: number): Promise<Session> {
  const account = { email: `bench-${index}-${randomBytes(6).toString('hex')}@example.com`, password: 'bench password 123' };
  return signUpByMail<Session>(api.url, api.mail, account, (url, body) => postFrom(url, localAddress, body));
}

/**
 * `count` learners signed up through the api. The api limits sign-ups per client
 * address, so they come from several loopback addresses (127.0.0.2, 127.0.0.3, …; all
 * of 127.0.0.0/8 is this machine), as that many people would from their own.
 */
export async function signUpMany(api: MailingApi, count: number): Promise<Session[]> {
  const sessions: Session[] = [];
  for (let i = 0; i < count; i += 1) sessions.push(await signUpFrom(api, `127.0.0.${2 + Math.floor(i / SIGN_UPS_PER_ADDRESS)}`, i));
  return sessions;
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

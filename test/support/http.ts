import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FixedClock } from '../../app/src/clock';
import { loadConfig, type Config } from '../../app/src/config';
import { createApiApp, type ApiDeps } from '../../app/src/api/app';
import type { Database } from '../../app/src/db/database';
import { createLogger } from '../../app/src/observability/logger';
import { createMetrics } from '../../app/src/observability/metrics';
import type { Session } from '../../app/src/domain/accounts';
import type { Tier } from '../../app/src/domain/tiers';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './databases';
import { signupTokenIn, TestMailbox } from './mailbox';

export const TEST_SECRET_KEY = 'test-secret-key-that-is-long-enough-0123456789';
export const TEST_ADMIN_TOKEN = 'test-admin-token-that-is-long-enough-0123456789';
export const TEST_SCRYPT_COST = { N: 2 ** 12, r: 8, p: 1 } as const;
export const TEST_WEBHOOK_SECRET = 'whsec_test_webhook_secret_0123456789';
/** The Stripe settings every test api gets; tests that call Stripe point `api` at a FakeStripe. */
export const TEST_STRIPE_ENV = {
  STRIPE_SECRET_KEY: 'sk_test_course_companion_0123456789',
  STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
  STRIPE_PRICE_PREMIUM: 'price_premium_test',
  STRIPE_PRICE_PRO: 'price_pro_test',
  STRIPE_PRICE_TEAM: 'price_team_test',
  PUBLIC_WEB_URL: 'http://web.test',
};

/** A valid test configuration; `overrides` replace parsed fields. */
export function testConfig(overrides: Partial<Config> = {}, env: NodeJS.ProcessEnv = {}): Config {
  const base = loadConfig({
    APP_ENV: 'test',
    ROLE: 'api',
    LOG_LEVEL: 'silent',
    DATABASE_URL: 'sqlite::memory:',
    SECRET_KEY: TEST_SECRET_KEY,
    ADMIN_API_TOKEN: TEST_ADMIN_TOKEN,
    ...TEST_STRIPE_ENV,
    ...env,
  });
  // Tests sign up many learners from 127.0.0.1; the rate-limit test sets its own limit.
  // scrypt at the OWASP cost takes ~100+ ms a hash: suites set a cheap cost explicitly
  // (the default stays OWASP's; test/app/passwords.test.ts checks it).
  return { ...base, authRateLimit: { points: 100_000, durationSeconds: 60 }, passwordHashCost: TEST_SCRYPT_COST, ...overrides };
}

export interface TestApi {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  db: Database;
  deps: ApiDeps;
  clock: FixedClock;
  /** Every mail the api sent (also passed on to `deps.mailer` when a test gives one). */
  mailbox: TestMailbox;
  /** fetch relative to the api, JSON in and out. */
  request(method: string, path: string, opts?: { body?: unknown; token?: string; headers?: Record<string, string> }): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export interface StartApiOptions {
  config?: Partial<Config>;
  clock?: FixedClock;
  /** Reuse an existing database instead of creating one (it is then not dropped). */
  database?: TestDatabase;
  deps?: Partial<ApiDeps>;
}

export async function listen(app: {
  callback(): Parameters<typeof import('node:http').createServer>[1];
}): Promise<{ server: Server; url: string }> {
  const { createServer } = await import('node:http');
  const server = createServer(app.callback());
  // Outlive the client's idle sockets, or a reused keep-alive socket may be reset mid-request.
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

/** Start the api on an ephemeral port over a fresh database of `kind`. */
export async function startApi(kind: DatabaseKind, opts: StartApiOptions = {}): Promise<TestApi> {
  const database = opts.database ?? (await createTestDatabase(kind));
  const clock = opts.clock ?? new FixedClock(new Date());
  const mailbox = new TestMailbox(opts.deps?.mailer);
  const deps: ApiDeps = {
    config: testConfig(opts.config),
    db: database.db,
    clock,
    logger: createLogger({ level: 'silent', role: 'api' }),
    metrics: createMetrics({ role: 'api', defaultMetrics: false }),
    ...opts.deps,
    mailer: mailbox,
  };
  const { server, url } = await listen(createApiApp(deps));
  return {
    url,
    db: database.db,
    deps,
    clock,
    mailbox,
    request: (method, path, o = {}) => request(url, method, path, o),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!opts.database) await database.drop();
    },
  };
}

export async function request(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<TestResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

let counter = 0;

/**
 * Sign a new learner up as one would: register, take the link from the mail, finish.
 * Returns the session (tokens and user) that finishing answers.
 */
export async function signUp(
  api: Pick<TestApi, 'request' | 'mailbox'>,
  overrides: { email?: string; password?: string; name?: string; timezone?: string } = {},
): Promise<Session & { password: string }> {
  counter += 1;
  const password = overrides.password ?? 'correct horse battery staple';
  const body = {
    email: overrides.email ?? `learner${counter}-${Math.random().toString(36).slice(2, 8)}@example.com`,
    password,
    ...(overrides.name !== undefined ? { name: overrides.name } : {}),
    ...(overrides.timezone !== undefined ? { timezone: overrides.timezone } : {}),
  };
  const mails = api.mailbox.to(body.email).length;
  const res = await api.request('POST', '/api/v1/auth/register', { body });
  if (res.status !== 202) throw new Error(`sign-up failed: ${res.status} ${res.text}`);
  const token = signupTokenIn((await api.mailbox.latestTo(body.email, mails + 1)).text);
  const done = await api.request('POST', '/api/v1/auth/register/confirm', { body: { token } });
  if (done.status !== 201) throw new Error(`finishing sign-up failed: ${done.status} ${done.text}`);
  return { ...(done.body as Session), password };
}

/** Change a learner's tier directly in the database (a test's stand-in for the admin path). */
export async function setTier(db: Database, userId: string, tier: Tier): Promise<void> {
  await db.write('users').where({ id: userId }).update({ tier });
}

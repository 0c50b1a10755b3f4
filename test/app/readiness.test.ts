import { migrateLatest, openDatabase, type Database } from '../../app/src/db/database';
import { PrivatePostgres } from '../support/private-postgres';
import { startApi, type TestApi } from '../support/http';

/** Ask until the answer is the one expected; the database restarts on its own schedule. */
async function until(check: () => Promise<boolean>, attempts = 120): Promise<void> {
  for (let i = 0; i < attempts; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('condition never became true');
}

describe('readiness when the database goes away and comes back', () => {
  let pg: PrivatePostgres;
  let db: Database;
  let api: TestApi;

  beforeAll(async () => {
    pg = await PrivatePostgres.create();
    db = openDatabase({ url: pg.url, poolSize: 3 });
    await migrateLatest(db);
    api = await startApi('postgres', {
      database: { db, url: pg.url, drop: async () => undefined },
      config: { readinessTimeoutMs: 1500 },
    });
  }, 180_000);

  afterAll(async () => {
    await api?.close();
    await db?.close();
    await pg?.destroy();
  });

  const metric = async () => {
    const text = await api.deps.metrics.registry.metrics();
    return /course_db_up\{role="api"\} (\d)/.exec(text)?.[1];
  };

  it('is ready while the database answers', async () => {
    expect((await api.request('GET', '/readyz')).status).toBe(200);
    expect(await metric()).toBe('1');
  });

  it('answers 503 while the database is stopped, keeps living, and recovers when it is back', async () => {
    await pg.stop();

    const ready = await api.request('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.database.status).toBe('fail');
    const health = await api.request('GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body.status).toBe('unavailable');
    expect(health.text).not.toContain(String(pg.port));
    expect(await metric()).toBe('0');
    // The process is alive and answers JSON errors rather than crashing.
    expect((await api.request('GET', '/livez')).status).toBe(200);
    const signIn = await api.request('POST', '/api/v1/auth/login', { body: { email: 'a@example.com', password: 'whatever12345' } });
    expect(signIn.status).toBeGreaterThanOrEqual(500);
    expect(signIn.body.code).toMatch(/internal|unavailable/);

    await pg.start();
    await until(async () => (await api.request('GET', '/readyz')).status === 200);
    expect(await metric()).toBe('1');
    expect((await api.request('GET', '/api/v1/plans')).status).toBe(200);
  }, 240_000);
});

describe('/health with Redis unreachable', () => {
  it('reports degraded with 200, not a failure', async () => {
    const { openRedis } = await import('../../app/src/db/redis');
    const { freePort } = await import('../support/private-postgres');
    const redis = openRedis(`redis://127.0.0.1:${await freePort()}`);
    redis.on('error', () => undefined);
    const api = await startApi('sqlite', { deps: { redis }, config: { readinessTimeoutMs: 1000 } });
    try {
      const res = await api.request('GET', '/health');
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('degraded');
      expect(res.body.checks.redis.status).toBe('fail');
      expect(res.body.checks.database).toMatchObject({ status: 'ok', response_time_ms: expect.any(Number) });
      expect((await api.request('GET', '/readyz')).status).toBe(200);
    } finally {
      await api.close();
      redis.disconnect();
    }
  });
});

import { loadConfig } from '../../app/src/config';
import { problemsOf } from '../support/config';
import { REHEARSAL_LATENCY_MS } from '../../app/src/api/middleware/rehearsal-fault';
import { startApi, TEST_SECRET_KEY, type TestApi } from '../support/http';
import { spawnApiServer } from '../support/server-process';

const KEY = 'k'.repeat(40);

describe('REHEARSAL_FAULT, the canary fault npm run rehearse injects', () => {
  it('is accepted in development and test', () => {
    expect(loadConfig({ REHEARSAL_FAULT: 'errors' }).rehearsalFault).toBe('errors');
    expect(
      loadConfig({ APP_ENV: 'test', SECRET_KEY: KEY, DATABASE_URL: 'sqlite::memory:', REHEARSAL_FAULT: 'latency' }).rehearsalFault,
    ).toBe('latency');
    expect(loadConfig({}).rehearsalFault).toBeUndefined();
  });

  it.each(['staging', 'production'])('is refused with APP_ENV=%s, naming the variable', (appEnv) => {
    const problems = problemsOf({
      APP_ENV: appEnv,
      DATABASE_URL: 'postgres://app@db:5432/course',
      SECRET_KEY: KEY,
      ALLOWED_HOSTS: 'api.example.com',
      SMTP_URL: 'smtp://mail.example.com:587',
      CLIENT_ADDRESS_SECRET: KEY,
      REHEARSAL_FAULT: 'errors',
    });
    expect(problems).toEqual([expect.stringMatching(/^REHEARSAL_FAULT: .*refused/)]);
  });

  it('is refused by the image, which sets NODE_ENV=production', () => {
    expect(
      problemsOf({ APP_ENV: 'test', SECRET_KEY: KEY, DATABASE_URL: 'sqlite::memory:', NODE_ENV: 'production', REHEARSAL_FAULT: 'crash' }),
    ).toEqual([expect.stringMatching(/^REHEARSAL_FAULT: .*NODE_ENV=production/)]);
  });

  it('refuses an unknown fault', () => {
    expect(problemsOf({ REHEARSAL_FAULT: 'slow' })).toEqual([expect.stringMatching(/^REHEARSAL_FAULT: /)]);
  });

  describe('errors', () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startApi('sqlite', { config: { rehearsalFault: 'errors' } });
    });
    afterAll(() => api?.close());

    it('answers every request with a 500, counted under its route', async () => {
      const res = await api.request('GET', '/api/v1/plans');
      expect(res.status).toBe(500);
      expect(res.body.code).toBe('rehearsal_fault');
      const metrics = await api.deps.metrics.registry.getSingleMetricAsString('http_requests_total');
      expect(metrics).toMatch(/route="\/api\/v1\/plans",status="500"/);
    });

    it('keeps the probes answering, so the pod stays ready', async () => {
      expect((await api.request('GET', '/livez')).status).toBe(200);
      expect((await api.request('GET', '/readyz')).status).toBe(200);
    });
  });

  describe('latency', () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startApi('sqlite', { config: { rehearsalFault: 'latency' } });
    });
    afterAll(() => api?.close());

    it('holds every request but the probes', async () => {
      let started = Date.now();
      expect((await api.request('GET', '/api/v1/plans')).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(REHEARSAL_LATENCY_MS - 50);
      started = Date.now();
      expect((await api.request('GET', '/readyz')).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(REHEARSAL_LATENCY_MS / 2);
    });
  });

  it('crash: the server exits at start, before listening', async () => {
    await expect(
      spawnApiServer({ DATABASE_URL: 'sqlite::memory:', SECRET_KEY: TEST_SECRET_KEY, REHEARSAL_FAULT: 'crash' }),
    ).rejects.toThrow(/server exited early \(1\).*REHEARSAL_FAULT=crash/s);
  });
});

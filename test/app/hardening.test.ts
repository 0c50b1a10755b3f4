import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { DATABASE_KINDS } from '../support/databases';
import { signUp, startApi, type TestApi } from '../support/http';
import { createLogger } from '../../app/src/observability/logger';

// 10,000 in all: most on SQLite, a share on PostgreSQL to prove the same on the other engine.
const RUNS = { sqlite: 8_000, postgres: 2_000 } as const;

/** fetch() may not set Host (a forbidden header), so this one goes through node:http. */
function withHost(path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(api.url + path, { headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let api: TestApi;

describe.each(DATABASE_KINDS)('HTTP hardening on %s', (kind) => {
  let logLines: string[];
  beforeAll(async () => {
    logLines = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    api = await startApi(kind, {
      config: { corsOrigins: ['https://learn.example.com'], allowedHosts: ['127.0.0.1', 'api.example.com'] },
      deps: { logger: createLogger({ level: 'info', role: 'api' }, sink) },
    });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('sends the security headers on every answer, errors included', async () => {
    for (const path of ['/api/v1/plans', '/api/v1/nothing-here', '/api/v1/me']) {
      const res = await api.request('GET', path);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.headers.get('x-request-id')).toBeTruthy();
    }
  });

  it('answers CORS for a listed origin only', async () => {
    const listed = await api.request('OPTIONS', '/api/v1/plans', {
      headers: { origin: 'https://learn.example.com', 'access-control-request-method': 'GET' },
    });
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://learn.example.com');
    const other = await api.request('GET', '/api/v1/plans', { headers: { origin: 'https://evil.example.net' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a Host not in ALLOWED_HOSTS, but still answers the probes', async () => {
    const evil = await withHost('/api/v1/plans', 'evil.example.net');
    expect(evil.status).toBe(400);
    expect(JSON.parse(evil.body).code).toBe('bad_request');
    expect((await withHost('/livez', '10.1.2.3:8000')).status).toBe(200);
    expect((await withHost('/api/v1/plans', 'api.example.com')).status).toBe(200);
  });

  it('refuses a body over the limit with 413 payload_too_large', async () => {
    const res = await api.request('POST', '/api/v1/auth/login', {
      body: JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(200_000) }),
    });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('payload_too_large');
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await api.request('POST', '/api/v1/auth/login', { body: '{"email": ' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('bad_request');
  });

  it('answers an internal failure with a bare 500: no stack, no SQL', async () => {
    const s = await signUp(api);
    // Break the schema under the running app: the next query fails inside knex.
    await api.db.write.schema.renameTable('audit_events', 'audit_events_gone');
    try {
      const res = await api.request('GET', '/api/v1/me/export', { token: s.access_token });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ code: 'internal', message: expect.any(String) });
      expect(res.text).not.toMatch(/audit_events|at .*\.ts|Error:|select|insert/i);
    } finally {
      await api.db.write.schema.renameTable('audit_events_gone', 'audit_events');
    }
  });

  it('never writes a password, token or authorization header to the log', async () => {
    const s = await signUp(api, { password: 'a very secret passphrase' });
    await api.request('POST', '/api/v1/auth/login', { body: { email: s.user.email, password: 'a very secret passphrase' } });
    await api.request('GET', '/api/v1/me', { token: s.access_token, headers: { cookie: 'session=secret-cookie-value' } });
    const log = logLines.join('');
    expect(log).toContain('"route":"/api/v1/me"');
    for (const secret of ['a very secret passphrase', s.access_token, s.refresh_token, 'secret-cookie-value']) {
      expect(log).not.toContain(secret);
    }
  });

  it('writes one access line per request holding only its fixed fields (it is the one line not redacted)', async () => {
    const s = await signUp(api);
    logLines.length = 0;
    await api.request('GET', '/api/v1/me', { token: s.access_token, headers: { 'x-request-id': 'trace-0123456789' } });
    const lines = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
    expect(lines).toHaveLength(1);
    expect(Object.keys(lines[0]).sort()).toEqual(
      ['duration_ms', 'level', 'method', 'msg', 'path', 'request_id', 'role', 'route', 'status', 'time', 'user_id'].sort(),
    );
    expect(lines[0]).toMatchObject({ request_id: 'trace-0123456789', route: '/api/v1/me', status: 200, user_id: s.user.id });
  });

  it('rejects 10,000 generated bad bodies and paths with a 4xx JSON error, never a 5xx', async () => {
    const token = (await signUp(api)).access_token;
    const routes = [
      ['POST', '/api/v1/auth/register'],
      ['POST', '/api/v1/auth/register/confirm'],
      ['POST', '/api/v1/auth/login'],
      ['POST', '/api/v1/auth/refresh'],
      ['POST', '/api/v1/auth/logout'],
      ['PATCH', '/api/v1/me'],
      ['POST', '/api/v1/admin/users/x/tier'],
      ['POST', '/api/v1/webhooks/payments'],
      ['POST', '/api/v1/chapters/1/quiz/attempts'],
      ['PUT', '/api/v1/progress/position'],
      ['POST', '/api/v1/progress/views'],
      ['POST', '/api/v1/chapters/1/complete'],
    ] as const;
    const jsonish = fc.oneof(
      fc.json(),
      fc.string(),
      fc
        .jsonValue()
        .map((v) => JSON.stringify({ email: v, password: v, refresh_token: v, token: v, tier: v, name: v, timezone: v, answers: v })),
    );
    const badBody = fc.record({ route: fc.constantFrom(...routes), body: jsonish, auth: fc.boolean() });
    const pathSegment = fc.oneof(
      fc.string({ minLength: 1, maxLength: 12 }).map(encodeURIComponent),
      fc.constantFrom('%', '%E0%A4%A', '..', '%2e%2e', '%00', '-1', '1e9', '99999999999999999999', 'NaN', '0x10'),
    );
    const badPath = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
      path: fc
        .array(pathSegment, { minLength: 1, maxLength: 4 })
        .chain((segs) => fc.constantFrom('/api/v1/', '/api/v1/chapters/', '/api/v1/me/', '/').map((p) => p + segs.join('/'))),
      auth: fc.boolean(),
    });
    const sample = fc.oneof(
      badBody.map((b) => ({ method: b.route[0], path: b.route[1], body: b.body, auth: b.auth })),
      badPath.map((p) => ({ ...p, body: undefined as string | undefined })),
    );
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(sample, async ({ method, path, body, auth }) => {
        const res = await fetch(api.url + path, {
          method,
          headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${token}` } : {}) },
          body: method === 'GET' ? undefined : body,
        });
        const text = await res.text();
        if (res.status >= 500) throw new Error(`${method} ${path} ${body?.slice(0, 80)} → ${res.status} ${text}`);
        if (res.status < 400) {
          // Now and then a generated input is valid (a path "1", an empty PATCH /me).
          accepted += 1;
          return;
        }
        const parsed = JSON.parse(text);
        if (typeof parsed.code !== 'string' || typeof parsed.message !== 'string') throw new Error(`no error body: ${text}`);
      }),
      { numRuns: RUNS[kind] },
    );
    expect(accepted).toBeLessThan(RUNS[kind] * 0.02);
  }, 600_000);
});

describe('rate limit on sign-in and registration', () => {
  beforeAll(async () => {
    api = await startApi('sqlite', { config: { authRateLimit: { points: 3, durationSeconds: 60 } } });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers 429 rate_limited with Retry-After once the attempts are spent', async () => {
    const attempt = () => api.request('POST', '/api/v1/auth/login', { body: { email: 'x@example.com', password: 'wrong password' } });
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await attempt()).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await attempt();
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

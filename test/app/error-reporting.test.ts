import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createErrorReporter, scrubSecrets, type ErrorReporter } from '../../app/src/observability/error-reporter';
import { startApi, type TestApi } from '../support/http';

/** A stand-in for Sentry's ingest endpoint on 127.0.0.1: keeps every envelope posted to it. */
async function fakeSentry(): Promise<{ server: Server; dsn: string; envelopes: { url: string; body: string }[] }> {
  const envelopes: { url: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      envelopes.push({ url: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, dsn: `http://publickey123@127.0.0.1:${port}/42`, envelopes };
}

describe('unexpected errors reach Sentry when SENTRY_DSN is set', () => {
  let sentry: Awaited<ReturnType<typeof fakeSentry>>;
  let reporter: ErrorReporter;
  let api: TestApi;

  beforeAll(async () => {
    sentry = await fakeSentry();
    reporter = createErrorReporter({ dsn: sentry.dsn, environment: 'test', release: '1.2.3', role: 'api' });
    api = await startApi('sqlite', { deps: { errors: reporter } });
  });
  afterAll(async () => {
    await api?.close();
    sentry?.server.close();
  });

  it('reports a 500 with its request id and route, and never the password that was sent', async () => {
    // A closed database turns sign-in into an unexpected failure: a real 500.
    await api.db.close();
    const res = await api.request('POST', '/api/v1/auth/login', {
      body: { email: 'someone@example.com', password: 'the learner password 123' },
      headers: { 'x-request-id': 'req-sentry-test-1' },
    });
    expect(res.status).toBe(500);
    expect(res.text).not.toMatch(/at \w+ \(|knex|sqlite/i);
    await reporter.flush(5_000);

    expect(sentry.envelopes).toHaveLength(1);
    const [envelope] = sentry.envelopes;
    expect(envelope.url).toMatch(/^\/api\/42\/envelope\/\?.*sentry_key=publickey123/);
    const event = JSON.parse(envelope.body.split('\n')[2]);
    expect(event).toMatchObject({
      environment: 'test',
      release: '1.2.3',
      tags: { role: 'api', method: 'POST', route: '/api/v1/auth/login', request_id: 'req-sentry-test-1' },
    });
    expect(event.exception.values[0].stacktrace.frames.length).toBeGreaterThan(0);
    expect(envelope.body).not.toContain('the learner password 123');
  });

  it('does not report what the client got wrong (4xx)', async () => {
    const before = sentry.envelopes.length;
    const res = await api.request('POST', '/api/v1/auth/login', { body: { email: 'not an email' } });
    expect(res.status).toBe(400);
    await reporter.flush(2_000);
    expect(sentry.envelopes).toHaveLength(before);
  });
});

describe('scrubSecrets', () => {
  it('replaces secret-looking values at any depth and keeps the rest', () => {
    expect(
      scrubSecrets({
        request: { headers: { Authorization: 'Bearer x', Cookie: 'a=b', 'user-agent': 'ua' } },
        extra: [{ password: 'p', note: 'n' }],
      }),
    ).toEqual({
      request: { headers: { Authorization: '[redacted]', Cookie: '[redacted]', 'user-agent': 'ua' } },
      extra: [{ password: '[redacted]', note: 'n' }],
    });
  });
});

describe('without SENTRY_DSN', () => {
  it('reports nothing and needs nothing', async () => {
    const reporter = createErrorReporter({ environment: 'test', release: '1', role: 'api' });
    expect(() => reporter.capture(new Error('x'), {})).not.toThrow();
    await expect(reporter.flush(10)).resolves.toBeUndefined();
  });
});

import { connect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { startApi, type TestApi } from '../support/http';
import { listen as listenServer, closeServer } from '../../app/src/listen';
import { clientAddressHeaders } from '../../app/src/client-address';

const SECRET = 'client-address-secret-for-tests-0123456789';

/** Issue 15: who a request is counted as, which hosts it may name, how long it may dawdle. */
describe('client address, forwarded headers and timeouts', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi('sqlite', {
      config: {
        authRateLimit: { points: 3, durationSeconds: 60 },
        clientAddressSecret: SECRET,
        // The gateway lives elsewhere: this test's client is a direct one.
        trustedProxies: ['10.0.0.0/8'],
        allowedHosts: ['api.example.com', '127.0.0.1'],
      },
    });
  });
  afterAll(async () => {
    await api?.close();
  });

  const attempt = (headers: Record<string, string>) =>
    api.request('POST', '/api/v1/auth/login', { body: { email: 'x@example.com', password: 'wrong password' }, headers });

  it("keeps limiting a direct client that rotates X-Forwarded-For or forges the web role's header", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push(
        (
          await attempt({
            'x-forwarded-for': `203.0.113.${i}`,
            'x-client-address': `198.51.100.${i}`,
            'x-client-address-signature': 'forged',
          })
        ).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it('counts a request signed by the web role under the visitor it names', async () => {
    const res = await attempt(clientAddressHeaders(SECRET, '192.0.2.44'));
    expect(res.status).toBe(401);
    const otherSecret = await attempt(clientAddressHeaders('another-secret-another-secret-0123', '192.0.2.45'));
    expect(otherSecret.status).toBe(429);
  });

  it('refuses a Host outside ALLOWED_HOSTS even with an allowed X-Forwarded-Host', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${api.url}/api/v1/course`,
        { headers: { host: 'evil.example', 'x-forwarded-host': 'api.example.com' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
  });

  it('closes a connection whose headers do not arrive in time', async () => {
    const server = await listenServer((_req, res) => res.end('ok'), 0, '127.0.0.1', {
      headersTimeoutMs: 300,
      requestTimeoutMs: 600,
      connectionsCheckingIntervalMs: 100,
    });
    try {
      const { port } = server.address() as { port: number };
      const socket = connect(port, '127.0.0.1');
      const started = Date.now();
      socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
      const answer = await new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (d) => (text += String(d)));
        socket.on('close', () => resolve(text));
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await closeServer(server);
    }
  });

  it('sets tight defaults for the servers both roles run', async () => {
    const server = await listenServer((_req, res) => res.end('ok'), 0, '127.0.0.1');
    try {
      expect(server.headersTimeout).toBeLessThanOrEqual(10_000);
      expect(server.requestTimeout).toBeLessThanOrEqual(30_000);
    } finally {
      await closeServer(server);
    }
  });
});

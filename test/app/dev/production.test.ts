/**
 * The reload script and its event stream belong to `npm run dev`'s supervisor only
 * (issue 17, item 1): the web role as production runs it has neither.
 */
import { loadConfig } from '../../../app/src/config';
import { createLogger } from '../../../app/src/observability/logger';
import { startServer, type RunningServer } from '../../../app/src/server';

describe('the production web role', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const config = loadConfig({
      APP_ENV: 'production',
      ROLE: 'web',
      PORT: '0',
      METRICS_PORT: '0',
      ALLOWED_HOSTS: '127.0.0.1',
      SESSION_SECRET: 'production-like-session-secret-0123456789',
      CLIENT_ADDRESS_SECRET: 'production-like-client-address-secret-0123',
      // Nothing listens here: the pages tested need no api.
      API_URL: 'http://127.0.0.1:1',
    });
    server = await startServer(config, { logger: createLogger({ level: 'silent', role: 'web' }), host: '127.0.0.1', drainDelayMs: 0 });
  });
  afterAll(() => server?.shutdown());

  it('serves no reload script and no event stream', async () => {
    for (const path of ['/__dev/reload.js', '/__dev/events']) {
      const res = await fetch(`${server.urls.web}${path}`);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.headers.get('content-type')).not.toMatch(/javascript|event-stream/);
    }
  });

  it('sends pages without the reload script', async () => {
    const page = await (await fetch(`${server.urls.web}/signin`)).text();
    expect(page).toContain('<script src="/assets/app.');
    expect(page).not.toContain('__dev');
    expect(page).not.toContain('EventSource');
  });
});

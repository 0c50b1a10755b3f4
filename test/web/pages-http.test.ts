import { CookieClient, startWeb, type TestWeb } from './support';

describe('web role with the api unreachable', () => {
  let web: TestWeb;
  beforeAll(async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    web = await startWeb('http://127.0.0.1:1');
  });
  afterAll(async () => web?.close());

  it('shows a clear "api is down" page, never a stack trace', async () => {
    const browser = new CookieClient(web.url);
    browser.cookies.set('cc_access', 'some-token');
    const res = await browser.get('/progress');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(res.text).toContain('We cannot reach the course service right now');
    expect(res.text).not.toMatch(/ECONNREFUSED|at .*\.ts:\d+/);
  });

  it('still serves the public pages that need no api', async () => {
    const res = await new CookieClient(web.url).get('/signin');
    expect(res.status).toBe(200);
  });

  it('answers 404 with a page for unknown paths', async () => {
    const res = await new CookieClient(web.url).get('/no/such/page');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Page not found');
  });

  it('sends security headers with a per-response script nonce that the page uses', async () => {
    const res = await new CookieClient(web.url).get('/signin');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(res.text).toContain(`nonce="${nonce}"`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const again = await new CookieClient(web.url).get('/signin');
    expect(again.headers.get('content-security-policy')).not.toBe(csp);
  });

  it('serves fingerprinted assets compressed, cached for a year', async () => {
    const page = await new CookieClient(web.url).get('/signin');
    const cssUrl = /href="(\/assets\/app\.[0-9a-f]{12}\.css)"/.exec(page.text)?.[1];
    expect(cssUrl).toBeTruthy();
    const res = await fetch(web.url + cssUrl, { headers: { 'accept-encoding': 'br' } });
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-encoding')).toBe('br');
    // fetch decodes brotli itself; the body is the stylesheet.
    const css = await res.text();
    expect(css).toContain('prefers-color-scheme: dark');
    const missing = await fetch(`${web.url}/assets/app.000000000000.css`);
    expect(missing.status).toBe(404);
  });

  it('reports the api as degraded on /health but stays live and ready', async () => {
    const health = await fetch(`${web.url}/health`);
    expect(await health.json()).toMatchObject({ status: 'degraded', checks: { api: { status: 'down' } } });
    expect((await fetch(`${web.url}/livez`)).status).toBe(200);
    expect((await fetch(`${web.url}/readyz`)).status).toBe(200);
  });
});

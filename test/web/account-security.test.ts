import { Writable } from 'node:stream';
import { startApi, type TestApi } from '../support/http';
import { createLogger } from '../../app/src/observability/logger';
import { CookieClient, signUpOnWeb, startWeb, type TestWeb } from './support';

const PASSWORD = 'correct horse battery staple';
const SECRET = 'client-address-secret-for-tests-0123456789';
let seq = 0;
const newEmail = () => `web-security-${Date.now()}-${(seq += 1)}@example.com`;

/** Issue 15, through the web role: per-visitor limits, refresh sharing, the log. */
describe('account security through the web role (SQLite)', () => {
  let api: TestApi;
  let web: TestWeb;
  const logLines: string[] = [];

  beforeAll(async () => {
    api = await startApi('sqlite', { config: { authRateLimit: { points: 3, durationSeconds: 60 }, clientAddressSecret: SECRET } });
    const sink = new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    // The test client is the "gateway": its X-Forwarded-For names the visitor.
    web = await startWeb(api.url, {
      trustedProxies: ['127.0.0.1'],
      clientAddressSecret: SECRET,
      logger: createLogger({ level: 'info', role: 'web' }, sink),
    });
  });
  afterAll(async () => {
    await web?.close();
    await api?.close();
  });

  function visitor(address: string): CookieClient {
    const browser = new CookieClient(web.url);
    const send = browser.send.bind(browser);
    browser.send = (method, path, body, headers = {}) => send(method, path, body, { ...headers, 'x-forwarded-for': address });
    return browser;
  }

  it("never lets one visitor's failed sign-ins lock out another", async () => {
    const email = newEmail();
    const owner = visitor('198.51.100.7');
    expect((await signUpOnWeb(owner, api.mailbox, { email, password: PASSWORD })).status).toBe(303);

    const attacker = visitor('203.0.113.66');
    await attacker.get('/signin');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await attacker.post('/signin', { email, password: 'wrong password' })).status);
    expect(statuses.slice(-1)).toEqual([429]);

    const learner = visitor('192.0.2.10');
    await learner.get('/signin');
    const ok = await learner.post('/signin', { email, password: PASSWORD });
    expect(ok.status).toBe(303);
  });

  it("does not hand a spent refresh token's new session to another browser: the api sees the reuse", async () => {
    const browser = visitor('192.0.2.20');
    await signUpOnWeb(browser, api.mailbox, { email: newEmail(), password: PASSWORD });
    const spent = browser.cookies.get('cc_refresh')!;
    browser.cookies.delete('cc_access');
    expect((await browser.get('/account')).status).toBe(200);

    const thief = visitor('203.0.113.99');
    thief.cookies.set('cc_refresh', spent);
    const stolen = await thief.get('/account');
    expect(stolen.status).toBe(303);
    expect(stolen.location).toContain('/signin');
    // Reuse detection revoked the family: the learner's own fresh session ends too.
    browser.cookies.delete('cc_access');
    expect((await browser.get('/account')).status).toBe(303);
    const reuse = await api.db.write('audit_events').where({ event: 'refresh_token_reuse' });
    expect(reuse.length).toBeGreaterThan(0);
  });

  it('still shares one refresh among requests of the same browser racing it', async () => {
    const browser = visitor('192.0.2.21');
    await signUpOnWeb(browser, api.mailbox, { email: newEmail(), password: PASSWORD });
    browser.cookies.delete('cc_access');
    // Same cookies, sent together: the second must not spend the token again.
    const [a, b] = await Promise.all([browser.get('/account'), browser.get('/progress')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    browser.cookies.delete('cc_access');
    expect((await browser.get('/account')).status).toBe(200);
  });

  it('never writes a body that failed to parse (password and all) to the log', async () => {
    const res = await fetch(`${web.url}/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":"a@example.com","password":"hunter2-very-secret-word"',
    });
    expect(res.status).toBe(400);
    const log = logLines.join('');
    expect(log).toContain('web page refused');
    expect(log).not.toContain('hunter2-very-secret-word');
  });

  it('walks the password reset and sign-out-everywhere forms without JavaScript', async () => {
    const browser = visitor('192.0.2.30');
    await signUpOnWeb(browser, api.mailbox, { email: newEmail(), password: PASSWORD });
    const other = new CookieClient(web.url);
    other.cookies.set('cc_refresh', browser.cookies.get('cc_refresh')!);

    await browser.get('/account/password');
    const wrong = await browser.post('/account/password', { current_password: 'not it at all', new_password: 'a new password 123' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('That is not your current password.');
    const changed = await browser.post('/account/password', { current_password: PASSWORD, new_password: 'a new password 123' });
    expect(changed.location).toBe('/account');
    expect((await browser.get('/account')).text).toContain('Password changed.');

    await browser.get('/account');
    const everywhere = await browser.post('/account/sign-out-everywhere', {});
    expect(everywhere.location).toBe('/');
    expect((await browser.get('/account')).status).toBe(303);

    const anonymous = visitor('192.0.2.31');
    await anonymous.get('/forgot-password');
    const sent = await anonymous.post('/forgot-password', { email: 'nobody-at-all@example.com' });
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('Check your email');
    const page = await anonymous.get('/reset-password?token=made-up-token-made-up-token');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const bad = await anonymous.post('/reset-password', { token: 'made-up-token-made-up-token', new_password: 'another password 1' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('This reset link is not valid any more');
  });
});

describe('the web role behind the gateway', () => {
  it('refuses a Host outside ALLOWED_HOSTS even with an allowed X-Forwarded-Host', async () => {
    const web = await startWeb('http://127.0.0.1:9', { allowedHosts: ['learn.example.com'], trustedProxies: ['127.0.0.1'] });
    try {
      const { request } = await import('node:http');
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${web.url}/signin`, { headers: { host: 'evil.example', 'x-forwarded-host': 'learn.example.com' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(400);
    } finally {
      await web.close();
    }
  });
});

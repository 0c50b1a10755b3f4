import { startApi, type TestApi } from '../support/http';
import { CookieClient, signUpOnWeb, startWeb, type TestWeb } from './support';

const PASSWORD = 'correct horse battery staple';
let seq = 0;
const newEmail = () => `web-session-${Date.now()}-${(seq += 1)}@example.com`;

function cookieLine(lines: string[], name: string): string {
  const line = lines.find((l) => l.startsWith(`${name}=`));
  if (!line) throw new Error(`no Set-Cookie for ${name} in ${JSON.stringify(lines)}`);
  return line;
}

describe('web sessions against the real api (SQLite)', () => {
  let api: TestApi;
  let web: TestWeb;
  let secureWeb: TestWeb;

  beforeAll(async () => {
    api = await startApi('sqlite');
    web = await startWeb(api.url);
    secureWeb = await startWeb(api.url, { secureCookies: true });
  });
  afterAll(async () => {
    await web?.close();
    await secureWeb?.close();
    await api?.close();
  });

  async function signedUp(target: TestWeb = web): Promise<{ browser: CookieClient; email: string; setCookies: string[] }> {
    const browser = new CookieClient(target.url);
    const email = newEmail();
    const res = await signUpOnWeb(browser, api.mailbox, { email, password: PASSWORD, name: 'Ada', timezone: 'Europe/Paris' });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/');
    return { browser, email, setCookies: res.setCookies };
  }

  it('keeps the tokens in HttpOnly, SameSite=Lax cookies', async () => {
    const { setCookies } = await signedUp();
    for (const name of ['cc_access', 'cc_refresh']) {
      const line = cookieLine(setCookies, name).toLowerCase();
      expect(line).toContain('httponly');
      expect(line).toContain('samesite=lax');
      expect(line).toContain('path=/');
      expect(line).not.toContain('secure');
    }
  });

  it('marks cookies Secure with the __Host- prefix when secure cookies are on', async () => {
    const { setCookies } = await signedUp(secureWeb);
    for (const name of ['__Host-cc_access', '__Host-cc_refresh', '__Host-cc_csrf']) {
      const line = cookieLine(setCookies, name).toLowerCase();
      expect(line).toContain('secure');
      expect(line).toContain('httponly');
      expect(line).not.toContain('domain=');
    }
  });

  it('shows the course overview once signed in, with a sign-out form', async () => {
    const { browser } = await signedUp();
    const home = await browser.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Welcome! Your account is ready.');
    expect(home.text).toContain('action="/signout"');
  });

  it('refreshes silently when the access cookie is gone, rotating the refresh token', async () => {
    const { browser } = await signedUp();
    const oldRefresh = browser.cookies.get('cc_refresh');
    browser.cookies.delete('cc_access');
    const account = await browser.get('/account');
    expect(account.status).toBe(200);
    expect(account.text).toContain('Your account');
    expect(browser.cookies.get('cc_access')).toBeTruthy();
    expect(browser.cookies.get('cc_refresh')).toBeTruthy();
    expect(browser.cookies.get('cc_refresh')).not.toBe(oldRefresh);
  });

  it('sends a learner whose session is revoked to sign in, clearing the cookies', async () => {
    const { browser } = await signedUp();
    browser.cookies.delete('cc_access');
    browser.cookies.set('cc_refresh', 'not-a-real-refresh-token');
    const res = await browser.get('/progress');
    expect(res.status).toBe(303);
    expect(res.location).toBe('/signin?next=%2Fprogress');
    expect(browser.cookies.has('cc_refresh')).toBe(false);
  });

  it('refuses a form without a CSRF token, before calling the api', async () => {
    const browser = new CookieClient(web.url);
    await browser.get('/signup');
    const res = await browser.post('/signup', { email: newEmail(), password: PASSWORD }, { csrf: null });
    expect(res.status).toBe(403);
    expect(res.text).toContain('This form has expired');
    expect(browser.cookies.has('cc_access')).toBe(false);
  });

  it("refuses a token signed for another browser's secret", async () => {
    const attacker = new CookieClient(web.url);
    await attacker.get('/signin');
    const victim = new CookieClient(web.url);
    await victim.get('/signin');
    const res = await victim.post('/signout', {}, { csrf: attacker.csrfToken() });
    expect(res.status).toBe(403);
  });

  it('refuses a JSON call without the CSRF header', async () => {
    const { browser } = await signedUp();
    const res = await browser.send('POST', '/progress/position', JSON.stringify({ chapter_number: 1 }), {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(403);
  });

  it('signs out: the api forgets the refresh token and the cookies are cleared', async () => {
    const { browser } = await signedUp();
    await browser.get('/');
    const refresh = browser.cookies.get('cc_refresh')!;
    const res = await browser.post('/signout', {});
    expect(res.status).toBe(303);
    expect(browser.cookies.has('cc_access')).toBe(false);
    expect(browser.cookies.has('cc_refresh')).toBe(false);
    const reuse = await api.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: refresh } });
    expect(reuse.status).toBe(401);
  });

  it('shows sign-in errors without saying which half was wrong', async () => {
    const browser = new CookieClient(web.url);
    await browser.get('/signin');
    const res = await browser.post('/signin', { email: 'nobody@example.com', password: 'wrong password' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('That email and password do not match an account.');
  });

  it('returns to the page asked for after signing in, but never to another site', async () => {
    const { email } = await signedUp();
    const browser = new CookieClient(web.url);
    await browser.get('/signin?next=/progress');
    const back = await browser.post('/signin', { email, password: PASSWORD, next: '/progress' });
    expect(back.location).toBe('/progress');
    const other = new CookieClient(web.url);
    await other.get('/signin');
    const away = await other.post('/signin', { email, password: PASSWORD, next: '//evil.example/' });
    expect(away.location).toBe('/');
  });

  it('changes the time zone, and deletes the account only when confirmed with the password', async () => {
    const { browser, email } = await signedUp();
    await browser.get('/account');
    expect((await browser.post('/account', { timezone: 'Asia/Tokyo' })).status).toBe(303);
    expect((await browser.get('/account')).text).toContain('<option value="Asia/Tokyo" selected>');
    const unconfirmed = await browser.post('/account/delete', {});
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.text).toContain('aria-describedby="field-confirm-error"');
    const noPassword = await browser.post('/account/delete', { confirm: 'delete' });
    expect(noPassword.status).toBe(422);
    expect(noPassword.text).toContain('aria-describedby="field-password-error"');
    const wrong = await browser.post('/account/delete', { confirm: 'delete', password: 'not my password' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('That is not your password.');
    const deleted = await browser.post('/account/delete', { confirm: 'delete', password: PASSWORD });
    expect(deleted.status).toBe(303);
    const login = await api.request('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
    expect(login.status).toBe(401);
  });

  it('downloads the learner export as a JSON attachment', async () => {
    const { browser, email } = await signedUp();
    const res = await browser.get('/account/export');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('attachment; filename="course-companion-export.json"');
    expect(res.text).toContain(email);
  });
});

import { startApi, type TestApi } from '../support/http';
import { signupTokenIn } from '../support/mailbox';
import { CookieClient, signUpOnWeb, startWeb, type TestWeb } from './support';

const PASSWORD = 'correct horse battery staple';
let seq = 0;
const newEmail = () => `web-signup-${Date.now()}-${(seq += 1)}@example.com`;
/** A page without what differs on every answer (the browser's CSRF token, the script nonce), so two answers compare. */
const withoutPerAnswer = (html: string) =>
  html.replace(/(name="(?:_csrf|csrf-token)" (?:value|content)=")[^"]+"/g, '$1"').replace(/nonce="[^"]+"/g, 'nonce=""');

/** Issue 15: sign-up through the web role verifies the mailbox first, without JavaScript. */
describe('sign-up on the web (SQLite)', () => {
  let api: TestApi;
  let web: TestWeb;
  beforeAll(async () => {
    api = await startApi('sqlite');
    web = await startWeb(api.url);
  });
  afterAll(async () => {
    await web?.close();
    await api?.close();
  });

  const pending = (email: string) => api.db.write('signup_requests').where({ email });
  const accounts = (email: string) => api.db.write('users').where({ email });

  it("walks the form, the inbox page, the link's page (which spends nothing) and its button, signed in at the end", async () => {
    const browser = new CookieClient(web.url);
    const email = newEmail();
    await browser.get('/signup');
    const sent = await browser.post('/signup', { email, password: PASSWORD, name: 'Ada', timezone: 'Europe/Paris' });
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('Check your inbox');
    expect(browser.cookies.has('cc_access')).toBe(false);
    expect(await accounts(email)).toHaveLength(0);

    const token = signupTokenIn((await api.mailbox.latestTo(email)).text);
    // A mail scanner opens the link first: the page must not spend it.
    for (let i = 0; i < 2; i += 1) {
      const page = await browser.get(`/sign-up/finish?token=${token}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(page.text).toContain('<form method="post" action="/sign-up/finish">');
      expect(page.text).toContain(`name="token" value="${token}"`);
      expect(page.text).toContain('Finish signing up</button>');
    }
    expect(await pending(email)).toHaveLength(1);
    expect(await accounts(email)).toHaveLength(0);

    const done = await browser.post('/sign-up/finish', { token });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/');
    expect(browser.cookies.has('cc_access')).toBe(true);
    expect((await browser.get('/')).text).toContain('Welcome! Your account is ready.');
    const account = await browser.get('/account');
    expect(account.status).toBe(200);
    expect(account.text).toContain(email);
    expect(await accounts(email)).toHaveLength(1);

    const again = new CookieClient(web.url);
    await again.get(`/sign-up/finish?token=${token}`);
    const spent = await again.post('/sign-up/finish', { token });
    expect(spent.status).toBe(400);
    expect(spent.text).toContain('This sign-up link does not work');
    expect(spent.text).toContain('href="/signup"');
    expect(again.cookies.has('cc_access')).toBe(false);
  });

  it('shows the same inbox page for an address that has an account as for a new one', async () => {
    const email = newEmail();
    await signUpOnWeb(new CookieClient(web.url), api.mailbox, { email, password: PASSWORD });
    const pages: string[] = [];
    for (const address of [email, newEmail()]) {
      const browser = new CookieClient(web.url);
      await browser.get('/signup');
      const res = await browser.post('/signup', { email: address, password: 'another password 123' });
      expect(res.status).toBe(200);
      pages.push(withoutPerAnswer(res.text));
    }
    expect(pages[0]).toBe(pages[1]);
    expect((await api.mailbox.latestTo(email, 2)).subject).toBe('You already have a Course Companion account');
    expect(await accounts(email)).toHaveLength(1);
  });

  it('answers a link without a token or with a made-up one with a page offering to sign up again', async () => {
    const browser = new CookieClient(web.url);
    const missing = await browser.get('/sign-up/finish');
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('href="/signup"');
    await browser.get(`/sign-up/finish?token=${'A'.repeat(43)}`);
    const made = await browser.post('/sign-up/finish', { token: 'A'.repeat(43) });
    expect(made.status).toBe(400);
    expect(made.text).toContain('This sign-up link does not work');
  });

  it('refuses the button without a CSRF token, and the link still works', async () => {
    const browser = new CookieClient(web.url);
    const email = newEmail();
    await browser.get('/signup');
    await browser.post('/signup', { email, password: PASSWORD });
    const token = signupTokenIn((await api.mailbox.latestTo(email)).text);
    const forged = await browser.post('/sign-up/finish', { token }, { csrf: null });
    expect(forged.status).toBe(403);
    expect(await pending(email)).toHaveLength(1);
    await browser.get(`/sign-up/finish?token=${token}`);
    expect((await browser.post('/sign-up/finish', { token })).status).toBe(303);
  });
});

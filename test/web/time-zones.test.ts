import { canonicalTimeZone, TIME_ZONES } from '../../app/src/domain/time-zones';
import { startApi, signUp, type TestApi } from '../support/http';
import { CookieClient, signUpOnWeb, startWeb, type TestWeb } from './support';

const PASSWORD = 'correct horse battery staple';
let seq = 0;
const newEmail = () => `web-zone-${Date.now()}-${(seq += 1)}@example.com`;

describe('the one list of time zones', () => {
  it.each([
    ['Asia/Kolkata', 'Asia/Kolkata'],
    ['Asia/Calcutta', 'Asia/Kolkata'],
    ['Europe/Kyiv', 'Europe/Kyiv'],
    ['Europe/Kiev', 'Europe/Kyiv'],
    ['asia/kolkata', 'Asia/Kolkata'],
    ['US/Eastern', 'America/New_York'],
    ['Etc/UTC', 'UTC'],
    ['UTC', 'UTC'],
  ])('takes %s as %s', (given, canonical) => {
    expect(canonicalTimeZone(given)).toBe(canonical);
  });

  it('refuses what is not a time zone', () => {
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeNull();
    expect(canonicalTimeZone('')).toBeNull();
  });

  it('offers canonical names only, UTC first', () => {
    expect(TIME_ZONES[0]).toBe('UTC');
    expect(TIME_ZONES).toEqual(expect.arrayContaining(['Asia/Kolkata', 'Europe/Kyiv', 'Asia/Ho_Chi_Minh', 'Asia/Kathmandu']));
    expect(TIME_ZONES).not.toEqual(expect.arrayContaining(['Asia/Calcutta']));
    expect(TIME_ZONES.every((zone) => canonicalTimeZone(zone) === zone)).toBe(true);
  });
});

describe('time zones through both roles (SQLite)', () => {
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

  const storedZone = async (email: string) =>
    (await api.db.write('users').where({ email }).first<{ timezone: string }>('timezone')).timezone;

  it.each(['Asia/Kolkata', 'Europe/Kyiv', 'Asia/Calcutta'])('signs up on the web with %s and keeps the canonical zone', async (zone) => {
    const browser = new CookieClient(web.url);
    const email = newEmail();
    const res = await signUpOnWeb(browser, api.mailbox, { email, password: PASSWORD, timezone: zone });
    expect(res.status).toBe(303);
    expect(await storedZone(email)).toBe(canonicalTimeZone(zone));
  });

  it('refuses an unknown detected zone on sign-up with a form error, never storing UTC', async () => {
    const browser = new CookieClient(web.url);
    await browser.get('/signup');
    const email = newEmail();
    const res = await browser.post('/signup', { email, password: PASSWORD, timezone: 'Mars/Olympus_Mons' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('id="field-timezone-error"');
    expect(await api.db.write('users').where({ email })).toHaveLength(0);
  });

  it('says so when no zone was detected (no script) and the account starts on UTC', async () => {
    const browser = new CookieClient(web.url);
    const res = await signUpOnWeb(browser, api.mailbox, { email: newEmail(), password: PASSWORD, timezone: '' });
    expect(res.status).toBe(303);
    expect((await browser.get('/')).text).toContain('Your days count in UTC until you choose your time zone');
  });

  it('saves Asia/Kolkata on the account page', async () => {
    const browser = new CookieClient(web.url);
    const email = newEmail();
    await signUpOnWeb(browser, api.mailbox, { email, password: PASSWORD, timezone: 'UTC' });
    await browser.get('/account');
    const res = await browser.post('/account', { timezone: 'Asia/Kolkata' });
    expect(res.status).toBe(303);
    expect(await storedZone(email)).toBe('Asia/Kolkata');
    expect((await browser.get('/account')).text).toContain('<option value="Asia/Kolkata" selected');
  });

  it('stores the canonical name when the api is given an alias', async () => {
    const session = await signUp(api, { timezone: 'Asia/Calcutta' });
    expect(session.user.timezone).toBe('Asia/Kolkata');
    const res = await api.request('PATCH', '/api/v1/me', { token: session.access_token, body: { timezone: 'Europe/Kiev' } });
    expect(res.body.timezone).toBe('Europe/Kyiv');
    const bad = await api.request('PATCH', '/api/v1/me', { token: session.access_token, body: { timezone: 'Mars/Olympus_Mons' } });
    expect(bad.status).toBe(400);
  });
});

/**
 * The 48-hour maintenance notice on every page (issue 17, item 3): shown from 48 hours
 * before the window until it ends, dismissible with a plain form (no JavaScript).
 */
import { FixedClock } from '../../app/src/clock';
import type { MaintenanceWindow } from '../../app/src/maintenance/window';
import { CookieClient, startWeb, type TestWeb } from './support';

const FIRST_SUNDAY: MaintenanceWindow = { schedule: '0 2 * * 0', weekOfMonth: 1, durationMinutes: 120, timeZone: 'Etc/UTC' };
const BANNER = /<section class="maintenance" aria-label="Planned maintenance"><p role="status">/;

describe('the maintenance banner', () => {
  const clock = new FixedClock(new Date('2027-07-30T01:59:00Z'));
  let web: TestWeb;
  // /signin needs no api, so nothing listens on the api's port.
  beforeAll(async () => {
    web = await startWeb('http://127.0.0.1:1', { maintenanceWindow: FIRST_SUNDAY, clock });
  });
  afterAll(async () => web?.close());

  it('stays hidden until 48 hours before the window, then shows it in a labelled status region', async () => {
    clock.set('2027-07-30T01:59:00Z');
    expect((await new CookieClient(web.url).get('/signin')).text).not.toContain('Planned maintenance');
    clock.set('2027-07-30T02:00:00Z');
    const page = await new CookieClient(web.url).get('/signin');
    expect(page.text).toMatch(BANNER);
    expect(page.text).toContain('Planned maintenance: Sunday 1 August 2027, 02:00–04:00 (Etc/UTC).');
  });

  it('says the window is in progress while it is open, and is gone once it ends', async () => {
    clock.set('2027-08-01T03:00:00Z');
    expect((await new CookieClient(web.url).get('/signin')).text).toContain('Maintenance in progress: Sunday 1 August 2027');
    clock.set('2027-08-01T04:00:00Z');
    expect((await new CookieClient(web.url).get('/signin')).text).not.toMatch(BANNER);
  });

  it('is dismissed by a form POST that returns to the page, for that window only', async () => {
    clock.set('2027-07-31T12:00:00Z');
    const browser = new CookieClient(web.url);
    await browser.get('/signup');
    const dismissed = await browser.post('/maintenance-notice/dismiss', { start: '2027-08-01T02:00:00.000Z', next: '/signup' });
    expect(dismissed.status).toBe(303);
    expect(dismissed.location).toBe('/signup');
    expect(dismissed.setCookies.join('\n')).toMatch(/cc_maintenance=2027-08-01T02:00:00\.000Z;.*httponly/i);
    expect((await browser.get('/signup')).text).not.toMatch(BANNER);
    // September's window is announced again.
    clock.set('2027-09-03T02:00:00Z');
    expect((await browser.get('/signup')).text).toMatch(BANNER);
  });

  it('refuses a dismissal without the CSRF token', async () => {
    clock.set('2027-07-31T12:00:00Z');
    const browser = new CookieClient(web.url);
    await browser.get('/signin');
    const res = await browser.post('/maintenance-notice/dismiss', { start: '2027-08-01T02:00:00.000Z' }, { csrf: null });
    expect(res.status).toBe(403);
  });
});

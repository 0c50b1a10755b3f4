import { DATABASE_KINDS } from '../support/databases';
import type { TestApi } from '../support/http';
import { startFixtureApi } from '../app/learning/support';
import { CookieClient, signUpOnWeb, startWeb, type TestWeb } from './support';

const PASSWORD = 'correct horse battery staple';
let seq = 0;

/** Every row a learner's reading can write, with its columns, so any change shows. */
async function readingRows(api: TestApi): Promise<unknown[]> {
  const rows: unknown[] = [];
  for (const table of ['chapter_positions', 'reading_positions', 'activity_days', 'chapter_progress']) {
    if (await api.db.read.schema.hasTable(table)) rows.push({ table, rows: await api.db.read(table).select() });
  }
  return rows;
}

/**
 * Issue 15 (a GET must not change state) and issue 14 (no write on the page's critical
 * path): the chapter page writes nothing; the view is recorded by a CSRF-checked POST.
 */
describe.each(DATABASE_KINDS)('recording a chapter view through the web role on %s', (kind) => {
  let api: TestApi;
  let web: TestWeb;
  beforeAll(async () => {
    api = await startFixtureApi(kind);
    web = await startWeb(api.url);
  });
  afterAll(async () => {
    await web?.close();
    await api?.close();
  });

  async function signedUp(): Promise<CookieClient> {
    const browser = new CookieClient(web.url);
    const res = await signUpOnWeb(browser, api.mailbox, { email: `reading-${Date.now()}-${(seq += 1)}@example.com`, password: PASSWORD });
    expect(res.status).toBe(303);
    return browser;
  }

  it('writes nothing when a cross-site link opens a chapter', async () => {
    const browser = await signedUp();
    const before = await readingRows(api);
    // SameSite=Lax cookies ride along on a top-level GET from another site.
    const res = await browser.get('/chapters/2', { 'sec-fetch-site': 'cross-site', referer: 'https://elsewhere.example/' });
    expect(res.status).toBe(200);
    await browser.get('/chapters/1', { 'sec-fetch-site': 'cross-site' });
    expect(await readingRows(api)).toEqual(before);
  });

  it('records the view reported by the page script (JSON with the CSRF header)', async () => {
    const browser = await signedUp();
    await browser.get('/chapters/2');
    const res = await browser.send('POST', '/progress/position', JSON.stringify({ chapter_number: 2, section_anchor: 'pod-lifecycle' }), {
      'content-type': 'application/json',
      'x-csrf-token': browser.csrfToken(),
    });
    expect(res.status).toBe(204);
    await browser.get('/progress');
    expect(browser.lastPage).toContain('href="/chapters/2#pod-lifecycle"');
  });

  it('records the view without JavaScript through the "Save my place" form', async () => {
    const browser = await signedUp();
    const page = await browser.get('/chapters/2');
    expect(page.text).toMatch(/<form method="post" action="\/progress\/position">[\s\S]*?name="chapter_number" value="2"/);
    const res = await browser.post('/progress/position', { chapter_number: '2' });
    expect([res.status, res.location]).toEqual([303, '/chapters/2']);
    await browser.get('/progress');
    expect(browser.lastPage).toContain('Resume chapter 2');
  });

  it('sends a signed-out visitor of the form to sign in, and answers the script 401', async () => {
    const visitor = new CookieClient(web.url);
    await visitor.get('/signin');
    const token = visitor.csrfToken();
    const form = await visitor.post('/progress/position', { chapter_number: '2' });
    expect([form.status, form.location]).toEqual([302, '/signin?next=%2Fchapters%2F2']);
    const json = await visitor.send('POST', '/progress/position', JSON.stringify({ chapter_number: 2 }), {
      'content-type': 'application/json',
      'x-csrf-token': token,
    });
    expect(json.status).toBe(401);
  });

  it('answers a bad report with a JSON 400 and a form without its token with 403', async () => {
    const browser = await signedUp();
    await browser.get('/chapters/1');
    const bad = await browser.send('POST', '/progress/position', JSON.stringify({ chapter_number: 'one' }), {
      'content-type': 'application/json',
      'x-csrf-token': browser.csrfToken(),
    });
    expect([bad.status, JSON.parse(bad.text).code]).toEqual([400, 'bad_request']);
    expect((await browser.post('/progress/position', { chapter_number: '1' }, { csrf: null })).status).toBe(403);
  });
});

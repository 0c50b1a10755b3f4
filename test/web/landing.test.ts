/**
 * The landing page sells the course (issue 17, item 8): a signed-out visitor sees every
 * chapter with its summary, which are free and which premium, and the plans, from the
 * api's public syllabus. (The browser test, pages-a11y, checks it without JavaScript.)
 */
import { startFixtureApi } from '../app/learning/support';
import type { TestApi } from '../support/http';
import { CookieClient, startWeb, type TestWeb } from './support';

describe('the syllabus and the landing page', () => {
  let api: TestApi;
  let web: TestWeb;
  beforeAll(async () => {
    api = await startFixtureApi('sqlite');
    web = await startWeb(api.url);
  });
  afterAll(async () => {
    await web?.close();
    await api?.close();
  });

  it('GET /api/v1/syllabus lists every chapter and the plans without a session, never chapter content', async () => {
    const res = await api.request('GET', '/api/v1/syllabus');
    expect(res.status).toBe(200);
    expect(res.body.title).toBe('Fixture Course');
    expect(res.body.chapters.map((c: { number: number; free: boolean }) => [c.number, c.free])).toEqual([
      [1, true],
      [2, true],
      [3, true],
      [4, false],
      [5, false],
    ]);
    expect(res.body.chapters[3]).toEqual({
      number: 4,
      title: 'Canary Releases',
      summary: 'Shifting traffic a little at a time.',
      required_tier: 'premium',
      free: false,
    });
    expect(res.body.plans.map((p: { tier: string }) => p.tier)).toEqual(['free', 'premium', 'pro', 'team']);
    expect(res.text).not.toContain('zeppelin');
  });

  it('shows a signed-out visitor each chapter with its summary and access, and the plans with prices', async () => {
    const page = await new CookieClient(web.url).get('/');
    expect(page.status).toBe(200);
    const text = page.text.replace(/<!-- -->/g, '');
    expect(text).toContain('<h2 id="syllabus-title">What you will learn</h2>');
    expect(text).toContain('5 chapters, each with a short quiz. The first 3 are free');
    expect(text).toMatch(
      /Chapter 1: Containers<\/h3><p class="muted">What a container image is\.<\/p><\/div><span class="badge free">Free<\/span>/,
    );
    expect(text).toMatch(
      /Chapter 4: Canary Releases<\/h3><p class="muted">Shifting traffic a little at a time\.<\/p><\/div><span class="badge premium">With premium<\/span>/,
    );
    expect(text).toContain('<h3>Premium</h3><p class="price">$9.99 a month</p><p>All chapters</p>');
    expect(text).not.toContain('zeppelin');
    // A visitor cannot open a chapter yet: the syllabus links to sign-up, not to chapters.
    expect(text).not.toContain('href="/chapters/');
  });

  it('still offers sign-up when the api is down', async () => {
    const down = await startWeb('http://127.0.0.1:1');
    try {
      const page = await new CookieClient(down.url).get('/');
      expect(page.status).toBe(200);
      expect(page.text).toContain('Start learning for free');
      expect(page.text).not.toContain('What you will learn');
    } finally {
      await down.close();
    }
  });
});

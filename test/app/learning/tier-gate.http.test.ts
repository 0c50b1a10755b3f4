import { DATABASE_KINDS } from '../../support/databases';
import { setTier, signUp, type TestApi } from '../../support/http';
import { startFixtureApi } from './support';

/**
 * Every way a free learner could reach chapter 4 (premium) is refused with
 * `upgrade_required` and the plans; an upgraded learner then gets through.
 */
describe.each(DATABASE_KINDS)('the tier gate over HTTP on %s', (kind) => {
  let api: TestApi;
  let token: string;
  let userId: string;

  beforeAll(async () => {
    api = await startFixtureApi(kind);
    const session = await signUp(api);
    token = session.access_token;
    userId = session.user.id;
  });
  afterAll(async () => {
    await api.close();
  });

  const expectUpgradeRequired = (res: { status: number; body: any }) => {
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('upgrade_required');
    expect(res.body.details.required_tier).toBe('premium');
    expect(res.body.details.plans.map((p: { tier: string; price_monthly: number }) => [p.tier, p.price_monthly])).toEqual([
      ['free', 0],
      ['premium', 9.99],
      ['pro', 19.99],
      ['team', 49.99],
    ]);
  };

  it('serves chapter 3 verbatim to a free learner', async () => {
    const res = await api.request('GET', '/api/v1/chapters/3', { token });
    expect(res.status).toBe(200);
    expect(res.body.markdown).toContain('A deployment replaces pods gradually');
    expect(res.body.locked).toBe(false);
  });

  it('refuses chapter 4 itself', async () => {
    const res = await api.request('GET', '/api/v1/chapters/4', { token });
    expectUpgradeRequired(res);
    expect(res.text).not.toContain('zeppelin');
  });

  it("shows chapter 3's next link as locked, with a title and no content", async () => {
    const res = await api.request('GET', '/api/v1/chapters/3', { token });
    expect(res.body.next).toEqual({ number: 4, title: 'Canary Releases', locked: true });
    expect(res.text).not.toContain('zeppelin');
    expect(res.text).not.toContain('Traffic weights');
  });

  it('marks chapters 4 and 5 locked in the course outline', async () => {
    const res = await api.request('GET', '/api/v1/course', { token });
    expect(res.body.chapters.map((c: { number: number; locked: boolean; state: string }) => [c.number, c.locked, c.state])).toEqual([
      [1, false, 'not_started'],
      [2, false, 'not_started'],
      [3, false, 'not_started'],
      [4, true, 'locked'],
      [5, true, 'locked'],
    ]);
    expect(res.text).not.toContain('zeppelin');
  });

  it('never returns chapter 4 or 5 text from search', async () => {
    const res = await api.request('GET', '/api/v1/search?q=zeppelin%20canary%20traffic%20restore', { token });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([]);
    // "pods" is in chapters 2, 3 and 4: only the readable ones may come back.
    const pods = await api.request('GET', '/api/v1/search?q=pods&limit=50', { token });
    const chapters = pods.body.results.map((r: { chapter_number: number }) => r.chapter_number);
    expect(chapters).toEqual(expect.arrayContaining([2, 3]));
    expect(chapters.every((n: number) => n <= 3)).toBe(true);
    expect(JSON.stringify(pods.body.results)).not.toMatch(/canary|zeppelin|healthy enough/i);
  });

  it('refuses the chapter 4 quiz, its attempts and their listing', async () => {
    expectUpgradeRequired(await api.request('GET', '/api/v1/chapters/4/quiz', { token }));
    expectUpgradeRequired(await api.request('POST', '/api/v1/chapters/4/quiz/attempts', { token, body: { answers: { weight: 'small' } } }));
    expectUpgradeRequired(await api.request('GET', '/api/v1/chapters/4/quiz/attempts', { token }));
    expect(await api.db.read('quiz_attempts').where({ user_id: userId })).toEqual([]);
  });

  it('refuses completing chapter 4 and setting the resume point there', async () => {
    expectUpgradeRequired(await api.request('POST', '/api/v1/chapters/4/complete', { token }));
    expectUpgradeRequired(await api.request('PUT', '/api/v1/progress/position', { token, body: { chapter_number: 4 } }));
    expect(await api.db.read('chapter_progress').where({ user_id: userId })).toEqual([]);
    expect(await api.db.read('chapter_positions').where({ user_id: userId })).toEqual([]);
  });

  it('ignores a tier, user or role claimed in the request', async () => {
    const forged = { chapter_number: 4, tier: 'team', user: { tier: 'team' }, user_id: 'someone-else' };
    expectUpgradeRequired(await api.request('PUT', '/api/v1/progress/position', { token, body: forged }));
    expectUpgradeRequired(await api.request('GET', '/api/v1/chapters/4?tier=team', { token, headers: { 'x-tier': 'team' } }));
    expectUpgradeRequired(await api.request('POST', '/api/v1/chapters/4/quiz/attempts', { token, body: { answers: {}, tier: 'premium' } }));
  });

  it('answers the access check with the same decision', async () => {
    const res = await api.request('GET', '/api/v1/access/chapters/4', { token });
    expect(res.body).toEqual({ chapter_number: 4, allowed: false, required_tier: 'premium', tier: 'free' });
    expect((await api.request('GET', '/api/v1/access/chapters/2', { token })).body.allowed).toBe(true);
    expect((await api.request('GET', '/api/v1/access/chapters/99', { token })).status).toBe(404);
  });

  it('needs a signed-in learner for every learning path', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/course'],
      ['GET', '/api/v1/chapters/1'],
      ['POST', '/api/v1/chapters/1/complete'],
      ['GET', '/api/v1/chapters/1/quiz'],
      ['GET', '/api/v1/chapters/1/quiz/attempts'],
      ['GET', '/api/v1/search?q=pod'],
      ['GET', '/api/v1/progress'],
      ['PUT', '/api/v1/progress/position'],
      ['GET', '/api/v1/access/chapters/1'],
    ]) {
      expect([method, path, (await api.request(method, path)).status]).toEqual([method, path, 401]);
    }
  });

  it('opens everything once the tier changes through the admin path', async () => {
    await setTier(api.db, userId, 'premium');
    const chapter = await api.request('GET', '/api/v1/chapters/4', { token });
    expect(chapter.status).toBe(200);
    expect(chapter.body.markdown).toContain('zeppelin');
    const search = await api.request('GET', '/api/v1/search?q=zeppelin', { token });
    expect(search.body.results.map((r: { url: string }) => r.url)).toEqual(['/chapters/4#traffic-weights', '/chapters/5#restoring']);
    expect((await api.request('GET', '/api/v1/chapters/4/quiz', { token })).status).toBe(200);
    await setTier(api.db, userId, 'free');
  });
});

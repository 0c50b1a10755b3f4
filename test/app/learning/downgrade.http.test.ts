import { DATABASE_KINDS } from '../../support/databases';
import { setTier, signUp, type TestApi } from '../../support/http';
import { startFixtureApi } from './support';

type Row = { number: number; state: string; locked: boolean };

/**
 * Issue 16, defect 3: after a downgrade, what the learner finished stays finished and
 * counted, flagged locked; the summary, the progress table and the outline agree.
 */
describe.each(DATABASE_KINDS)('a downgraded learner on %s', (kind) => {
  let api: TestApi;
  let token: string;
  beforeAll(async () => {
    api = await startFixtureApi(kind);
    const session = await signUp(api);
    token = session.access_token;
    await setTier(api.db, session.user.id, 'premium');
    for (const n of [1, 2, 4, 5]) expect((await api.request('POST', `/api/v1/chapters/${n}/complete`, { token })).status).toBe(200);
    await api.request('POST', '/api/v1/progress/views', { token, body: { chapter_number: 5 } });
    await setTier(api.db, session.user.id, 'free');
  });
  afterAll(async () => {
    await api.close();
  });

  it('counts in the summary exactly the chapters the table shows done', async () => {
    const progress = (await api.request('GET', '/api/v1/progress', { token })).body;
    const done = progress.chapters.filter((c: Row) => c.state === 'done');
    expect(progress.completed_chapters).toBe(done.length);
    expect([progress.completed_chapters, progress.total_chapters, progress.overall_percentage]).toEqual([4, 5, 80]);
  });

  it('shows finished chapters of the old plan as done and locked, the others as the plan allows', async () => {
    const progress = (await api.request('GET', '/api/v1/progress', { token })).body;
    expect(progress.chapters.map((c: Row) => [c.number, c.state, c.locked])).toEqual([
      [1, 'done', false],
      [2, 'done', false],
      [3, 'not_started', false],
      [4, 'done', true],
      [5, 'done', true],
    ]);
  });

  it('gives the course outline the same states', async () => {
    const course = (await api.request('GET', '/api/v1/course', { token })).body;
    const progress = (await api.request('GET', '/api/v1/progress', { token })).body;
    const pick = (rows: Row[]) => rows.map((c) => [c.number, c.state, c.locked]);
    expect(pick(course.chapters)).toEqual(pick(progress.chapters));
  });

  it('no longer opens the locked chapters, nor resumes in one', async () => {
    expect((await api.request('GET', '/api/v1/chapters/4', { token })).status).toBe(403);
    expect((await api.request('GET', '/api/v1/progress', { token })).body.resume).toBeNull();
  });
});

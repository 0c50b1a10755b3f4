import { DATABASE_KINDS } from '../../support/databases';
import { signUp, type TestApi } from '../../support/http';
import { startFixtureApi } from './support';

const PERFECT = { q1: 'b', q2: ['c', 'a'], q3: true, q4: 'a dockerfile', q5: 'The application plus its libraries' };

describe.each(DATABASE_KINDS)('the data export on %s', (kind) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startFixtureApi(kind);
  });
  afterAll(async () => {
    await api.close();
  });

  it('gives the shapes the api documents, not raw rows', async () => {
    const { access_token: token } = await signUp(api);
    await api.request('POST', '/api/v1/chapters/1/complete', { token });
    const attempt = await api.request('POST', '/api/v1/chapters/1/quiz/attempts', { token, body: { answers: PERFECT } });
    expect(attempt.status).toBe(201);
    const res = await api.request('GET', '/api/v1/me/export', { token });
    expect(res.status).toBe(200);

    expect(res.body.user).toEqual((await api.request('GET', '/api/v1/me', { token })).body);
    expect(res.body.progress).toEqual((await api.request('GET', '/api/v1/progress', { token })).body);
    const [summary] = (await api.request('GET', '/api/v1/chapters/1/quiz/attempts', { token })).body.attempts;
    expect(res.body.quiz_attempts).toEqual([{ ...summary, chapter_number: 1, answers: PERFECT }]);
    expect(res.body.quiz_attempts[0].passed).toBe(true);
    expect(res.body.activity_days).toEqual([expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/)]);
    expect(res.text).not.toMatch(/answers_json|details_json|user_id/);
  });
});

import { DATABASE_KINDS } from '../support/databases';
import { signUp, startApi, type TestApi } from '../support/http';

describe.each(DATABASE_KINDS)('metrics on %s', (kind) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi(kind);
  });
  afterAll(async () => {
    await api?.close();
  });
  const exposition = () => api.deps.metrics.registry.metrics();

  it('counts requests by route pattern, method and status, with the role label', async () => {
    const s = await signUp(api);
    await api.request('GET', '/api/v1/me', { token: s.access_token });
    await api.request('GET', '/api/v1/admin/users/some-id/tier');
    await api.request('GET', '/no/such/path');
    const text = await exposition();
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/me",status="200",role="api"\} 1/);
    expect(text).toMatch(/http_requests_total\{method="POST",route="\/api\/v1\/auth\/register",status="201",role="api"\} 1/);
    expect(text).toMatch(/http_requests_total\{method="GET",route="unmatched",status="404",role="api"\} \d/);
    // Raw paths never become labels: the id in the URL stays out.
    expect(text).not.toContain('some-id');
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/api\/v1\/me",status="200",role="api"\}/);
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="10",/);
  });

  it('exposes the learning metrics through helpers the features call', async () => {
    api.deps.metrics.chapterCompleted(2);
    api.deps.metrics.quizAttempted(2, true, 0.8);
    api.deps.metrics.quizAttempted(2, false, 0.4);
    const text = await exposition();
    expect(text).toMatch(/course_chapter_completions_total\{chapter="2",role="api"\} 1/);
    expect(text).toMatch(/course_quiz_attempts_total\{chapter="2",passed="true",role="api"\} 1/);
    expect(text).toMatch(/course_quiz_attempts_total\{chapter="2",passed="false",role="api"\} 1/);
    expect(text).toMatch(/course_quiz_score_ratio_count\{chapter="2",role="api"\} 2/);
    expect(text).toMatch(/course_quiz_score_ratio_bucket\{le="1",chapter="2",role="api"\} 2/);
  });

  it('sets course_db_up from the readiness check', async () => {
    await api.request('GET', '/readyz');
    expect(await exposition()).toMatch(/course_db_up\{role="api"\} 1/);
  });
});

import { openStores } from '../../../app/src/db/stores';
import { nextChapterLink } from '../../../app/src/domain/chapters';
import { DATABASE_KINDS } from '../../support/databases';
import { signUp, type TestApi } from '../../support/http';
import { startFixtureApi } from './support';

/** Collects every key at any depth of a JSON value. */
function keysOf(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => keysOf(v, into));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      into.add(key);
      keysOf(v, into);
    }
  }
  return into;
}

const PERFECT = { q1: 'b', q2: ['c', 'a'], q3: true, q4: 'a dockerfile', q5: 'The application plus its libraries' };

describe.each(DATABASE_KINDS)('quizzes over HTTP on %s', (kind) => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startFixtureApi(kind);
  });
  afterAll(async () => {
    await api.close();
  });

  it('shows questions without any answer key', async () => {
    const { access_token: token } = await signUp(api);
    const res = await api.request('GET', '/api/v1/chapters/1/quiz', { token });
    expect(res.status).toBe(200);
    const keys = keysOf(res.body);
    for (const secret of ['answer', 'answers', 'explanation', 'correct', 'correct_answer', 'rule', 'feedback', 'values', 'regex']) {
      expect(keys.has(secret)).toBe(false);
    }
    expect(res.text).not.toMatch(/Images are templates|Dockerfile, a Dockerfile|dependencies/);
    expect(res.body.questions.map((q: { id: string; type: string }) => `${q.id}:${q.type}`)).toEqual([
      'q1:single',
      'q2:multiple',
      'q3:true_false',
      'q4:short_answer',
      'q5:short_answer',
    ]);
    expect(res.body.questions[0].options).toEqual([
      { id: 'a', text: 'A running process' },
      { id: 'b', text: 'A read-only template' },
    ]);
  });

  it('grades an attempt with per-question feedback, then keeps best and last over retakes', async () => {
    const { access_token: token } = await signUp(api);
    const first = await api.request('POST', '/api/v1/chapters/1/quiz/attempts', {
      token,
      body: { answers: { q1: 'a', q2: ['a'], q3: true } },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ score: 1, max_score: 5, percentage: 20, passed: false, best_percentage: 20, last_percentage: 20 });
    expect(first.body.results[0]).toEqual({
      question_id: 'q1',
      correct: false,
      feedback: 'Think of the template, not the process.',
      explanation: 'Images are templates; containers run them.',
      correct_answer: 'b',
    });
    expect(first.body.results[3]).toMatchObject({ question_id: 'q4', correct: false, feedback: 'Not answered.' });

    api.clock.advance(60_000);
    const second = await api.request('POST', '/api/v1/chapters/1/quiz/attempts', { token, body: { answers: PERFECT } });
    expect(second.body).toMatchObject({ score: 5, percentage: 100, passed: true, best_percentage: 100, last_percentage: 100 });

    api.clock.advance(60_000);
    const third = await api.request('POST', '/api/v1/chapters/1/quiz/attempts', { token, body: { answers: { ...PERFECT, q1: 'a' } } });
    expect(third.body).toMatchObject({ percentage: 80, best_percentage: 100, last_percentage: 80 });

    const list = await api.request('GET', '/api/v1/chapters/1/quiz/attempts', { token });
    expect(list.body.attempts.map((a: { percentage: number }) => a.percentage)).toEqual([80, 100, 20]);
    expect(list.body).toMatchObject({ best_percentage: 100, last_percentage: 80 });

    const progress = await api.request('GET', '/api/v1/progress', { token });
    expect(progress.body.chapters[0]).toMatchObject({ state: 'in_progress', best_quiz_percentage: 100, last_quiz_percentage: 80 });
  });

  it("names the next chapter in the result, and whether the learner's plan opens it", async () => {
    const { access_token: token } = await signUp(api);
    const res = await api.request('POST', '/api/v1/chapters/1/quiz/attempts', { token, body: { answers: PERFECT } });
    expect(res.body.next_chapter).toEqual({ number: 2, title: 'Pods', locked: false });
    const stores = openStores(api.db);
    const free = { id: 'nobody', email: 'n@example.test', tier: 'free' as const, timezone: 'UTC' };
    expect(await nextChapterLink(stores, free, 3)).toEqual({ number: 4, title: 'Canary Releases', locked: true });
    expect(await nextChapterLink(stores, free, 5)).toBeNull();
  });

  it("lists only the learner's own attempts, whatever the request says", async () => {
    const alice = await signUp(api);
    const bob = await signUp(api);
    await api.request('POST', '/api/v1/chapters/2/quiz/attempts', { token: alice.access_token, body: { answers: { shared: 'network' } } });
    const bobs = await api.request('GET', `/api/v1/chapters/2/quiz/attempts?user_id=${alice.user.id}`, { token: bob.access_token });
    expect(bobs.status).toBe(200);
    expect(bobs.body).toEqual({ attempts: [], best_percentage: null, last_percentage: null });
    const alices = await api.request('GET', '/api/v1/chapters/2/quiz/attempts', { token: alice.access_token });
    expect(alices.body.attempts).toHaveLength(1);
    const bobProgress = await api.request('GET', `/api/v1/progress?user_id=${alice.user.id}`, { token: bob.access_token });
    expect(bobProgress.body.chapters[1].last_quiz_percentage).toBeNull();
  });

  it('refuses answers to unknown questions and answers of the wrong type, naming them', async () => {
    const { access_token: token } = await signUp(api);
    const res = await api.request('POST', '/api/v1/chapters/1/quiz/attempts', { token, body: { answers: { nope: 'a', q3: 'maybe' } } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('bad_request');
    expect(res.body.details.issues).toEqual([
      { path: ['answers', 'nope'], message: 'no such question in this quiz' },
      { path: ['answers', 'q3'], message: 'expected true or false' },
    ]);
    const malformed = await api.request('POST', '/api/v1/chapters/1/quiz/attempts', { token, body: { answers: { q1: { $ne: 1 } } } });
    expect(malformed.status).toBe(400);
  });

  it('answers 404 for a chapter without a quiz and for no chapter at all, 400 for a bad number', async () => {
    const { access_token: token } = await signUp(api);
    expect((await api.request('GET', '/api/v1/chapters/3/quiz', { token })).body.code).toBe('not_found');
    expect((await api.request('GET', '/api/v1/chapters/42/quiz', { token })).status).toBe(404);
    expect((await api.request('GET', '/api/v1/chapters/1e1/quiz', { token })).status).toBe(400);
    expect((await api.request('GET', '/api/v1/chapters/-1', { token })).status).toBe(400);
  });

  it('counts attempts in the learning metrics', async () => {
    const { access_token: token } = await signUp(api);
    await api.request('POST', '/api/v1/chapters/2/quiz/attempts', { token, body: { answers: { shared: 'the network', replaced: true } } });
    const metrics = await api.deps.metrics.registry.metrics();
    expect(metrics).toMatch(/course_quiz_attempts_total\{chapter="2",passed="true",role="api"\} [1-9]/);
    expect(metrics).toMatch(/course_quiz_score_ratio_count\{[^}]*chapter="2"[^}]*\} [1-9]/);
  });
});

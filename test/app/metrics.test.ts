import { DATABASE_KINDS } from '../support/databases';
import { signUp, startApi, type TestApi } from '../support/http';

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

// Parse the exposition format so assertions do not depend on the order in which
// prom-client happens to print labels.
function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`unparsable metrics line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value;
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

function find(samples: Sample[], name: string, labels: Record<string, string>): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

describe.each(DATABASE_KINDS)('metrics on %s', (kind) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi(kind);
  });
  afterAll(async () => {
    await api?.close();
  });
  const samples = async () => parseExposition(await api.deps.metrics.registry.metrics());
  const value = async (name: string, labels: Record<string, string>) => {
    const found = find(await samples(), name, labels);
    expect(found).toHaveLength(1);
    return found[0].value;
  };

  it('counts requests by route pattern, method and status, with the role label', async () => {
    const s = await signUp(api);
    await api.request('GET', '/api/v1/me', { token: s.access_token });
    await api.request('GET', '/api/v1/admin/users/some-id/tier');
    await api.request('GET', '/no/such/path');
    expect(await value('http_requests_total', { method: 'GET', route: '/api/v1/me', status: '200', role: 'api' })).toBe(1);
    // Sign-up: the request (202), then the mailed link followed (201).
    expect(await value('http_requests_total', { method: 'POST', route: '/api/v1/auth/register', status: '202', role: 'api' })).toBe(1);
    const confirmed = { method: 'POST', route: '/api/v1/auth/register/confirm', status: '201', role: 'api' };
    expect(await value('http_requests_total', confirmed)).toBe(1);
    expect(await value('http_requests_total', { method: 'GET', route: 'unmatched', status: '404', role: 'api' })).toBeGreaterThanOrEqual(1);
    // Raw paths never become labels: the id in the URL stays out.
    expect(await api.deps.metrics.registry.metrics()).not.toContain('some-id');
    const meLatency = { method: 'GET', route: '/api/v1/me', status: '200', role: 'api' };
    expect(await value('http_request_duration_seconds_count', meLatency)).toBe(1);
    expect(await value('http_request_duration_seconds_bucket', { ...meLatency, le: '+Inf' })).toBe(1);
    expect(find(await samples(), 'http_request_duration_seconds_bucket', { ...meLatency, le: '0.005' })).toHaveLength(1);
  });

  it('exposes the learning metrics through helpers the features call', async () => {
    api.deps.metrics.chapterCompleted(2);
    api.deps.metrics.quizAttempted(2, true, 0.8);
    api.deps.metrics.quizAttempted(2, false, 0.4);
    expect(await value('course_chapter_completions_total', { chapter: '2', role: 'api' })).toBe(1);
    expect(await value('course_quiz_attempts_total', { chapter: '2', passed: 'true', role: 'api' })).toBe(1);
    expect(await value('course_quiz_attempts_total', { chapter: '2', passed: 'false', role: 'api' })).toBe(1);
    expect(await value('course_quiz_score_ratio_count', { chapter: '2', role: 'api' })).toBe(2);
    expect(await value('course_quiz_score_ratio_bucket', { chapter: '2', role: 'api', le: '1' })).toBe(2);
    expect(await value('course_quiz_score_ratio_bucket', { chapter: '2', role: 'api', le: '0.5' })).toBe(1);
  });

  it('sets course_db_up from the readiness check', async () => {
    await api.request('GET', '/readyz');
    expect(await value('course_db_up', { role: 'api' })).toBe(1);
  });
});

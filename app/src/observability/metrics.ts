import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The app's metrics, named as docs/contracts.md lists them (alerts and rollout
 * analysis query these names). Each app instance owns its own registry so tests can
 * build many side by side; every series carries the `role` label.
 */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly dbUp: Gauge;
  /** A learner marked a chapter complete. */
  chapterCompleted(chapterNumber: number): void;
  /** A quiz attempt was graded; `ratio` is score / max score, 0…1. */
  quizAttempted(chapterNumber: number, passed: boolean, ratio: number): void;
}

export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
export const SCORE_RATIO_BUCKETS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

export function createMetrics(opts: { role: string; defaultMetrics?: boolean }): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ role: opts.role });
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_DURATION_BUCKETS,
    registers: [registry],
  });
  const completions = new Counter({
    name: 'course_chapter_completions_total',
    help: 'Chapters marked complete by learners.',
    labelNames: ['chapter'] as const,
    registers: [registry],
  });
  const attempts = new Counter({
    name: 'course_quiz_attempts_total',
    help: 'Quiz attempts graded.',
    labelNames: ['chapter', 'passed'] as const,
    registers: [registry],
  });
  const scores = new Histogram({
    name: 'course_quiz_score_ratio',
    help: 'Quiz attempt scores as a fraction of the maximum.',
    labelNames: ['chapter'] as const,
    buckets: SCORE_RATIO_BUCKETS,
    registers: [registry],
  });
  const dbUp = new Gauge({
    name: 'course_db_up',
    help: '1 when the last readiness check reached the database, 0 otherwise.',
    registers: [registry],
  });

  return {
    registry,
    httpRequests,
    httpDuration,
    dbUp,
    chapterCompleted(chapterNumber) {
      completions.inc({ chapter: String(chapterNumber) });
    },
    quizAttempted(chapterNumber, passed, ratio) {
      attempts.inc({ chapter: String(chapterNumber), passed: String(passed) });
      scores.observe({ chapter: String(chapterNumber) }, Math.min(1, Math.max(0, ratio)));
    },
  };
}

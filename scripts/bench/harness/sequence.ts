/**
 * The request sequence autocannon repeats on each connection, built from a load job
 * (pure: test/ops/bench-rounds.test.ts runs it as autocannon would).
 */
import type autocannon from 'autocannon';
import type { LoadJob } from './load-generator';

type Sequence = autocannon.Request[] | undefined;

/**
 * The job's request sequence, each pass of a connection through it as the next learner
 * (round robin). autocannon's `context` lives for one pass of one connection, so the
 * learner chosen at the first request also sends the rest of that view.
 */
export function sequenceOf(job: LoadJob): Sequence {
  const requests = job.requests ?? (job.learnerHeaders ? [{ method: 'GET' as const, path: new URL(job.url).pathname }] : undefined);
  const learners = job.learnerHeaders;
  if (!requests || !learners || learners.length === 0) return requests?.map((r) => ({ ...r }));
  let next = 0;
  return requests.map((r, index) => ({
    method: r.method,
    path: r.path,
    headers: r.headers,
    body: r.body,
    setupRequest: (request: autocannon.Request, context: object) => {
      const pass = context as { learner?: Record<string, string> };
      if (index === 0 || pass.learner === undefined) pass.learner = learners[next++ % learners.length];
      return { ...request, headers: { ...request.headers, ...pass.learner } };
    },
  }));
}

/**
 * The load generator's own process (forked by load-generator.ts): autocannon runs
 * here, so no server under test shares an event loop with it. It takes one job at a
 * time over the IPC channel and answers with the figures.
 */
import autocannon from 'autocannon';
import type { LoadJob, LoadReply } from './load-generator';
import { sequenceOf } from './sequence';

function run(job: LoadJob): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: job.url,
        connections: job.connections,
        duration: job.durationSeconds,
        headers: job.headers ?? {},
        // A sequence (e.g. the page and the POST its script sends) each connection repeats.
        requests: sequenceOf(job),
        timeout: 10,
      },
      (error, result) => (error ? reject(error as Error) : resolve(result)),
    );
  });
}

process.on('message', (job: LoadJob) => {
  run(job).then(
    (result) => {
      const reply: LoadReply = {
        ok: true,
        result: {
          requestsPerSecond: result.requests.average,
          p99Ms: result.latency.p99,
          failures: result.non2xx + result.errors + result.timeouts,
        },
      };
      process.send?.(reply);
    },
    (error: unknown) => process.send?.({ ok: false, error: error instanceof Error ? error.message : String(error) } satisfies LoadReply),
  );
});
// The parent closing the channel (or dying) ends this process.
process.on('disconnect', () => process.exit(0));

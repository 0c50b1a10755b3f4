/**
 * A bounded load against one base URL, and its verdict: at most `requests` requests,
 * `concurrency` at a time, stopped after `durationSeconds` whichever comes first. Knows
 * nothing of Kubernetes: the staging pre-promotion analysis Job runs it against the
 * preview Service (app/src/load-check.ts), a test against a local server.
 *
 * Hand-written on Node's own fetch rather than autocannon (the bench's tool): the image
 * installs production dependencies only, and the verdict needs the exact p95 of every
 * request, which autocannon's fixed percentiles (p90, p97.5, ...) do not report.
 */

export interface LoadPlan {
  /** The most requests sent in all. */
  readonly requests: number;
  /** The longest the load runs; requests still in flight then count as errors. */
  readonly durationSeconds: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** Paths requested in turn, relative to the base URL. */
  readonly paths: readonly string[];
}

export interface LoadThresholds {
  /** Highest acceptable 95th percentile latency, in seconds. */
  readonly latencyP95MaxSeconds: number;
  /** Highest acceptable share of failed requests (5xx, 4xx, timeouts, refused connections). */
  readonly errorRateMax: number;
}

export interface LoadSummary {
  readonly requests: number;
  readonly errors: number;
  readonly errorRate: number;
  /** Nearest-rank 95th percentile of every request's latency (failed ones included), seconds. */
  readonly p95Seconds: number;
  readonly elapsedSeconds: number;
  /** Requests per status code, `error` for a request that got no answer. */
  readonly statuses: Readonly<Record<string, number>>;
}

export interface LoadVerdict {
  readonly ok: boolean;
  /** One line per threshold missed; empty when ok. */
  readonly misses: readonly string[];
}

/** Nearest-rank percentile (the smallest value with at least q of the samples at or below it). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Runs the load and measures it; never throws for a failing server, it counts. */
export async function runLoad(baseUrl: string, plan: LoadPlan, now: () => number = () => performance.now()): Promise<LoadSummary> {
  const started = now();
  // One signal for the whole run: a request still open at the deadline is aborted and
  // counted as an error, so a server that hangs fails instead of stalling the Job.
  const deadline = AbortSignal.timeout(plan.durationSeconds * 1000);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let sent = 0;
  let errors = 0;

  const worker = async () => {
    while (sent < plan.requests && !deadline.aborted) {
      const path = plan.paths[sent % plan.paths.length];
      sent += 1;
      const begin = now();
      let status = 'error';
      try {
        const res = await fetch(new URL(path, baseUrl), { signal: deadline, redirect: 'manual' });
        await res.arrayBuffer();
        status = String(res.status);
      } catch {
        // Refused, reset or aborted at the deadline: no answer.
      }
      latencies.push((now() - begin) / 1000);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === 'error' || Number(status) >= 400) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(plan.concurrency, plan.requests) }, worker));

  const done = latencies.length;
  return {
    requests: done,
    errors,
    errorRate: done === 0 ? 1 : errors / done,
    p95Seconds: percentile(
      [...latencies].sort((a, b) => a - b),
      0.95,
    ),
    elapsedSeconds: (now() - started) / 1000,
    statuses,
  };
}

/** Whether a summary meets the thresholds; a run that sent nothing never passes. */
export function judgeLoad(summary: LoadSummary, thresholds: LoadThresholds): LoadVerdict {
  const misses: string[] = [];
  if (summary.requests === 0) misses.push('no request completed');
  if (summary.p95Seconds > thresholds.latencyP95MaxSeconds) {
    misses.push(`p95 ${summary.p95Seconds.toFixed(3)}s is above ${thresholds.latencyP95MaxSeconds}s`);
  }
  if (summary.errorRate > thresholds.errorRateMax) {
    misses.push(`error rate ${(summary.errorRate * 100).toFixed(2)}% is above ${(thresholds.errorRateMax * 100).toFixed(2)}%`);
  }
  return { ok: misses.length === 0, misses };
}

/** The summary as the Job's log shows it: one line, then one line per miss. */
export function formatLoad(target: string, summary: LoadSummary, verdict: LoadVerdict): string {
  const statuses = Object.keys(summary.statuses)
    .sort()
    .map((s) => `${s}=${summary.statuses[s]}`)
    .join(' ');
  const head =
    `${verdict.ok ? 'ok  ' : 'FAIL'} load ${target}: ${summary.requests} requests in ${summary.elapsedSeconds.toFixed(1)}s, ` +
    `p95 ${summary.p95Seconds.toFixed(3)}s, errors ${summary.errors} (${(summary.errorRate * 100).toFixed(2)}%), statuses ${statuses}`;
  return [head, ...verdict.misses.map((m) => `FAIL ${m}`)].join('\n') + '\n';
}

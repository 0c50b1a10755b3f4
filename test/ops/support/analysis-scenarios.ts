/**
 * Synthetic scrapes of the api role during a canary, shaped like the real ones: the
 * app's own labels (role, method, route, status; histogram buckets as
 * app/src/observability/metrics.ts declares them) plus what Prometheus and the
 * ServiceMonitor add when scraping (namespace, pod, instance, job, service, endpoint,
 * container, and rollouts_pod_template_hash from podTargetLabels; see
 * charts/constructs/service-monitor.ts and test/ops/metrics-contract.test.ts).
 *
 * Beside the canary pod there is always a busy, healthy stable pod, and kubelet
 * probes on the canary, so a query that leaked outside the canary's own requests would
 * be caught by the verdicts.
 */
import { HTTP_DURATION_BUCKETS } from '../../../app/src/observability/metrics';
import { durationSeconds } from '../../../charts/checks/analysis-run';
import type { InputSeries } from './analysis-promtool';

export const CANARY_HASH = '6d4cf56b7f';
export const STABLE_HASH = '5f7b9c8d44';
export const ROLE = 'api';

/** Requests per minute on the canary and their p95 latency. */
export interface Minute {
  readonly ok: number;
  readonly errors: number;
  readonly p95Seconds: number;
}

export interface ScrapeParams {
  readonly namespace: string;
  readonly scrapeInterval: string;
  /** How long the series run, in minutes. */
  readonly minutes: number;
}

const QUANTILE = 0.95;

/**
 * Share of requests at or below each bucket bound such that Prometheus'
 * histogram_quantile(0.95) (linear interpolation inside the bucket) gives `p95`.
 */
export function cumulativeShares(p95: number, bounds: readonly number[] = HTTP_DURATION_BUCKETS): number[] {
  const k = bounds.findIndex((b) => b >= p95);
  if (k < 0) throw new Error(`p95 ${p95}s is above the highest finite bucket ${bounds[bounds.length - 1]}s`);
  const lo = k === 0 ? 0 : bounds[k - 1];
  const hi = bounds[k];
  const x = (p95 - lo) / (hi - lo);
  // Share at `lo` and at `hi`: the rank 0.95 falls at fraction x between them.
  const [atLo, atHi] = x >= QUANTILE ? [0, QUANTILE / x] : [(QUANTILE - x) / (1 - x), 1];
  return bounds.map((_, i) => (i < k ? atLo : i === k ? atHi : 1));
}

function formatLe(le: number): string {
  return le === Infinity ? '+Inf' : String(le);
}

/**
 * Explicit sample values of a counter growing by `increment(k)` at scrape k, absent
 * ('_') before `from`: prom-client creates a labelled series on its first
 * observation, so a status that never occurred has no series at all.
 */
function counterValues(samples: number, from: number, increment: (k: number) => number): string {
  const values: string[] = [];
  let total = 0;
  for (let k = 0; k < samples; k++) {
    if (k > 0) total += increment(k);
    values.push(k < from ? '_' : String(Number(total.toFixed(6))));
  }
  return values.join(' ');
}

/** First scrape that shows a request counted by `increment`, or -1 if none does. */
function firstSeen(samples: number, increment: (k: number) => number): number {
  for (let k = 1; k < samples; k++) if (increment(k) > 0) return k;
  return -1;
}

/** The series of one pod serving `traffic(minute)` on one route. */
function podSeries(
  p: ScrapeParams,
  pod: { hash: string; suffix: string; ip: string },
  route: string,
  traffic: (minute: number) => Minute,
): InputSeries[] {
  const scrape = durationSeconds(p.scrapeInterval);
  const samples = Math.floor((p.minutes * 60) / scrape) + 1;
  // Sample k counts the requests answered since sample k-1.
  const minuteOf = (k: number) => Math.floor(((k - 1) * scrape) / 60);
  const perScrape = (k: number) => {
    const m = traffic(minuteOf(k));
    return { ok: (m.ok * scrape) / 60, errors: (m.errors * scrape) / 60, p95: m.p95Seconds };
  };
  const labels = (extra: string) =>
    `{namespace="${p.namespace}",role="${ROLE}",method="GET",route="${route}",${extra}` +
    `rollouts_pod_template_hash="${pod.hash}",pod="${ROLE}-${pod.hash}-${pod.suffix}",instance="${pod.ip}:9100",` +
    `job="${ROLE}-metrics",service="${ROLE}-metrics",endpoint="metrics",container="${ROLE}"}`;
  const series: InputSeries[] = [];
  for (const [status, pick] of [
    ['200', (k: number) => perScrape(k).ok],
    ['500', (k: number) => perScrape(k).errors],
  ] as const) {
    const from = firstSeen(samples, pick);
    if (from < 0) continue;
    const values = (increment: (k: number) => number) => counterValues(samples, from, increment);
    series.push({ series: `http_requests_total${labels(`status="${status}",`)}`, values: values(pick) });
    series.push({ series: `http_request_duration_seconds_count${labels(`status="${status}",`)}`, values: values(pick) });
    for (const [i, le] of [...HTTP_DURATION_BUCKETS, Infinity].entries()) {
      const share = (k: number) => (le === Infinity ? 1 : cumulativeShares(perScrape(k).p95)[i]);
      series.push({
        series: `http_request_duration_seconds_bucket${labels(`status="${status}",le="${formatLe(le)}",`)}`,
        values: values((k) => pick(k) * share(k)),
      });
    }
  }
  return series;
}

const CANARY_POD = { hash: CANARY_HASH, suffix: 'x7k2p', ip: '10.0.3.17' };
const STABLE_POD = { hash: STABLE_HASH, suffix: 'q9d4m', ip: '10.0.3.11' };

/**
 * The canary serving `canary(minute)`, with kubelet probes on it (every 10 s, and
 * failing: probes are not users), and a stable pod serving 6,000 fast, healthy
 * requests a minute throughout. `canary: undefined` means the canary has not been
 * scraped at all (no series).
 */
export function scrapes(p: ScrapeParams, canary: ((minute: number) => Minute) | undefined): InputSeries[] {
  const probes = () => ({ ok: 0, errors: 6, p95Seconds: 0.004 });
  return [
    ...podSeries(p, STABLE_POD, '/api/v1/chapters/:number', () => ({ ok: 6000, errors: 0, p95Seconds: 0.04 })),
    ...(canary ? [...podSeries(p, CANARY_POD, '/api/v1/chapters/:number', canary), ...podSeries(p, CANARY_POD, '/readyz', probes)] : []),
  ];
}

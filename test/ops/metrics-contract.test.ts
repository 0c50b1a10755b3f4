import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { startServer, RunningServer } from '../../app/src/server';
import { testConfig } from '../support/http';
import { contractProblems, selectorsOf } from './support/promql';

// Every metric name and label in the shipped PrometheusRules and AnalysisTemplates
// (dist/<env>/, what Argo CD applies) must exist in what the real api serves on its
// metrics port, or the alerts and the canary analysis would watch nothing.
const REPO = resolve(__dirname, '../..');

/** From kube-state-metrics, not the app (docs/contracts.md, "Metrics"). */
const KUBE_STATE_METRICS = new Set([
  'kube_pod_container_status_restarts_total',
  'kube_horizontalpodautoscaler_status_current_replicas',
  'kube_horizontalpodautoscaler_spec_max_replicas',
  'kube_horizontalpodautoscaler_spec_min_replicas',
  'kube_cronjob_status_last_successful_time',
]);
/** Added by Prometheus and the ServiceMonitor (podTargetLabels) when scraping. */
const SCRAPE_LABELS = new Set(['namespace', 'service', 'pod', 'job', 'instance', 'container', 'endpoint', 'rollouts_pod_template_hash']);

function shippedQueries(): { where: string; query: string }[] {
  const queries: { where: string; query: string }[] = [];
  for (const env of readdirSync(join(REPO, 'dist'))) {
    for (const file of readdirSync(join(REPO, 'dist', env))) {
      const manifest = parse(readFileSync(join(REPO, 'dist', env, file), 'utf8'));
      const where = `dist/${env}/${file}`;
      if (manifest.kind === 'PrometheusRule') {
        for (const group of manifest.spec.groups) for (const rule of group.rules) queries.push({ where, query: String(rule.expr) });
      }
      if (manifest.kind === 'AnalysisTemplate') {
        for (const metric of manifest.spec.metrics ?? []) {
          const query = metric.provider?.prometheus?.query;
          if (query) queries.push({ where, query });
        }
      }
    }
  }
  return queries;
}

/** Recording rules' own names are defined by the rules, not scraped. */
function recordedNames(): Set<string> {
  const names = new Set<string>();
  for (const env of readdirSync(join(REPO, 'dist'))) {
    for (const file of readdirSync(join(REPO, 'dist', env)).filter((f) => f.startsWith('prometheusrule-'))) {
      const manifest = parse(readFileSync(join(REPO, 'dist', env, file), 'utf8'));
      for (const group of manifest.spec.groups) for (const rule of group.rules) if (rule.record) names.add(rule.record);
    }
  }
  return names;
}

let server: RunningServer;
let exposition: string;

beforeAll(async () => {
  server = await startServer(testConfig({ role: 'api', port: 0, metricsPort: 0 }), { host: '127.0.0.1', metricsServer: true });
  // Traffic, so that every labelled series exists: a success, a client error, a probe.
  for (const path of ['/livez', '/readyz', '/api/v1/plans', '/api/v1/nowhere']) await fetch(`${server.urls.api}${path}`);
  exposition = await (await fetch(`${server.urls.metrics}/metrics`)).text();
}, 120_000);

afterAll(async () => {
  await server?.shutdown();
}, 120_000);

const external = () => ({ externalMetrics: new Set([...KUBE_STATE_METRICS, ...recordedNames()]), scrapeLabels: SCRAPE_LABELS });

it('reads queries from every shipped PrometheusRule and AnalysisTemplate', () => {
  const queries = shippedQueries();
  expect(queries.some((q) => q.where.includes('prometheusrule-'))).toBe(true);
  expect(queries.some((q) => q.where.includes('analysistemplate-'))).toBe(true);
  const metrics = new Set(queries.flatMap((q) => selectorsOf(q.query).map((s) => s.metric)));
  expect([...metrics]).toEqual(
    expect.arrayContaining(['http_requests_total', 'http_request_duration_seconds_bucket', 'kube_cronjob_status_last_successful_time']),
  );
});

it('finds every metric name and label of those queries in the api /metrics', () => {
  expect(contractProblems(shippedQueries(), exposition, external())).toEqual([]);
});

it('notices a misspelt metric and a label the app does not set (the check can fail)', () => {
  const broken = [
    { where: 'broken', query: 'sum(rate(http_request_total{namespace="x"}[5m]))' },
    { where: 'broken', query: 'rate(http_requests_total{handler="/api"}[5m])' },
    { where: 'broken', query: 'kube_cronjob_status_last_successful_time{cronjob="backup"} and up' },
  ];
  expect(contractProblems(broken, exposition, external())).toEqual([
    "broken: metric http_request_total is not in the app's /metrics",
    'broken: http_requests_total has no label handler',
    "broken: metric up is not in the app's /metrics",
  ]);
});

it('reads selectors the way PromQL does', () => {
  expect(
    selectorsOf(
      'histogram_quantile(0.95, sum by (le, role) (rate(x_bucket{a="1", b=~"{{args.role}}"}[5m]))) > on (role) y and absent(z{c!="2"})',
    ),
  ).toEqual([
    { metric: 'x_bucket', labels: ['a', 'b'] },
    { metric: 'z', labels: ['c'] },
    { metric: 'y', labels: [] },
  ]);
});

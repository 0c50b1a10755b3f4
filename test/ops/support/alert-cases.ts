/**
 * `promtool test rules` cases for the alerts in charts/constructs/monitoring/slo-rules.ts,
 * parameterized by what differs between environments (namespace, SLO, latency budget).
 * Each alert has a case in which it must fire and one in which it must stay quiet.
 *
 * Series notation (promtool): 'a+bxn' is n+1 samples a, a+b, a+2b, … one `interval` apart;
 * the test clock starts at the Unix epoch, so time() at eval_time 27h is 97200.
 */
import { ALERTS } from '../../../charts/constructs/monitoring/slo-rules';

export interface AlertExpectation {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts: ReadonlyArray<{ readonly exp_labels: Readonly<Record<string, string>> }>;
}

export interface PromtoolTestGroup {
  readonly name: string;
  readonly interval: string;
  readonly input_series: ReadonlyArray<{ readonly series: string; readonly values: string }>;
  readonly alert_rule_test: readonly AlertExpectation[];
}

export interface AlertCaseParams {
  readonly namespace: string;
  readonly latencyP95Seconds: number;
  readonly backupCronJob: string;
  readonly weeklyBackupCronJob: string;
  /** `monitoring.urgentAlerts` of the environment: what the alerts that page in production carry. */
  readonly urgentSeverity: 'page' | 'ticket';
}

const BURN_ALERTS = ['1h', '6h', '1d', '3d'].map((w) => ({ window: w, alert: ALERTS.burn(w) }));
const PAGE_WINDOWS = new Set(['1h', '6h']);

export function alertCases(p: AlertCaseParams): PromtoolTestGroup[] {
  const ns = p.namespace;
  const requests = (status: string, values: string, namespace = ns) => ({
    series: `http_requests_total{namespace="${namespace}",role="api",route="/api/v1/course",method="GET",status="${status}"}`,
    values,
  });
  const probe = (values: string) => ({
    series: `http_requests_total{namespace="${ns}",role="api",route="/readyz",method="GET",status="503"}`,
    values,
  });
  const burning = (window: string) => ({
    exp_labels: {
      namespace: ns,
      role: 'api',
      severity: PAGE_WINDOWS.has(window) ? p.urgentSeverity : 'ticket',
      slo: 'availability',
      window,
    },
  });
  const expectBurn = (eval_time: string, firing: readonly string[]): AlertExpectation[] =>
    BURN_ALERTS.map(({ window, alert }) => ({
      eval_time,
      alertname: alert,
      exp_alerts: firing.includes(window) ? [burning(window)] : [],
    }));

  // Latency buckets placed around the budget, so the same cases hold for any budget.
  const b = p.latencyP95Seconds;
  const bounds = [b / 4, b / 2, b, 2 * b, 4 * b].map((v) => String(Number(v.toPrecision(6))));
  const histogram = (role: string, perMinuteUpTo: (le: number) => number) =>
    [...bounds.map(Number), Infinity].map((le) => ({
      series:
        `http_request_duration_seconds_bucket{namespace="${ns}",role="${role}",route="/api/v1/chapters/:number",` +
        `method="GET",status="200",le="${le === Infinity ? '+Inf' : String(Number(le.toPrecision(6)))}"}`,
      values: `0+${perMinuteUpTo(le)}x40`,
    }));

  return [
    {
      name: 'a 9% error ratio fires every burn-rate alert',
      interval: '1m',
      input_series: [requests('200', '0+1000x120'), requests('500', '0+100x120')],
      alert_rule_test: expectBurn('30m', ['1h', '6h', '1d', '3d']),
    },
    {
      name: 'a healthy service (0.05% errors, failing readiness probes, a broken neighbour) fires none',
      interval: '1m',
      input_series: [
        requests('200', '0+1000x150'),
        requests('500', '0+0.5x150'),
        // Probes are not user traffic: a pod that is not ready burns no error budget.
        probe('0+500x150'),
        // Another environment's errors are not this one's.
        requests('500', '0+1000x150', `${ns}-elsewhere`),
      ],
      alert_rule_test: expectBurn('2h', []),
    },
    {
      name: 'the fast burn alert resets within minutes once the errors stop (short window)',
      interval: '1m',
      input_series: [requests('200', '0+1000x120'), requests('500', '0+100x60 6000+0x60')],
      alert_rule_test: [
        { eval_time: '50m', alertname: ALERTS.burn('1h'), exp_alerts: [burning('1h')] },
        { eval_time: '70m', alertname: ALERTS.burn('1h'), exp_alerts: [] },
      ],
    },
    {
      // The long windows hold only the hour of data there is; the ratio is what matters.
      name: 'a 0.8% error ratio pages on the 6h window only',
      interval: '1m',
      input_series: [requests('200', '0+1000x70'), requests('500', '0+8x70')],
      alert_rule_test: expectBurn('1h', ['6h', '1d', '3d']),
    },
    {
      name: 'a 0.4% error ratio opens tickets, pages nobody',
      interval: '1m',
      input_series: [requests('200', '0+1000x70'), requests('500', '0+4x70')],
      alert_rule_test: expectBurn('1h', ['1d', '3d']),
    },
    {
      name: 'p95 latency over the budget for 10 minutes fires; within it stays quiet',
      interval: '1m',
      input_series: [
        // api: every request between 1× and 2× the budget, so p95 ≈ 1.95× budget.
        ...histogram('api', (le) => (le > b ? 100 : 0)),
        // web: every request between ¼ and ½ of the budget.
        ...histogram('web', (le) => (le > b / 4 ? 100 : 0)),
      ],
      alert_rule_test: [
        {
          eval_time: '30m',
          alertname: ALERTS.latency,
          exp_alerts: [{ exp_labels: { namespace: ns, role: 'api', severity: 'ticket', slo: 'latency' } }],
        },
        // Not yet 10 minutes over budget.
        { eval_time: '8m', alertname: ALERTS.latency, exp_alerts: [] },
      ],
    },
    {
      name: 'a container restarting every minute fires; one restart does not',
      interval: '1m',
      input_series: [
        { series: `kube_pod_container_status_restarts_total{namespace="${ns}",pod="api-7d9f-abcde",container="api"}`, values: '0+1x30' },
        { series: `kube_pod_container_status_restarts_total{namespace="${ns}",pod="web-5c8b-fghij",container="web"}`, values: '0x15 1x15' },
      ],
      alert_rule_test: [
        {
          eval_time: '20m',
          alertname: ALERTS.restarts,
          exp_alerts: [{ exp_labels: { namespace: ns, pod: 'api-7d9f-abcde', container: 'api', severity: 'ticket' } }],
        },
      ],
    },
    {
      name: 'a single restart does not fire',
      interval: '1m',
      input_series: [
        { series: `kube_pod_container_status_restarts_total{namespace="${ns}",pod="web-5c8b-fghij",container="web"}`, values: '0x15 1x15' },
      ],
      alert_rule_test: [{ eval_time: '20m', alertname: ALERTS.restarts, exp_alerts: [] }],
    },
    {
      name: 'an autoscaler at its maximum for 15 minutes fires; below it, or with min = max, it does not',
      interval: '1m',
      input_series: [
        hpa('status_current_replicas', 'api', '8x30'),
        hpa('spec_max_replicas', 'api', '8x30'),
        hpa('spec_min_replicas', 'api', '2x30'),
        hpa('status_current_replicas', 'web', '3x30'),
        hpa('spec_max_replicas', 'web', '4x30'),
        hpa('spec_min_replicas', 'web', '2x30'),
        hpa('status_current_replicas', 'worker', '1x30'),
        hpa('spec_max_replicas', 'worker', '1x30'),
        hpa('spec_min_replicas', 'worker', '1x30'),
      ],
      alert_rule_test: [
        {
          eval_time: '20m',
          alertname: ALERTS.hpaMaxed,
          exp_alerts: [{ exp_labels: { namespace: ns, horizontalpodautoscaler: 'api', severity: 'ticket' } }],
        },
        { eval_time: '10m', alertname: ALERTS.hpaMaxed, exp_alerts: [] },
      ],
    },
    {
      // The test clock starts at the Unix epoch, so a success "27 hours before" is a
      // negative timestamp; evaluating at 10m keeps the run short.
      name: 'a backup last successful 27 hours ago fires; one from 3 hours ago does not',
      interval: '1m',
      input_series: [
        { series: `kube_cronjob_status_last_successful_time{namespace="${ns}",cronjob="${p.backupCronJob}"}`, values: `${-27 * 3600}x20` },
        // Another CronJob's age is not the backup's.
        { series: `kube_cronjob_status_last_successful_time{namespace="${ns}",cronjob="report"}`, values: `${-27 * 3600}x20` },
        {
          series: `kube_cronjob_status_last_successful_time{namespace="${ns}-fresh",cronjob="${p.backupCronJob}"}`,
          values: `${-3 * 3600}x20`,
        },
      ],
      alert_rule_test: [
        {
          eval_time: '10m',
          alertname: ALERTS.backupTooOld,
          exp_alerts: [{ exp_labels: { namespace: ns, cronjob: p.backupCronJob, severity: p.urgentSeverity } }],
        },
      ],
    },
    {
      name: 'a backup that succeeded 25 hours ago does not fire yet',
      interval: '1m',
      input_series: [
        { series: `kube_cronjob_status_last_successful_time{namespace="${ns}",cronjob="${p.backupCronJob}"}`, values: `${-25 * 3600}x20` },
      ],
      alert_rule_test: [{ eval_time: '10m', alertname: ALERTS.backupTooOld, exp_alerts: [] }],
    },
    {
      // Issue 11, point 11: the weekly copy had no age alert at all.
      name: "a weekly copy last successful 9 days ago fires (as a ticket); the daily job's age does not count",
      interval: '1m',
      input_series: [
        {
          series: `kube_cronjob_status_last_successful_time{namespace="${ns}",cronjob="${p.weeklyBackupCronJob}"}`,
          values: `${-9 * 24 * 3600}x20`,
        },
        {
          series: `kube_cronjob_status_last_successful_time{namespace="${ns}-other",cronjob="${p.weeklyBackupCronJob}"}`,
          values: `${-9 * 24 * 3600}x20`,
        },
      ],
      alert_rule_test: [
        {
          eval_time: '10m',
          alertname: ALERTS.weeklyBackupTooOld,
          exp_alerts: [{ exp_labels: { namespace: ns, cronjob: p.weeklyBackupCronJob, severity: 'ticket' } }],
        },
      ],
    },
    {
      name: 'a weekly copy from 7 days ago does not fire yet',
      interval: '1m',
      input_series: [
        {
          series: `kube_cronjob_status_last_successful_time{namespace="${ns}",cronjob="${p.weeklyBackupCronJob}"}`,
          values: `${-7 * 24 * 3600}x20`,
        },
      ],
      alert_rule_test: [{ eval_time: '10m', alertname: ALERTS.weeklyBackupTooOld, exp_alerts: [] }],
    },
  ];

  function hpa(metric: string, name: string, values: string) {
    return { series: `kube_horizontalpodautoscaler_${metric}{namespace="${ns}",horizontalpodautoscaler="${name}"}`, values };
  }
}

/**
 * Cases that need a day of evaluations: run with an evaluation interval of 1h (a file of
 * their own), since promtool evaluates every rule at every step.
 */
export function dayLongAlertCases(p: AlertCaseParams): PromtoolTestGroup[] {
  const ns = p.namespace;
  const lastSuccess = (namespace: string) =>
    `kube_cronjob_status_last_successful_time{namespace="${namespace}",cronjob="${p.backupCronJob}"}`;
  return [
    {
      name: 'a backup CronJob that never succeeded fires after 26 hours',
      interval: '1h',
      input_series: [{ series: lastSuccess(`${ns}-elsewhere`), values: '0x30' }],
      alert_rule_test: [
        { eval_time: '25h', alertname: ALERTS.backupMissing, exp_alerts: [] },
        {
          eval_time: '27h',
          alertname: ALERTS.backupMissing,
          exp_alerts: [{ exp_labels: { namespace: ns, cronjob: p.backupCronJob, severity: p.urgentSeverity } }],
        },
      ],
    },
    {
      name: 'a backup CronJob that has succeeded is not missing',
      interval: '1h',
      input_series: [{ series: lastSuccess(ns), values: '0x30' }],
      alert_rule_test: [{ eval_time: '27h', alertname: ALERTS.backupMissing, exp_alerts: [] }],
    },
    {
      name: 'a weekly-copy CronJob that never succeeded fires after 8 days',
      interval: '1h',
      input_series: [
        { series: `kube_cronjob_status_last_successful_time{namespace="${ns}",cronjob="${p.backupCronJob}"}`, values: '0x200' },
      ],
      alert_rule_test: [
        { eval_time: '191h', alertname: ALERTS.weeklyBackupMissing, exp_alerts: [] },
        {
          eval_time: '194h',
          alertname: ALERTS.weeklyBackupMissing,
          exp_alerts: [{ exp_labels: { namespace: ns, cronjob: p.weeklyBackupCronJob, severity: 'ticket' } }],
        },
      ],
    },
    {
      name: 'a weekly-copy CronJob that has succeeded is not missing',
      interval: '1h',
      input_series: [
        { series: `kube_cronjob_status_last_successful_time{namespace="${ns}",cronjob="${p.weeklyBackupCronJob}"}`, values: '0x200' },
      ],
      alert_rule_test: [{ eval_time: '194h', alertname: ALERTS.weeklyBackupMissing, exp_alerts: [] }],
    },
  ];
}

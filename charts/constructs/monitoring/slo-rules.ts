/**
 * The Prometheus rules that watch one environment, as plain data: recording rules for
 * the error ratio over each burn-rate window, the multi-window multi-burn-rate alerts of
 * the availability SLO (Google SRE workbook, "Alerting on SLOs", table 5-8), p95 latency,
 * restarting pods, autoscalers pinned at their maximum and stale backups.
 *
 * Every query names the environment's namespace, so one Prometheus can watch staging
 * and production without one's alerts firing for the other. App metrics and labels are
 * those of docs/contracts.md; `namespace` is added by the ServiceMonitor; the rest come
 * from kube-state-metrics. test/ops/prometheus-rules.test.ts proves each alert with
 * `promtool test rules`, test/ops/metrics-contract.test.ts proves the names.
 */

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  /** How long the condition must hold before the alert fires. */
  readonly for?: string;
  readonly labels: { readonly severity: Severity } & Readonly<Record<string, string>>;
  readonly annotations: { readonly summary: string; readonly description: string; readonly runbook_url: string };
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: ReadonlyArray<RecordingRule | AlertingRule>;
}

/** `page` wakes someone up; `ticket` is work for the next working day. */
export type Severity = 'page' | 'ticket';

export interface SloRulesProps {
  /** Namespace of the environment; every selector is scoped to it. */
  readonly namespace: string;
  /** Availability objective as a ratio, e.g. 0.999 (non-5xx responses / all responses). */
  readonly availability: number;
  /** p95 latency budget in seconds. */
  readonly latencyP95Seconds: number;
  /** Page describing what to do about each alert; the alert's anchor is appended. */
  readonly runbookUrl: string;
  /** Name of the backup CronJob whose last success kube-state-metrics reports. */
  readonly backupCronJobName: string;
  /** Alert when the newest successful backup is older than this. @default 26 */
  readonly backupMaxAgeHours?: number;
  /** Name of the weekly-copy CronJob, watched the same way (issue 11, point 11). */
  readonly weeklyBackupCronJobName: string;
  /** Alert when the newest weekly copy is older than this: a week and a day. @default 192 */
  readonly weeklyBackupMaxAgeHours?: number;
  /**
   * What the alerts marked `page` carry in this environment: `page` wakes the on-call
   * engineer, `ticket` routes them to the next working day (staging: nobody's users are
   * hurt at night). Alertmanager routes on the `severity` label. @default 'page'
   */
  readonly urgentSeverity?: Severity;
  /** Restarts of one container within 15 minutes that count as "restarting". @default 3 */
  readonly restartsPer15m?: number;
}

/** Health and metrics endpoints are not user traffic (same exclusion as the AnalysisTemplates). */
export const NON_USER_ROUTES = '/livez|/readyz|/health|/metrics';

/**
 * Burn-rate alerts: a long window says the budget is really burning, a short window
 * (1/12 of it) says it still is, so the alert resets soon after the problem ends.
 * Factor × (1 − SLO) is the error ratio at which the budget of 30 days lasts 30/factor days.
 */
export const BURN_RATE_ALERTS = [
  { long: '1h', short: '5m', factor: 14.4, severity: 'page', budgetSpent: '2% of the 30-day error budget in 1 hour' },
  { long: '6h', short: '30m', factor: 6, severity: 'page', budgetSpent: '5% of the 30-day error budget in 6 hours' },
  { long: '1d', short: '2h', factor: 3, severity: 'ticket', budgetSpent: '10% of the 30-day error budget in 1 day' },
  { long: '3d', short: '6h', factor: 1, severity: 'ticket', budgetSpent: '10% of the 30-day error budget in 3 days' },
] as const;

export const ERROR_RATIO_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

export const errorRatioRecord = (window: string) => `namespace_role:http_request_errors:ratio_rate${window}`;
export const LATENCY_P95_RECORD = 'namespace_role:http_request_duration_seconds:p95_rate5m';

/** Alert names, exported so tests and the runbook refer to the same strings. */
export const ALERTS = {
  burn: (long: string) => `CourseCompanionErrorBudgetBurn${long}`,
  latency: 'CourseCompanionLatencyP95OverBudget',
  restarts: 'CourseCompanionPodRestarting',
  hpaMaxed: 'CourseCompanionAutoscalerAtMaximum',
  backupTooOld: 'CourseCompanionBackupTooOld',
  backupMissing: 'CourseCompanionBackupMissing',
  weeklyBackupTooOld: 'CourseCompanionWeeklyBackupTooOld',
  weeklyBackupMissing: 'CourseCompanionWeeklyBackupMissing',
} as const;

/** Rounds away binary floating-point noise: 1 − 0.999 is 0.0010000000000000009. */
const tidy = (value: number) => Number(value.toPrecision(12));

/** What every rule builder needs: the props, the namespace matcher, the error budget. */
interface RuleContext {
  readonly props: SloRulesProps;
  readonly ns: string;
  readonly budget: number;
  readonly annotations: (alert: string, summary: string, description: string) => AlertingRule['annotations'];
}

export function sloRuleGroups(props: SloRulesProps): RuleGroup[] {
  validate(props);
  const c: RuleContext = {
    props,
    ns: `namespace="${props.namespace}"`,
    budget: tidy(1 - props.availability),
    annotations: (alert, summary, description) => ({ summary, description, runbook_url: `${props.runbookUrl}#${alert.toLowerCase()}` }),
  };
  const alerts = [...burnRateAlerts(c), ...serviceAlerts(c), ...backupAlerts(c)];
  return [
    { name: 'course-companion-slo-recording', rules: recordingRules(c) },
    { name: 'course-companion-alerts', rules: alerts.map((rule) => routed(rule, props.urgentSeverity ?? 'page')) },
  ];
}

function recordingRules({ ns }: RuleContext): RecordingRule[] {
  const userRequests = `${ns}, route!~"${NON_USER_ROUTES}"`;
  return [
    ...ERROR_RATIO_WINDOWS.map((window) => ({
      record: errorRatioRecord(window),
      expr:
        `sum by (namespace, role) (rate(http_requests_total{${userRequests}, status=~"5.."}[${window}]))\n` +
        `/\n` +
        `sum by (namespace, role) (rate(http_requests_total{${userRequests}}[${window}]))`,
    })),
    {
      record: LATENCY_P95_RECORD,
      expr: `histogram_quantile(0.95, sum by (namespace, role, le) (rate(http_request_duration_seconds_bucket{${userRequests}}[5m])))`,
    },
  ];
}

function burnRateAlerts({ ns, budget, annotations }: RuleContext): AlertingRule[] {
  return BURN_RATE_ALERTS.map(({ long, short, factor, severity, budgetSpent }) => {
    const threshold = tidy(factor * budget);
    const alert = ALERTS.burn(long);
    return {
      alert,
      expr:
        `${errorRatioRecord(long)}{${ns}} > ${threshold}\n` +
        `and on (namespace, role)\n` +
        `${errorRatioRecord(short)}{${ns}} > ${threshold}`,
      // The short window already filters blips; 2m rides out one bad scrape.
      for: severity === 'page' ? '2m' : '15m',
      labels: { severity, slo: 'availability', window: long },
      annotations: annotations(
        alert,
        `{{ $labels.role }} is burning its error budget ${factor}× too fast (${long} window)`,
        `{{ $labels.role }} in {{ $labels.namespace }} answered {{ $value | humanizePercentage }} of requests with 5xx ` +
          `over the last ${long} and the last ${short}; the SLO allows ${tidy(budget * 100)}%. At this rate it spends ${budgetSpent}.`,
      ),
    };
  });
}

function serviceAlerts({ props, ns, annotations }: RuleContext): AlertingRule[] {
  const restarts = props.restartsPer15m ?? 3;
  return [
    {
      alert: ALERTS.latency,
      expr: `${LATENCY_P95_RECORD}{${ns}} > ${props.latencyP95Seconds}`,
      for: '10m',
      labels: { severity: 'ticket', slo: 'latency' },
      annotations: annotations(
        ALERTS.latency,
        `{{ $labels.role }} p95 latency is over its ${props.latencyP95Seconds}s budget`,
        `p95 latency of {{ $labels.role }} in {{ $labels.namespace }} has been {{ $value | humanizeDuration }} for 10 minutes ` +
          `(budget ${props.latencyP95Seconds}s).`,
      ),
    },
    {
      alert: ALERTS.restarts,
      expr: `increase(kube_pod_container_status_restarts_total{${ns}}[15m]) >= ${restarts}`,
      labels: { severity: 'ticket' },
      annotations: annotations(
        ALERTS.restarts,
        `{{ $labels.pod }}/{{ $labels.container }} keeps restarting`,
        `Container {{ $labels.container }} of {{ $labels.pod }} in {{ $labels.namespace }} restarted ` +
          `{{ $value | printf "%.0f" }} times in 15 minutes.`,
      ),
    },
    {
      alert: ALERTS.hpaMaxed,
      // Only autoscalers that can scale at all: one with min = max is always "at maximum".
      expr:
        `kube_horizontalpodautoscaler_status_current_replicas{${ns}}\n` +
        `  >= on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_max_replicas{${ns}}\n` +
        `and on (namespace, horizontalpodautoscaler)\n` +
        `(kube_horizontalpodautoscaler_spec_max_replicas{${ns}}\n` +
        `  > on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_min_replicas{${ns}})`,
      for: '15m',
      labels: { severity: 'ticket' },
      annotations: annotations(
        ALERTS.hpaMaxed,
        `autoscaler {{ $labels.horizontalpodautoscaler }} has been at its maximum for 15 minutes`,
        `{{ $labels.horizontalpodautoscaler }} in {{ $labels.namespace }} runs {{ $value }} replicas, its maximum: ` +
          `it cannot absorb more load. Raise the maximum in the environment file or find what got slower.`,
      ),
    },
  ];
}

function backupAlerts(c: RuleContext): AlertingRule[] {
  const { props } = c;
  return [
    ...backupAgeAlerts(c, {
      cronJob: props.backupCronJobName,
      maxAgeHours: props.backupMaxAgeHours ?? 26,
      what: 'database backup',
      severity: 'page',
      alerts: [ALERTS.backupTooOld, ALERTS.backupMissing],
    }),
    // The weekly copies are the long tail of retention (26 weeks): if the copy job
    // breaks, the dailies still protect last month, so these open a ticket, never page.
    ...backupAgeAlerts(c, {
      cronJob: props.weeklyBackupCronJobName,
      maxAgeHours: props.weeklyBackupMaxAgeHours ?? 8 * 24,
      what: 'weekly backup copy',
      severity: 'ticket',
      alerts: [ALERTS.weeklyBackupTooOld, ALERTS.weeklyBackupMissing],
    }),
  ];
}

interface BackupAge {
  readonly cronJob: string;
  readonly maxAgeHours: number;
  /** How the summaries name a copy. */
  readonly what: string;
  readonly severity: Severity;
  /** The "too old" and the "missing" alert's names. */
  readonly alerts: readonly [string, string];
}

/** A backup CronJob's newest success is too old, or there has never been one. */
function backupAgeAlerts({ props, ns, annotations }: RuleContext, backup: BackupAge): AlertingRule[] {
  const {
    cronJob,
    maxAgeHours,
    what,
    severity,
    alerts: [tooOld, missing],
  } = backup;
  return [
    {
      alert: tooOld,
      // kube-state-metrics reports the CronJob's status.lastSuccessfulTime; the job only
      // succeeds after rclone verified the uploaded object, so this is "newest stored copy".
      expr:
        `time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{${ns}, cronjob="${cronJob}"})\n` +
        `> ${maxAgeHours * 3600}`,
      labels: { severity },
      annotations: annotations(
        tooOld,
        `the newest ${what} is older than ${maxAgeHours} hours`,
        `The last successful run of CronJob {{ $labels.cronjob }} in {{ $labels.namespace }} was ` + `{{ $value | humanizeDuration }} ago.`,
      ),
    },
    {
      alert: missing,
      // A CronJob that never succeeded has no lastSuccessfulTime, hence no series at all.
      expr: `absent(kube_cronjob_status_last_successful_time{${ns}, cronjob="${cronJob}"})`,
      for: `${maxAgeHours}h`,
      labels: { severity },
      annotations: annotations(
        missing,
        `no successful ${what} for ${maxAgeHours} hours`,
        `kube-state-metrics has reported no successful run of CronJob ${cronJob} in ${props.namespace} for ${maxAgeHours} hours.`,
      ),
    },
  ];
}

/** An alert marked `page` carries the environment's urgent severity instead. */
function routed(rule: AlertingRule, urgent: Severity): AlertingRule {
  return rule.labels.severity === 'page' ? { ...rule, labels: { ...rule.labels, severity: urgent } } : rule;
}

function validate(props: SloRulesProps): void {
  if (!(props.availability > 0 && props.availability < 1)) {
    throw new Error(`SLO rules: 'availability' must be a ratio between 0 and 1 (exclusive), got ${props.availability}`);
  }
  if (!(props.latencyP95Seconds > 0)) {
    throw new Error(`SLO rules: 'latencyP95Seconds' must be greater than 0, got ${props.latencyP95Seconds}`);
  }
  if (props.backupMaxAgeHours !== undefined && !(props.backupMaxAgeHours >= 1)) {
    throw new Error(`SLO rules: 'backupMaxAgeHours' must be at least 1, got ${props.backupMaxAgeHours}`);
  }
  if (!/^https?:\/\//.test(props.runbookUrl)) {
    throw new Error(`SLO rules: 'runbookUrl' must be an http(s) URL, got '${props.runbookUrl}'`);
  }
}

/**
 * The PrometheusRule of one environment: SLO burn-rate alerts, latency, restarts,
 * autoscaler saturation and backup age (rules in ./slo-rules.ts). prometheus-operator
 * picks it up through the labels its ruleSelector matches.
 */
import { Construct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/prometheusrules-monitoring.coreos.com';
import { AlertingRule, RecordingRule, sloRuleGroups } from './slo-rules';
import { SYNC_WAVE, syncWave } from '../labels';

export interface CourseAlertRulesProps {
  /** @default 'course-companion' */
  readonly name?: string;
  /** Namespace whose series the rules read. */
  readonly namespace: string;
  /** Availability objective, e.g. 0.999. */
  readonly availability: number;
  /** p95 latency budget in seconds. */
  readonly latencyP95Seconds: number;
  /** Runbook page; each alert links to its own anchor on it. */
  readonly runbookUrl: string;
  /** The backup CronJob whose age is watched (pass the construct's object, not a string). */
  readonly backupCronJob: { readonly name: string };
  /** @default 26 */
  readonly backupMaxAgeHours?: number;
  /** The weekly-copy CronJob, whose age is watched too. */
  readonly weeklyBackupCronJob: { readonly name: string };
  /** Severity of the alerts that page in production, e.g. `ticket` on staging. @default 'page' */
  readonly urgentSeverity?: 'page' | 'ticket';
  /** Labels the Prometheus' ruleSelector matches, e.g. `{ release: 'kube-prometheus-stack' }`. @default none */
  readonly labels?: Readonly<Record<string, string>>;
}

export class CourseAlertRules extends Construct {
  readonly resource: PrometheusRule;

  constructor(scope: Construct, id: string, props: CourseAlertRulesProps) {
    super(scope, id);
    const groups = sloRuleGroups({
      namespace: props.namespace,
      availability: props.availability,
      latencyP95Seconds: props.latencyP95Seconds,
      runbookUrl: props.runbookUrl,
      backupCronJobName: props.backupCronJob.name,
      backupMaxAgeHours: props.backupMaxAgeHours,
      weeklyBackupCronJobName: props.weeklyBackupCronJob.name,
      urgentSeverity: props.urgentSeverity,
    });
    this.resource = new PrometheusRule(this, 'Resource', {
      metadata: { name: props.name ?? 'course-companion', labels: { ...props.labels }, annotations: syncWave(SYNC_WAVE.monitoring) },
      spec: {
        groups: groups.map((group) => ({
          name: group.name,
          rules: group.rules.map((rule) => ('record' in rule ? toRecording(rule) : toAlerting(rule))),
        })),
      },
    });
  }
}

const toRecording = (rule: RecordingRule) => ({
  record: rule.record,
  expr: PrometheusRuleSpecGroupsRulesExpr.fromString(rule.expr),
});

const toAlerting = (rule: AlertingRule) => ({
  alert: rule.alert,
  expr: PrometheusRuleSpecGroupsRulesExpr.fromString(rule.expr),
  for: rule.for,
  labels: { ...rule.labels },
  annotations: { ...rule.annotations },
});

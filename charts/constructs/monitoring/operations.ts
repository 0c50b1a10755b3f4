/**
 * What keeps an environment healthy after it ships: the backup CronJobs and the
 * PrometheusRule that watches the SLO, the pods and the backups' age. Added by
 * CourseCompanionChart; everything comes from the environment file and the props.
 */
import type { CourseCompanionChart } from '../../course-companion-chart';
import { EnvironmentConfigError } from '../../config/environment';
import { backupClientMajorVersion } from '../backup/backup-image';
import { DatabaseBackup } from '../backup/database-backup';
import { CourseAlertRules } from './prometheus-rule';

/** ops/runbooks.md in the repository Argo CD syncs from, on the branch it syncs. */
export function runbookUrl(repoURL: string, revision: string): string {
  const web = repoURL.replace(/\.git$/, '');
  return `${web}/blob/${revision}/ops/runbooks.md`;
}

export interface EnvironmentOperationsProps {
  /** Where the alerts' runbook links point (see `runbookUrl`). */
  readonly runbookUrl: string;
}

/** Adds the backups and the alert rules to an environment's chart. */
export function addEnvironmentOperations(chart: CourseCompanionChart, props: EnvironmentOperationsProps): void {
  const env = chart.environment;

  // pg_dump refuses a server of a newer major version: refuse the pairing at synth time.
  const client = backupClientMajorVersion();
  if (client < env.database.serverVersion) {
    throw new EnvironmentConfigError(`charts/environments/${env.name}.yaml`, [
      {
        path: 'database.serverVersion',
        message:
          `expected at most ${client}, the PostgreSQL client ops/backup/Dockerfile installs (postgresql-client-${client}), ` +
          `got ${env.database.serverVersion}: pg_dump cannot dump a newer server; bump the client first`,
      },
    ]);
  }

  const backup = new DatabaseBackup(chart, 'backup', {
    image: env.backup.image,
    schedule: env.backup.schedule,
    weeklySchedule: env.backup.weeklySchedule,
    timeZone: env.backup.timeZone,
    retention: env.backup.retention,
    bucket: env.backup.bucket,
    endpoint: env.backup.endpoint,
    encryptionRecipient: env.backup.encryptionRecipient,
    secret: chart.backupSecrets,
    databaseEgress: chart.databaseEgress,
    objectStorageEgress: chart.internetHttpsEgress,
    scratchSize: env.backup.scratchSize,
    maxRunMinutes: env.backup.maxRunMinutes,
    spot: env.backup.spot,
  });

  new CourseAlertRules(chart, 'alerts', {
    namespace: env.namespace,
    availability: env.slo.availability,
    latencyP95Seconds: env.slo.latencyP95Seconds,
    runbookUrl: props.runbookUrl,
    backupCronJob: backup.cronJob,
    weeklyBackupCronJob: backup.weeklyCronJob,
    urgentSeverity: env.monitoring.urgentAlerts,
    // The Prometheus that selects the ServiceMonitors selects rules by the same labels.
    labels: env.monitoring.serviceMonitorLabels,
  });
}

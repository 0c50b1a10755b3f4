/**
 * What keeps an environment healthy after it ships: the backup CronJobs and the
 * PrometheusRule that watches the SLO, the pods and the backups' age. Registered in
 * charts/main.ts (ENVIRONMENT_EXTENSIONS), everything read from the environment file.
 */
import { join } from 'node:path';
import type { CourseCompanionChart, EnvironmentExtension } from '../../course-companion-chart';
import { loadGitops } from '../../config/gitops';
import { EnvironmentConfigError } from '../../config/environment';
import { backupClientMajorVersion } from '../backup/backup-image';
import { DatabaseBackup } from '../backup/database-backup';
import { CourseAlertRules } from './prometheus-rule';

const GITOPS_FILE = join(__dirname, '..', '..', 'gitops.yaml');

/** ops/runbooks.md in the repository Argo CD syncs from, on the branch it syncs. */
export function runbookUrl(repoURL: string, revision: string): string {
  const web = repoURL.replace(/\.git$/, '');
  return `${web}/blob/${revision}/ops/runbooks.md`;
}

export const operationsExtension: EnvironmentExtension = (chart: CourseCompanionChart) => {
  const env = chart.environment;
  const gitops = loadGitops(GITOPS_FILE);

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
  });

  new CourseAlertRules(chart, 'alerts', {
    namespace: env.namespace,
    availability: env.slo.availability,
    latencyP95Seconds: env.slo.latencyP95Seconds,
    runbookUrl: runbookUrl(gitops.repoURL, gitops.targetRevision),
    backupCronJob: backup.cronJob,
    weeklyBackupCronJob: backup.weeklyCronJob,
    urgentSeverity: env.monitoring.urgentAlerts,
    // The Prometheus that selects the ServiceMonitors selects rules by the same labels.
    labels: env.monitoring.serviceMonitorLabels,
  });
};

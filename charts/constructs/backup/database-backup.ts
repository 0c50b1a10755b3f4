/**
 * Offsite database backups (DESIGN.md, "Backup CronJob"): a daily CronJob dumps
 * PostgreSQL in custom format, encrypts it to an age public key and uploads it to
 * Cloudflare R2; a weekly CronJob copies the newest daily object to weekly/. Each prunes
 * its own prefix by count (default 30 daily, 26 weekly).
 *
 * Why pruning in the job and not an R2 lifecycle rule: a lifecycle rule deletes by age,
 * so a month of failed backups would leave nothing; counting keeps the newest N copies
 * however old they are, and the rule lives in git beside the code that relies on it.
 *
 * The script is ops/backup/backup.sh, mounted from a ConfigMap generated from that file:
 * test/ops/backup-restore.test.ts runs the very same file against a real PostgreSQL.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Construct } from 'constructs';
import { KubeConfigMap, KubeCronJob, KubeServiceAccount, Quantity } from 'cdk8s-plus-28/lib/imports/k8s';
import { BACKUP_STARTING_DEADLINE_MINUTES } from '../../config/backup-window';
import { componentLabels, SYNC_WAVE, syncWave } from '../labels';
import { NetworkRule, WorkloadNetworkPolicy } from '../network-policy';
import {
  TMP_VOLUME_NAME,
  imageReference,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  tmpVolumeMount,
} from '../pod-security';
import { spotPodFields, type SpotPlacement } from './spot-placement';

export const BACKUP_COMPONENT = 'backup';
export const BACKUP_WEEKLY_COMPONENT = 'backup-weekly';
export const BACKUP_SCRIPT_PATH = join(__dirname, '..', '..', '..', 'ops', 'backup', 'backup.sh');

const SCRIPT_DIR = '/opt/backup';
const SCRIPT_KEY = 'backup.sh';

export interface DatabaseBackupProps {
  /** Image with pg_dump, age and rclone (ops/backup/Dockerfile), by digest. */
  readonly image: { readonly repository: string; readonly digest: string };
  /** Cron expression of the daily dump. */
  readonly schedule: string;
  /** Cron expression of the weekly copy; run it after the daily dump of that day. */
  readonly weeklySchedule: string;
  /** IANA time zone the schedules are read in. */
  readonly timeZone: string;
  /** Copies kept of each kind. */
  readonly retention: { readonly daily: number; readonly weekly: number };
  /** R2 bucket, and the S3 endpoint of the account. */
  readonly bucket: string;
  readonly endpoint: string;
  /** age public key the dumps are encrypted to; the private key stays with the operators. */
  readonly encryptionRecipient: string;
  /** Secret (from the `backup-secrets` ExternalSecret) and the keys it holds. */
  readonly secret: { readonly secretName: string; readonly keys: readonly string[] };
  /** Egress of the dump job to the database. */
  readonly databaseEgress: NetworkRule;
  /** Egress of both jobs to object storage (HTTPS). */
  readonly objectStorageEgress: NetworkRule;
  /** Scratch space for the encrypted dump before its upload (`backup.scratchSize`). @default '4Gi' */
  readonly scratchSize?: string;
  /**
   * Longest a run may take, retries included (the Jobs' activeDeadlineSeconds). The
   * environment check keeps this span, plus the starting deadline, clear of the
   * maintenance window (charts/config/backup-window.ts). @default 60
   */
  readonly maxRunMinutes?: number;
  /** Spot nodes the jobs may run on (`backup.spot`). @default any node, no tolerations */
  readonly spot?: SpotPlacement;
}

/** Secret keys the jobs read; synth fails when the ExternalSecret does not produce one. */
const DUMP_SECRET_KEYS = ['DATABASE_URL', 'CLOUDFLARE_R2_ACCESS_KEY_ID', 'CLOUDFLARE_R2_SECRET_ACCESS_KEY'] as const;
interface ScheduledJob {
  readonly name: string;
  readonly component: string;
  readonly schedule: string;
  /** The backup script's sub-command: `backup` or `weekly`. */
  readonly command: string;
  readonly env: object[];
  readonly scriptConfigMap: string;
  readonly serviceAccount: string;
}

const STORAGE_SECRET_KEYS = ['CLOUDFLARE_R2_ACCESS_KEY_ID', 'CLOUDFLARE_R2_SECRET_ACCESS_KEY'] as const;

export class DatabaseBackup extends Construct {
  /** The daily CronJob (`backup`), whose last success the backup-age alert watches. */
  readonly cronJob: KubeCronJob;
  readonly weeklyCronJob: KubeCronJob;

  constructor(scope: Construct, id: string, props: DatabaseBackupProps) {
    super(scope, id);
    validate(props);

    const script = new KubeConfigMap(this, 'script', {
      metadata: { name: 'backup-script', labels: componentLabels(BACKUP_COMPONENT) },
      data: { [SCRIPT_KEY]: readFileSync(BACKUP_SCRIPT_PATH, 'utf8') },
    });
    const serviceAccount = new KubeServiceAccount(this, 'service-account', {
      metadata: { name: 'backup', labels: componentLabels(BACKUP_COMPONENT) },
      automountServiceAccountToken: false,
    });

    const storageEnv = [
      { name: 'HOME', value: '/tmp' },
      { name: 'BACKUP_WORK_DIR', value: '/tmp' },
      { name: 'BACKUP_REMOTE', value: `offsite:${props.bucket}` },
      { name: 'BACKUP_KEEP_DAILY', value: String(props.retention.daily) },
      { name: 'BACKUP_KEEP_WEEKLY', value: String(props.retention.weekly) },
      // rclone is configured by environment alone: no config file in a read-only pod.
      { name: 'RCLONE_CONFIG', value: '/dev/null' },
      { name: 'RCLONE_CONFIG_OFFSITE_TYPE', value: 's3' },
      { name: 'RCLONE_CONFIG_OFFSITE_PROVIDER', value: 'Cloudflare' },
      { name: 'RCLONE_CONFIG_OFFSITE_ENDPOINT', value: props.endpoint },
      // The keys may write objects in this bucket only; they cannot create buckets.
      { name: 'RCLONE_CONFIG_OFFSITE_NO_CHECK_BUCKET', value: 'true' },
      secretEnv('RCLONE_CONFIG_OFFSITE_ACCESS_KEY_ID', props.secret.secretName, 'CLOUDFLARE_R2_ACCESS_KEY_ID'),
      secretEnv('RCLONE_CONFIG_OFFSITE_SECRET_ACCESS_KEY', props.secret.secretName, 'CLOUDFLARE_R2_SECRET_ACCESS_KEY'),
    ];

    const common = { scriptConfigMap: script.name, serviceAccount: serviceAccount.name };
    const cronJob = (name: string, component: string, schedule: string, command: string, env: object[]) =>
      this.scheduledJob(props, { name, component, schedule, command, env, ...common });

    this.cronJob = cronJob('backup', BACKUP_COMPONENT, props.schedule, 'backup', [
      secretEnv('DATABASE_URL', props.secret.secretName, 'DATABASE_URL'),
      { name: 'BACKUP_RECIPIENT', value: props.encryptionRecipient },
      ...storageEnv,
    ]);
    this.weeklyCronJob = cronJob('backup-weekly', BACKUP_WEEKLY_COMPONENT, props.weeklySchedule, 'weekly', storageEnv);

    new WorkloadNetworkPolicy(this, 'network-policy', {
      name: BACKUP_COMPONENT,
      podLabels: componentLabels(BACKUP_COMPONENT),
      egress: [props.databaseEgress, props.objectStorageEgress],
    });
    // The weekly copy is server-side within the bucket: no database access at all.
    new WorkloadNetworkPolicy(this, 'weekly-network-policy', {
      name: BACKUP_WEEKLY_COMPONENT,
      podLabels: componentLabels(BACKUP_WEEKLY_COMPONENT),
      egress: [props.objectStorageEgress],
    });
  }

  /** One of the two CronJobs: the backup script with `command`, under every pod rule. */
  private scheduledJob(props: DatabaseBackupProps, job: ScheduledJob): KubeCronJob {
    const { name, component, schedule, command, env, scriptConfigMap, serviceAccount } = job;
    return new KubeCronJob(this, name, {
      metadata: { name, labels: componentLabels(component), annotations: syncWave(SYNC_WAVE.scheduled) },
      spec: {
        schedule,
        timeZone: props.timeZone,
        // Never two dumps at once. A run missed by a short controller outage still
        // happens, but never so late that it could reach the maintenance window (a
        // skipped run shows in the backup-age alerts).
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: BACKUP_STARTING_DEADLINE_MINUTES * 60,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: componentLabels(component) },
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: (props.maxRunMinutes ?? 60) * 60,
            template: {
              metadata: { labels: componentLabels(component) },
              spec: {
                restartPolicy: 'Never',
                serviceAccountName: serviceAccount,
                automountServiceAccountToken: false,
                securityContext: restrictedPodSecurityContext(),
                ...spotPodFields(props.spot),
                volumes: [
                  { name: TMP_VOLUME_NAME, emptyDir: { sizeLimit: Quantity.fromString(props.scratchSize ?? '4Gi') } },
                  { name: 'script', configMap: { name: scriptConfigMap, defaultMode: 0o555 } },
                ],
                containers: [
                  {
                    name: component,
                    image: imageReference(props.image),
                    command: ['bash', `${SCRIPT_DIR}/${SCRIPT_KEY}`, command],
                    env: env as never,
                    resources: {
                      requests: { cpu: Quantity.fromString('100m'), memory: Quantity.fromString('256Mi') },
                      limits: { cpu: Quantity.fromString('1'), memory: Quantity.fromString('512Mi') },
                    },
                    securityContext: restrictedContainerSecurityContext(),
                    volumeMounts: [tmpVolumeMount(), { name: 'script', mountPath: SCRIPT_DIR, readOnly: true }],
                  },
                ],
              },
            },
          },
        },
      },
    });
  }
}

function secretEnv(name: string, secretName: string, key: string) {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
}

function validate(props: DatabaseBackupProps): void {
  const missing = [...DUMP_SECRET_KEYS, ...STORAGE_SECRET_KEYS].filter((key) => !props.secret.keys.includes(key));
  if (missing.length > 0) {
    throw new Error(
      `DatabaseBackup: secret '${props.secret.secretName}' must provide ${[...new Set(missing)].join(', ')} ` +
        '(secrets.remoteKeys.backup in the environment file)',
    );
  }
  if (props.retention.daily < 1) throw new Error(`DatabaseBackup: 'retention.daily' must be at least 1, got ${props.retention.daily}`);
  if (props.retention.weekly < 1) throw new Error(`DatabaseBackup: 'retention.weekly' must be at least 1, got ${props.retention.weekly}`);
  if (!props.endpoint.startsWith('https://')) throw new Error(`DatabaseBackup: 'endpoint' must be an https URL, got '${props.endpoint}'`);
}

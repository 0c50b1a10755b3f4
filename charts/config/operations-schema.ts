/**
 * The operational sections of an environment file: secrets and who may read them, the
 * database server, monitoring, backups and the maintenance window.
 */
import { z } from 'zod';
import { dnsLabel, memoryQuantity, duration, cron, ianaTimeZone, envVarName, remoteKey } from './primitives';
import { windowStartOf } from '../constructs/argocd/sync-windows';
import { imagePin } from './workload-schema';

/** A pod toleration (core/v1 Toleration), as the spot node pools' taints need it. */
const labelKey = z
  .string()
  .regex(
    /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    'a label key such as "karpenter.sh/capacity-type"',
  );
const toleration = z
  .object({
    key: labelKey,
    operator: z.enum(['Equal', 'Exists']).default('Equal'),
    value: z.string().max(63).optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
  })
  .strict()
  .refine((t) => (t.operator === 'Exists') === (t.value === undefined), {
    message: 'a value with operator Equal, none with Exists',
    path: ['value'],
  });

export const secrets = z
  .object({
    /**
     * This environment's own ClusterSecretStore (generated into dist/cluster/ from
     * charts/cluster.yaml); it admits only this namespace and reads only `keyPrefix`.
     */
    storeName: dnsLabel,
    /**
     * The part of the store this environment may read, e.g.
     * "course-companion/production/". Every remote key must start with it, so a pull
     * request to staging's file cannot name a production key (issue 11, point 8).
     */
    keyPrefix: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9._-]+)*\/$/, 'a key prefix ending in "/", such as "course-companion/production/"'),
    refreshInterval: duration.default('1h'),
    /**
     * Per consumer: environment variable name → key in the store. Each consumer has
     * its own Secret and database role (docs/backup-restore.md, "Database roles"):
     * the api's role may only read and write rows, `migrate` owns the schema, and
     * `backup` reads everything and writes nothing.
     */
    remoteKeys: z
      .object({
        api: z.record(envVarName, remoteKey),
        web: z.record(envVarName, remoteKey),
        /** The migration Job: DATABASE_URL of the role that owns the schema, nothing else. */
        migrate: z.object({ DATABASE_URL: remoteKey }).strict(),
        backup: z.record(envVarName, remoteKey),
      })
      .strict(),
  })
  .strict()
  .superRefine((secrets, ctx) => {
    for (const [consumer, keys] of Object.entries(secrets.remoteKeys)) {
      for (const [name, key] of Object.entries(keys)) {
        // `..` could climb out of the prefix in a path-based backend such as Vault.
        if (!key.startsWith(secrets.keyPrefix) || key.split('/').includes('..')) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['remoteKeys', consumer, name],
            message: `expected a key under "${secrets.keyPrefix}"`,
          });
        }
      }
    }
  });

/**
 * The PostgreSQL server (primary) the api and its jobs use. Synth refuses a file whose
 * worst case of connections does not fit (charts/config/capacity.ts, README "Capacity").
 */
export const database = z
  .object({
    /** The server's `max_connections` (`SHOW max_connections`). */
    maxConnections: z.number().int().min(1),
    /**
     * Connections the app must leave free: `superuser_reserved_connections`, the
     * operators' sessions and replication / monitoring connections.
     */
    reservedConnections: z.number().int().min(0),
    /**
     * The server's major version. pg_dump refuses a server newer than itself, so
     * synth refuses a backup image whose PostgreSQL client (ops/backup/Dockerfile) is older.
     */
    serverVersion: z.number().int().min(10),
  })
  .strict()
  .refine((d) => d.reservedConnections < d.maxConnections, {
    message: 'reservedConnections below maxConnections',
    path: ['reservedConnections'],
  });

export const monitoring = z
  .object({
    /** Labels the Prometheus' serviceMonitorSelector looks for. */
    serviceMonitorLabels: z.record(z.string()).default({}),
    scrapeInterval: duration.default('30s'),
    /**
     * The `severity` label of the alerts that page in production: `page` wakes the
     * on-call engineer, `ticket` opens a ticket for the next working day.
     */
    urgentAlerts: z.enum(['page', 'ticket']).default('page'),
  })
  .strict();

export const backup = z
  .object({
    /**
     * The backup jobs' image (ops/backup/Dockerfile), built and signed by
     * .github/workflows/backup-image.yml, which pins staging's through a PR;
     * production follows with `npm run promote -- --from staging --to production --image backup`.
     */
    image: imagePin,
    /** Daily pg_dump. */
    schedule: cron,
    /** The copy kept as a weekly one. */
    weeklySchedule: cron,
    retention: z.object({ daily: z.number().int().min(1), weekly: z.number().int().min(0) }).strict(),
    bucket: z.string().min(3),
    endpoint: z.string().url('an https URL of the S3-compatible endpoint'),
    /** age public key the dumps are encrypted to; the private key never enters the cluster. */
    encryptionRecipient: z.string().regex(/^age1[02-9ac-hj-np-z]{58}$/, 'an age public key "age1…" (62 characters)'),
    timeZone: z.string().min(1).default('Etc/UTC'),
    /**
     * Longest a run may take, retries included: the Jobs' activeDeadlineSeconds, and
     * the span the maintenance-window check keeps clear (charts/config/backup-window.ts).
     */
    maxRunMinutes: z
      .number()
      .int()
      .min(5)
      .max(12 * 60)
      .default(60),
    /**
     * Scratch space (emptyDir sizeLimit) for the encrypted dump before its upload:
     * at least the compressed dump of the database, with room to grow.
     */
    scratchSize: memoryQuantity.default('4Gi'),
    /**
     * Spot nodes for the jobs (charts/constructs/backup/spot-placement.ts): the taints
     * they tolerate and the labels they prefer (or require). Leave out for any node.
     */
    spot: z
      .object({
        tolerations: z.array(toleration).min(1, 'at least one toleration (spot nodes are tainted)'),
        nodeLabels: z.record(labelKey, z.string().max(63)).refine((l) => Object.keys(l).length > 0, 'at least one node label'),
        affinity: z.enum(['preferred', 'required']).default('preferred'),
      })
      .strict()
      .optional(),
  })
  .strict();

/**
 * When Argo CD may sync on its own (for environments with `autoSync:
 * maintenanceWindow` in charts/gitops.yaml): `schedule` opens the window on a weekday
 * ("0 2 * * 0": Sundays 02:00), `weekOfMonth` keeps one of those a month (1: the
 * first, days 1-7). charts/constructs/argocd/sync-windows.ts turns it into Argo CD's
 * allow and deny windows.
 */
export const maintenanceWindow = z
  .object({
    schedule: cron.superRefine((value, ctx) => {
      if (!cron.safeParse(value).success) return; // already reported as "a five-field cron"
      try {
        windowStartOf(value);
      } catch (err) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message });
      }
    }),
    weekOfMonth: z
      .union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)], {
        errorMap: () => ({ message: 'a week of the month from 1 (days 1-7) to 4 (days 22-28); leave it out for every week' }),
      })
      .optional(),
    durationMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    timeZone: ianaTimeZone,
  })
  .strict();

/**
 * Argo Rollouts' notifications in this environment's namespace: the key, under
 * `secrets.keyPrefix`, of the Slack-compatible webhook URL the messages go to.
 */
export const notifications = z.object({ webhookRemoteKey: remoteKey }).strict();

/** The notifications' key is read through this environment's store, so it must lie under its prefix. */
export function notificationKeyProblems(
  env: { secrets: { keyPrefix: string }; notifications: { webhookRemoteKey: string } },
  ctx: z.RefinementCtx,
): void {
  const key = env.notifications.webhookRemoteKey;
  if (!key.startsWith(env.secrets.keyPrefix) || key.split('/').includes('..')) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['notifications', 'webhookRemoteKey'],
      message: `expected a key under "${env.secrets.keyPrefix}"`,
    });
  }
}

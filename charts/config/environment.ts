/**
 * The schema of `charts/environments/<env>.yaml` and its loader.
 *
 * An environment file is the only place where staging and production differ: the
 * charts read it and never branch on an environment's name. Every object is
 * `.strict()`, so a misspelt key fails instead of silently doing nothing, and every
 * failure names the file, the field path and what was expected.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { ConfigFileError, parseWith, readYamlFile, type ConfigProblem } from './file';
import {
  dnsLabel,
  hostname,
  cpuQuantity,
  memoryQuantity,
  duration,
  cron,
  ianaTimeZone,
  ratio,
  cidr,
  port,
  envVarName,
  remoteKey,
} from './primitives';
import { durationSeconds, measurementsSeeing } from '../checks/analysis-run';
import { windowStartOf } from '../constructs/argocd/sync-windows';
import { backupWindowProblems } from './backup-window';
import { capacityProblems } from './capacity';
import { apiConfig, appConfigProblems, webConfig } from './app-config';
import { loadCheck } from './load-check';

// --- sections ------------------------------------------------------------------------

const resources = z
  .object({
    requests: z.object({ cpu: cpuQuantity, memory: memoryQuantity }).strict(),
    limits: z.object({ cpu: cpuQuantity, memory: memoryQuantity }).strict(),
  })
  .strict();

const scaling = z
  .object({
    min: z.number().int().min(1, 'at least 1 replica'),
    max: z.number().int().min(1, 'at least 1 replica'),
    /** Average CPU utilisation (percent of requests) the HPA aims for. */
    targetCPUUtilization: z.number().int().min(10).max(100).default(70),
  })
  .strict()
  .refine((s) => s.max >= s.min, { message: 'a number >= scaling.min', path: ['max'] });

/** What a role may reach beyond the namespace (DESIGN.md, NetworkPolicy). */
const egress = z
  .object({
    /** HTTPS (443) to addresses outside the cluster, e.g. Sentry or object storage. */
    internetHttps: z.boolean().default(false),
  })
  .strict();

const role = <C extends z.ZodTypeAny>(config: C) =>
  z
    .object({
      scaling,
      resources,
      config,
      egress: egress.default({}),
    })
    .strict();

const canaryStep = z
  .object({
    weight: z.number().int().min(1, 'a weight of 1 to 99 percent').max(99, 'a weight of 1 to 99 percent'),
    pause: duration,
  })
  .strict();

const delivery = z.discriminatedUnion(
  'kind',
  [
    z
      .object({
        kind: z.literal('canary'),
        /** Each step sets the canary's share of requests, then pauses under analysis. */
        steps: z
          .array(canaryStep)
          .min(1, 'at least one step')
          .refine((steps) => steps.every((s, i) => i === 0 || s.weight > steps[i - 1].weight), {
            message: 'weights that increase from step to step',
          }),
      })
      .strict(),
    z
      .object({
        kind: z.literal('blueGreen'),
        /** Seconds after a passing pre-promotion analysis before the preview goes live. */
        autoPromotionSeconds: z.number().int().min(0).default(0),
        /** Seconds the old ReplicaSet keeps running after promotion, for a quick roll back. */
        scaleDownDelaySeconds: z.number().int().min(0).default(30),
        /** A load test of each role's preview before promotion. @default none */
        loadCheck: loadCheck.optional(),
      })
      .strict(),
  ],
  { errorMap: () => ({ message: 'kind "canary" or "blueGreen"' }) },
);

// --- rules across sections -------------------------------------------------------------

/**
 * The analysis' timing must fit the scrapes, one noisy minute and the canary's length
 * (the counting is modelled in charts/checks/analysis-run.ts, from Argo Rollouts'
 * analysis/analysis.go).
 */
function analysisTiming(
  env: { analysis: { interval: string; rateWindow: string; failureLimit: number; inconclusiveLimit: number }; monitoring: { scrapeInterval: string }; delivery: { kind: string; steps?: readonly { pause: string }[] } },
  ctx: z.RefinementCtx,
): void {
  const { interval, rateWindow, failureLimit, inconclusiveLimit } = env.analysis;
  const window = durationSeconds(rateWindow);
  const every = durationSeconds(interval);
  const scrape = durationSeconds(env.monitoring.scrapeInterval);
  // rate() needs two samples in the window; four scrapes leave room for a missed one.
  if (window < 4 * scrape) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['analysis', 'rateWindow'],
      message: `at least 4 scrape intervals (monitoring.scrapeInterval ${env.monitoring.scrapeInterval}): ${4 * scrape}s or more`,
    });
  }
  const noisyMinute = measurementsSeeing(60, window, every);
  if (failureLimit < noisyMinute) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['analysis', 'failureLimit'],
      message: `at least ${noisyMinute} (one bad minute fails every measurement whose ${rateWindow} window holds it: ${noisyMinute} at a ${interval} interval)`,
    });
  }
  // Background analysis is terminated, and a still-running metric counted Successful,
  // when the canary reaches its last step: a verdict must come before that, or a canary
  // without data would be promoted.
  if (env.delivery.kind === 'canary' && env.delivery.steps) {
    const paused = env.delivery.steps.reduce((sum, step) => sum + durationSeconds(step.pause), 0);
    const verdict = window + Math.max(failureLimit, inconclusiveLimit) * every;
    if (paused < verdict) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['delivery', 'steps'],
        message: `pauses adding up to at least ${verdict}s (analysis.rateWindow + max(failureLimit, inconclusiveLimit) × interval), so the analysis decides before the canary ends`,
      });
    }
  }
}
/** An image by digest; `npm run promote` rewrites these two fields (scripts/lib/pin.ts). */
const imagePin = z
  .object({
    repository: z
      .string()
      .regex(/^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)+$/, 'an image repository without tag, e.g. "ghcr.io/org/app"'),
    digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'an image digest "sha256:" followed by 64 hex digits'),
  })
  .strict();

// --- the environment file ---------------------------------------------------------------

export const EnvironmentSchema = z
  .object({
    /** Short name; also the directory under dist/. */
    name: dnsLabel,
    /** Value of APP_ENV in the pods. */
    appEnv: z.enum(['staging', 'production']),
    /**
     * At most 54 characters: Envoy Gateway's namespace gets a Service
     * `<namespace>-internal` for this environment's internal gateway (a DNS label).
     */
    namespace: dnsLabel.refine((n) => n.length <= 54, 'at most 54 characters (the internal gateway Service is "<namespace>-internal")'),
    hosts: z.object({ web: hostname, api: hostname }).strict(),
    gateway: z
      .object({
        /** GatewayClass of the installed implementation, e.g. Envoy Gateway's "eg". */
        className: dnsLabel,
        /** Namespace where the gateway's proxies run; NetworkPolicies admit it. */
        dataPlaneNamespace: dnsLabel,
        /**
         * Client addresses allowed to reach this gateway at all (team-only environments).
         * Empty means the whole internet.
         */
        allowedSourceRanges: z.array(cidr).default([]),
        /** Response headers added to every answer, e.g. X-Robots-Tag on staging. */
        responseHeaders: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'an HTTP header name'), z.string()).default({}),
      })
      .strict(),
    tls: z.object({ clusterIssuer: dnsLabel }).strict(),
    image: imagePin.extend({
      /**
       * Key in the secret store with a Docker config JSON for private images; unset
       * while the GHCR packages are public. When set, every pod gets an imagePullSecret.
       */
      pullSecretRemoteKey: remoteKey.optional(),
    }),
    web: role(webConfig),
    api: role(apiConfig),
    delivery,
    analysis: z
      .object({
        prometheusAddress: z.string().url('a URL such as "http://prometheus.monitoring:9090"'),
        /** Lowest share of non-5xx answers the new version may show. */
        successRateMin: ratio,
        latencyP95MaxSeconds: z.number().gt(0, 'a number of seconds above 0'),
        /** Time between measurements. */
        interval: duration,
        /**
         * Window of the queries' rate(); also the wait before the first measurement, so
         * that one sees a whole window. At least four scrape intervals.
         */
        rateWindow: duration,
        /**
         * Requests the new pods must have answered within `rateWindow` before a
         * measurement may pass or fail; fewer make it inconclusive, so a handful of
         * requests cannot decide a release either way.
         */
        minimumRequests: z.number().int().min(1, 'at least 1 request'),
        /**
         * Failed measurements tolerated before the rollout aborts. Argo Rollouts counts
         * every failed measurement of the run, not consecutive ones, and one bad minute
         * fails every measurement whose window it falls in: at least
         * ceil((1m + rateWindow) / interval).
         */
        failureLimit: z.number().int().min(0),
        /** Measurements without (enough) data tolerated before the rollout pauses for a person. */
        inconclusiveLimit: z.number().int().min(0).default(2),
      })
      .strict(),
    secrets: z
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
            migrate: z
              .object({ DATABASE_URL: remoteKey })
              .strict(),
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
      }),
    /**
     * The PostgreSQL server (primary) the api and its jobs use. Synth refuses a file whose
     * worst case of connections does not fit (charts/config/capacity.ts, README "Capacity").
     */
    database: z
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
      }),
    network: z
      .object({
        /** Where PostgreSQL answers; only the api role (and its jobs) may go there. */
        database: z.object({ cidrs: z.array(cidr).min(1), port: port.default(5432) }).strict(),
        redis: z.object({ cidrs: z.array(cidr).min(1), port: port.default(6379) }).strict(),
        /** Namespace of the Prometheus that scrapes the metrics port. */
        prometheusNamespace: dnsLabel,
      })
      .strict(),
    monitoring: z
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
      .strict(),
    backup: z
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
        retention: z
          .object({ daily: z.number().int().min(1), weekly: z.number().int().min(0) })
          .strict(),
        bucket: z.string().min(3),
        endpoint: z.string().url('an https URL of the S3-compatible endpoint'),
        /** age public key the dumps are encrypted to; the private key never enters the cluster. */
        encryptionRecipient: z.string().regex(/^age1[02-9ac-hj-np-z]{58}$/, 'an age public key "age1…" (62 characters)'),
        timeZone: z.string().min(1).default('Etc/UTC'),
        /**
         * Longest a run may take, retries included: the Jobs' activeDeadlineSeconds, and
         * the span the maintenance-window check keeps clear (charts/config/backup-window.ts).
         */
        maxRunMinutes: z.number().int().min(5).max(12 * 60).default(60),
        /**
         * Scratch space (emptyDir sizeLimit) for the encrypted dump before its upload:
         * at least the compressed dump of the database, with room to grow.
         */
        scratchSize: memoryQuantity.default('4Gi'),
      })
      .strict(),
    /**
     * When Argo CD may sync on its own (for environments with `autoSync:
     * maintenanceWindow` in charts/gitops.yaml): `schedule` opens the window on a weekday
     * ("0 2 * * 0": Sundays 02:00), `weekOfMonth` keeps one of those a month (1: the
     * first, days 1-7). charts/constructs/argocd/sync-windows.ts turns it into Argo CD's
     * allow and deny windows.
     */
    maintenanceWindow: z
      .object({
        schedule: cron.superRefine((value, ctx) => {
          if (!cron.safeParse(value).success) return; // already reported as "a five-field cron"
          try {
            windowStartOf(value);
          } catch (err) {
            ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message });
          }
        }),
        weekOfMonth: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)], {
          errorMap: () => ({ message: 'a week of the month from 1 (days 1-7) to 4 (days 22-28); leave it out for every week' }),
        }).optional(),
        durationMinutes: z.number().int().min(1).max(24 * 60),
        timeZone: ianaTimeZone,
      })
      .strict(),
    slo: z
      .object({
        availability: ratio,
        latencyP95Seconds: z.number().gt(0),
      })
      .strict(),
  })
  .strict()
  .superRefine(analysisTiming);

export type Environment = z.infer<typeof EnvironmentSchema>;
export type EnvironmentInput = z.input<typeof EnvironmentSchema>;
export type Delivery = Environment['delivery'];
export type CanaryDelivery = Extract<Delivery, { kind: 'canary' }>;
export type BlueGreenDelivery = Extract<Delivery, { kind: 'blueGreen' }>;
export type RoleName = 'web' | 'api';
export type RoleSettings = Environment['web'] | Environment['api'];
export type ResourceSettings = Environment['web']['resources'];
export type ScalingSettings = Environment['web']['scaling'];
export type AnalysisSettings = Environment['analysis'];
export type ImagePin = Environment['image'];

/** A bad environment file: the message names the file, each bad field and the rule. */
export class EnvironmentConfigError extends ConfigFileError {
  constructor(file: string, problems: readonly ConfigProblem[]) {
    super(file, problems, 'environment');
    this.name = 'EnvironmentConfigError';
  }
}
const environmentError = (file: string, problems: readonly ConfigProblem[]) => new EnvironmentConfigError(file, problems);

/** Validates already-parsed data; `file` is only used in messages. */
export function parseEnvironment(data: unknown, file: string): Environment {
  const env = parseWith(EnvironmentSchema, data, file, environmentError);
  const expectedName = basename(file).replace(/\.ya?ml$/, '');
  if (env.name !== expectedName) {
    throw new EnvironmentConfigError(file, [
      { path: 'name', message: `expected "${expectedName}" (the file's name), got "${env.name}"` },
    ]);
  }
  const refused = [...appConfigProblems(env), ...capacityProblems(env), ...backupWindowProblems(env)];
  if (refused.length > 0) throw new EnvironmentConfigError(file, refused);
  return env;
}

/** Reads and validates one environment file. */
export function loadEnvironment(file: string): Environment {
  return parseEnvironment(readYamlFile(file, environmentError), file);
}

/** Every `*.yaml` in the directory, sorted by name so the output order never varies. */
export function loadEnvironments(dir: string): Environment[] {
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  if (files.length === 0) throw new Error(`${dir}: no environment files (*.yaml) found`);
  return files.map((f) => loadEnvironment(join(dir, f)));
}

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
import { dnsLabel, hostname, ratio, cidr, port, remoteKey } from './primitives';
import { backupWindowProblems } from './backup-window';
import { capacityProblems } from './capacity';
import { apiConfig, appConfigProblems, webConfig } from './app-config';
import { imagePin, role } from './workload-schema';
import { analysis, analysisTiming, delivery } from './delivery-schema';
import { backup, database, maintenanceWindow, monitoring, notificationKeyProblems, notifications, secrets } from './operations-schema';

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
    analysis,
    secrets,
    database,
    network: z
      .object({
        /** Where PostgreSQL answers; only the api role (and its jobs) may go there. */
        database: z.object({ cidrs: z.array(cidr).min(1), port: port.default(5432) }).strict(),
        redis: z.object({ cidrs: z.array(cidr).min(1), port: port.default(6379) }).strict(),
        /** Namespace of the Prometheus that scrapes the metrics port. */
        prometheusNamespace: dnsLabel,
      })
      .strict(),
    monitoring,
    backup,
    maintenanceWindow,
    notifications,
    slo: z
      .object({
        availability: ratio,
        latencyP95Seconds: z.number().gt(0),
      })
      .strict(),
  })
  .strict()
  .superRefine(analysisTiming)
  .superRefine(notificationKeyProblems);

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
    throw new EnvironmentConfigError(file, [{ path: 'name', message: `expected "${expectedName}" (the file's name), got "${env.name}"` }]);
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

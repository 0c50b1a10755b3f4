/**
 * The environment files' app settings (`web.config`, `api.config`), built on the app's
 * own environment-variable schema (app/src/config.ts, `EnvSchema`): one model of the
 * variables for both halves (issue 12, point 6).
 *
 * From the app: which names exist (a setting the app does not read does not compile),
 * each default (what the app uses when the variable is unset), and the value rules:
 * `appConfigProblems` renders each setting as the ConfigMap will and runs the app's
 * parser on it. Here only what YAML needs (numbers, booleans, lists) and what a
 * deployment adds (a shutdown under the pod's grace period, hosts and origins required).
 */
import { z } from 'zod';
import { EnvSchema } from '../../app/src/config';
import type { ConfigProblem } from './file';

/** A variable of app/src/config.ts. */
export type AppEnvVar = keyof typeof EnvSchema.shape;

const APP_VARS = EnvSchema.shape;

/** True when the app reads this variable. */
export const isAppEnvVar = (name: string): name is AppEnvVar => Object.hasOwn(APP_VARS, name);

/** A ConfigMap value as the app's parser reads it: lists comma-separated, the rest as text. */
export function renderValue(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Renders configuration values the way the app's zod config parses them. */
export function renderConfig(values: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    out[key] = renderValue(value);
  }
  return out;
}

/**
 * An environment-file setting whose default is the app's: what the app does with the
 * variable unset, written into the ConfigMap so the value is visible there. Throws at
 * load when the charts' own rule refuses the app's default.
 */
function withAppDefault<S extends z.ZodTypeAny>(name: AppEnvVar, yaml: S): z.ZodDefault<S> {
  return yaml.default(yaml.parse(APP_VARS[name].parse(undefined)));
}

const hostList = z.array(z.string().min(1)).min(1, 'at least one entry');
const originList = z.array(z.string().url('an origin such as "https://www.example.com"')).min(1, 'at least one entry');
const positiveInt = z.number().int().min(1);

/** Settings both roles understand (docs/contracts.md, "Environment variables"). */
const commonConfig = {
  // No `silent`: a pod that logs nothing cannot be operated.
  LOG_LEVEL: withAppDefault('LOG_LEVEL', z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])),
  DEBUG: withAppDefault('DEBUG', z.boolean()),
  ALLOWED_HOSTS: hostList,
  WEB_CONCURRENCY: withAppDefault('WEB_CONCURRENCY', positiveInt),
  SHUTDOWN_TIMEOUT_SECONDS: withAppDefault(
    'SHUTDOWN_TIMEOUT_SECONDS',
    z.number().int().min(1).max(29, "at most 29 (under the pod's 30 s grace period)"),
  ),
} satisfies { [K in AppEnvVar]?: z.ZodTypeAny };

export const webConfig = z.object({ ...commonConfig }).strict();

export const apiConfig = z
  .object({
    ...commonConfig,
    CORS_ORIGINS: originList,
    DATABASE_POOL_SIZE: withAppDefault('DATABASE_POOL_SIZE', positiveInt),
    DATABASE_ECHO: withAppDefault('DATABASE_ECHO', z.boolean()),
    ALGORITHM: withAppDefault('ALGORITHM', z.literal('HS256')),
    ACCESS_TOKEN_EXPIRE_MINUTES: withAppDefault('ACCESS_TOKEN_EXPIRE_MINUTES', positiveInt),
    REFRESH_TOKEN_EXPIRE_DAYS: withAppDefault('REFRESH_TOKEN_EXPIRE_DAYS', positiveInt),
    SESSION_ABSOLUTE_DAYS: withAppDefault('SESSION_ABSOLUTE_DAYS', positiveInt),
    MAIL_FROM: z.string().min(1).optional(),
  } satisfies { [K in AppEnvVar]?: z.ZodTypeAny })
  .strict();

/** What appConfigProblems reads of a parsed environment file. */
export interface AppSettings {
  readonly web: { readonly config: Readonly<Record<string, unknown>> };
  readonly api: { readonly config: Readonly<Record<string, unknown>> };
  readonly secrets: { readonly remoteKeys: Readonly<Record<'api' | 'web' | 'migrate', Readonly<Record<string, string>>>> };
}

/**
 * The app's verdict on a parsed environment file: every setting, rendered as in the
 * ConfigMap, must pass the app's parser for its variable, and every Secret of the
 * app's pods must hold variables the app reads (the backup's are the script's own).
 */
export function appConfigProblems(env: AppSettings): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const role of ['web', 'api'] as const) {
    for (const [name, value] of Object.entries(env[role].config)) {
      if (!isAppEnvVar(name) || value === undefined) continue;
      const parsed = APP_VARS[name].safeParse(renderValue(value));
      if (!parsed.success) {
        const message = parsed.error.issues.map((issue) => issue.message).join('; ');
        problems.push({ path: `${role}.config.${name}`, message: `expected a value the app accepts (app/src/config.ts): ${message}` });
      }
    }
  }
  for (const consumer of ['api', 'web', 'migrate'] as const) {
    for (const name of Object.keys(env.secrets.remoteKeys[consumer])) {
      if (!isAppEnvVar(name)) {
        const message = `expected a variable the app reads (app/src/config.ts), got "${name}"`;
        problems.push({ path: `secrets.remoteKeys.${consumer}.${name}`, message });
      }
    }
  }
  return problems;
}

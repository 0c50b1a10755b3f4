import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { bool, int, list, optionalString, url } from './config-parsers';
import { configProblems, secretKeyOf } from './config-rules';
import { METRICS_PORT, ROLE_PORTS } from './contract';
import { parseMaintenanceWindow, type MaintenanceWindow } from './maintenance/window';
import { OWASP_SCRYPT_COST, type ScryptCost } from './domain/passwords';
import { parseStripe, STRIPE_ENV, type StripeSettings } from './stripe-config';

/**
 * Every environment variable of docs/contracts.md, parsed once at start. A bad or
 * missing value throws `ConfigError`, whose message names each offending variable;
 * the process entry points print it and exit non-zero.
 */

export const APP_ENVS = ['development', 'test', 'staging', 'production'] as const;
export type AppEnv = (typeof APP_ENVS)[number];
export const ROLES = ['web', 'api', 'all'] as const;
export type Role = (typeof ROLES)[number];
/**
 * Faults `npm run rehearse` injects into a canary (REHEARSAL_FAULT): `errors` answers
 * every request but the probes with a 500, `latency` delays it, `crash` exits at start.
 * Test-only: refused in staging and production and by the image (NODE_ENV=production).
 */
export const REHEARSAL_FAULTS = ['errors', 'latency', 'crash'] as const;
export type RehearsalFault = (typeof REHEARSAL_FAULTS)[number];

/** The key `npm run dev` signs with; refused anywhere but development. */
export { DEVELOPMENT_SECRET_KEY } from './config-rules';

export interface Config {
  readonly appEnv: AppEnv;
  readonly role: Role;
  readonly port: number;
  readonly metricsPort: number;
  readonly logLevel: string;
  readonly debug: boolean;
  /** Host names (no port) the app answers; `*` = any (development only). */
  readonly allowedHosts: readonly string[];
  readonly corsOrigins: readonly string[];
  readonly webConcurrency: number;
  readonly apiUrl: string;
  readonly publicApiUrl?: string;
  readonly databaseUrl?: string;
  readonly databaseReadUrl?: string;
  readonly databasePoolSize: number;
  readonly databaseEcho: boolean;
  readonly redisUrl?: string;
  readonly secretKey: string;
  readonly algorithm: 'HS256';
  readonly accessTokenExpireMinutes: number;
  readonly refreshTokenExpireDays: number;
  /** A sign-in ends this long after the password was entered, however often it is refreshed. */
  readonly sessionAbsoluteDays: number;
  /** Where mail goes (smtp:// or smtps://); unset: mail is written to the log (development). */
  readonly smtpUrl?: string;
  readonly mailFrom: string;
  /** The web role's public address: links in mail (password reset) point here. */
  readonly publicWebUrl: string;
  /** Shared by the web and api roles: signs the visitor's address the web role passes on. */
  readonly clientAddressSecret?: string;
  /** Addresses or CIDRs of the proxies (the gateway) whose X-Forwarded-For is believed. */
  readonly trustedProxies: readonly string[];
  readonly adminApiToken?: string;
  /** Stripe Checkout, portal and webhook; undefined when no keys are set (checkout not configured). */
  readonly stripe?: StripeSettings;
  readonly sessionSecret?: string;
  readonly sentryDsn?: string;
  readonly chatgptApiKey?: string;
  readonly r2: {
    readonly endpoint?: string;
    readonly bucket?: string;
    readonly accessKeyId?: string;
    readonly secretAccessKey?: string;
  };
  readonly shutdownTimeoutSeconds: number;
  /** A fault injected for a rollout rehearsal; never set outside development and test. */
  readonly rehearsalFault?: RehearsalFault;
  /** The environment's maintenance window (the one Argo CD syncs in), announced to learners. */
  readonly maintenanceWindow?: MaintenanceWindow;
  /** Not an environment variable: fixed operating limits, overridable in tests. */
  readonly readinessTimeoutMs: number;
  readonly bodyLimitBytes: number;
  /** Login and register attempts allowed per client address and window. */
  readonly authRateLimit: { readonly points: number; readonly durationSeconds: number };
  /** scrypt parameters for new hashes (OWASP minimum); only tests set a lower cost. */
  readonly passwordHashCost: ScryptCost;
  /** A password reset link works this long, once. */
  readonly passwordResetMinutes: number;
  /** A sign-up link works this long, once; the account exists only once it is followed. */
  readonly signupLinkHours: number;
  readonly version: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The variables, each with its parser, default and limits. The charts import it
 * (charts/app-config.ts): the environment files' settings get their names, defaults and
 * value rules from here.
 */
export const EnvSchema = z.object({
  APP_ENV: z.enum(APP_ENVS).default('development'),
  ROLE: z.enum(ROLES).default('api'),
  PORT: int(0, 0, 65535).optional(),
  METRICS_PORT: int(METRICS_PORT, 0, 65535),
  LOG_LEVEL: z
    .string()
    .optional()
    .transform((v) => (v ?? 'info').trim().toLowerCase())
    .pipe(z.enum(LOG_LEVELS)),
  DEBUG: bool(false),
  ALLOWED_HOSTS: list,
  CORS_ORIGINS: list,
  WEB_CONCURRENCY: int(1, 1, 64),
  API_URL: url(['http://', 'https://']),
  PUBLIC_API_URL: url(['http://', 'https://']),
  DATABASE_URL: url(['postgres://', 'postgresql://', 'sqlite:']),
  DATABASE_READ_URL: url(['postgres://', 'postgresql://', 'sqlite:']),
  DATABASE_POOL_SIZE: int(10, 1, 200),
  DATABASE_ECHO: bool(false),
  REDIS_URL: url(['redis://', 'rediss://']),
  SECRET_KEY: optionalString,
  ALGORITHM: z
    .string()
    .optional()
    .transform((v) => v ?? 'HS256')
    .pipe(z.literal('HS256', { errorMap: () => ({ message: 'only HS256 is accepted' }) })),
  ACCESS_TOKEN_EXPIRE_MINUTES: int(30, 1, 1440),
  REFRESH_TOKEN_EXPIRE_DAYS: int(30, 1, 365),
  // ASVS 3.3.2 (level 2): re-authenticate at least every 30 days, however active.
  SESSION_ABSOLUTE_DAYS: int(30, 1, 30),
  SMTP_URL: url(['smtp://', 'smtps://']),
  MAIL_FROM: optionalString,
  CLIENT_ADDRESS_SECRET: optionalString,
  TRUSTED_PROXIES: list,
  ADMIN_API_TOKEN: optionalString,
  ...STRIPE_ENV,
  SESSION_SECRET: optionalString,
  SENTRY_DSN: url(['https://', 'http://']),
  CHATGPT_API_KEY: optionalString,
  CLOUDFLARE_R2_ENDPOINT: url(['https://', 'http://']),
  CLOUDFLARE_R2_BUCKET: optionalString,
  CLOUDFLARE_R2_ACCESS_KEY_ID: optionalString,
  CLOUDFLARE_R2_SECRET_ACCESS_KEY: optionalString,
  SHUTDOWN_TIMEOUT_SECONDS: int(25, 1, 600),
  // Read only to refuse REHEARSAL_FAULT in the image, which sets NODE_ENV=production.
  NODE_ENV: optionalString,
  REHEARSAL_FAULT: optionalString.pipe(z.enum(REHEARSAL_FAULTS).optional()),
  // The environment file's maintenanceWindow as JSON, written into the ConfigMap by the charts.
  MAINTENANCE_WINDOW: optionalString.transform((v, ctx) => {
    if (v === undefined) return undefined;
    try {
      return parseMaintenanceWindow(v);
    } catch (err) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message });
      return z.NEVER;
    }
  }),
});

function packageVersion(): string {
  // app/src/config.ts and app/build/config.js sit at the same depth below the root.
  try {
    const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version?: string };
    return String(pkg.version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

/** Parse the environment once. Throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const problems = configProblems(e);
  const development = e.APP_ENV === 'development';
  const secretKey = secretKeyOf(e);
  const stripe = e.ROLE !== 'web' ? parseStripe(e, development, problems) : undefined;
  if (problems.length > 0) throw new ConfigError(problems);
  return configFrom(e, secretKey, stripe);
}

/** The parsed variables as the app reads them, with the defaults that depend on the environment. */
function configFrom(e: z.infer<typeof EnvSchema>, secretKey: string | undefined, stripe: StripeSettings | undefined): Config {
  const development = e.APP_ENV === 'development';
  const defaultPort = e.ROLE === 'web' ? ROLE_PORTS.web : ROLE_PORTS.api;
  return {
    appEnv: e.APP_ENV,
    role: e.ROLE,
    port: e.PORT ?? defaultPort,
    metricsPort: e.METRICS_PORT,
    logLevel: e.LOG_LEVEL,
    debug: e.DEBUG,
    allowedHosts: e.ALLOWED_HOSTS.length > 0 ? e.ALLOWED_HOSTS : development || e.APP_ENV === 'test' ? ['*'] : [],
    corsOrigins: e.CORS_ORIGINS,
    webConcurrency: e.WEB_CONCURRENCY,
    apiUrl: e.API_URL ?? `http://127.0.0.1:${ROLE_PORTS.api}`,
    publicApiUrl: e.PUBLIC_API_URL,
    databaseUrl: e.DATABASE_URL ?? (development ? 'sqlite:./tmp/dev.sqlite' : undefined),
    databaseReadUrl: e.DATABASE_READ_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databaseEcho: e.DATABASE_ECHO,
    redisUrl: e.REDIS_URL,
    secretKey: secretKey ?? '',
    algorithm: e.ALGORITHM,
    accessTokenExpireMinutes: e.ACCESS_TOKEN_EXPIRE_MINUTES,
    refreshTokenExpireDays: e.REFRESH_TOKEN_EXPIRE_DAYS,
    sessionAbsoluteDays: e.SESSION_ABSOLUTE_DAYS,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM ?? 'Course Companion <no-reply@localhost>',
    publicWebUrl: (e.PUBLIC_WEB_URL ?? `http://localhost:${ROLE_PORTS.web}`).replace(/\/$/, ''),
    clientAddressSecret: e.CLIENT_ADDRESS_SECRET,
    trustedProxies: e.TRUSTED_PROXIES,
    adminApiToken: e.ADMIN_API_TOKEN,
    stripe,
    sessionSecret: e.SESSION_SECRET,
    sentryDsn: e.SENTRY_DSN,
    chatgptApiKey: e.CHATGPT_API_KEY,
    r2: {
      endpoint: e.CLOUDFLARE_R2_ENDPOINT,
      bucket: e.CLOUDFLARE_R2_BUCKET,
      accessKeyId: e.CLOUDFLARE_R2_ACCESS_KEY_ID,
      secretAccessKey: e.CLOUDFLARE_R2_SECRET_ACCESS_KEY,
    },
    shutdownTimeoutSeconds: e.SHUTDOWN_TIMEOUT_SECONDS,
    rehearsalFault: e.REHEARSAL_FAULT,
    maintenanceWindow: e.MAINTENANCE_WINDOW,
    readinessTimeoutMs: 2000,
    bodyLimitBytes: 64 * 1024,
    authRateLimit: { points: 10, durationSeconds: 60 },
    passwordHashCost: OWASP_SCRYPT_COST,
    passwordResetMinutes: 30,
    signupLinkHours: 24,
    version: packageVersion(),
  };
}

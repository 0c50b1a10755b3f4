import proxyaddr from 'proxy-addr';
import type { z } from 'zod';
import type { EnvSchema } from './config';

/**
 * The rules across variables that a schema of single values cannot state (config.ts
 * parses each variable; these say which combinations are refused, naming the variable).
 */
type Env = z.infer<typeof EnvSchema>;

export const DEVELOPMENT_SECRET_KEY = 'development-only-secret-key-do-not-use-elsewhere';
const MIN_SECRET_LENGTH = 32;

/** The key the api signs with: SECRET_KEY, or in development its well-known default. */
export function secretKeyOf(e: Env): string | undefined {
  return e.SECRET_KEY ?? (e.APP_ENV === 'development' ? DEVELOPMENT_SECRET_KEY : undefined);
}

/** Every rule across variables, one line per broken rule, naming the variable. */
export function configProblems(e: Env): string[] {
  const problems: string[] = [];
  const development = e.APP_ENV === 'development';
  const servesApi = e.ROLE !== 'web';
  const servesWeb = e.ROLE !== 'api';

  if (e.ALLOWED_HOSTS.includes('*') && !development) {
    problems.push('ALLOWED_HOSTS: "*" is accepted only in development');
  }
  if (e.ALLOWED_HOSTS.length === 0 && (e.APP_ENV === 'staging' || e.APP_ENV === 'production')) {
    problems.push('ALLOWED_HOSTS: is required in staging and production');
  }
  if (servesApi && !e.DATABASE_URL && !development) {
    problems.push('DATABASE_URL: is required for the api role');
  }
  const secretKey = secretKeyOf(e);
  if (servesApi) {
    if (!secretKey) problems.push('SECRET_KEY: is required for the api role');
    else if (!development && secretKey === DEVELOPMENT_SECRET_KEY) {
      problems.push('SECRET_KEY: the development default is refused outside development');
    } else if (!development && secretKey.length < MIN_SECRET_LENGTH) {
      problems.push(`SECRET_KEY: must be at least ${MIN_SECRET_LENGTH} characters outside development`);
    }
    for (const name of ['ADMIN_API_TOKEN', 'CLIENT_ADDRESS_SECRET'] as const) {
      const value = e[name];
      if (value !== undefined && !development && value.length < MIN_SECRET_LENGTH) {
        problems.push(`${name}: must be at least ${MIN_SECRET_LENGTH} characters outside development`);
      }
    }
  }
  if (servesWeb && !development && e.APP_ENV !== 'test' && (e.SESSION_SECRET ?? '').length < MIN_SECRET_LENGTH) {
    problems.push(`SESSION_SECRET: must be at least ${MIN_SECRET_LENGTH} characters for the web role`);
  }
  problems.push(...accountSecurityProblems(e));
  if (e.REHEARSAL_FAULT && (e.APP_ENV === 'staging' || e.APP_ENV === 'production' || e.NODE_ENV === 'production')) {
    problems.push(
      `REHEARSAL_FAULT: a rehearsal fault is refused with APP_ENV=${e.APP_ENV}${e.NODE_ENV === 'production' ? ' and NODE_ENV=production' : ''} (development and test only)`,
    );
  }
  return problems;
}

/** Issue 15's settings: mail, the visitor's address behind the web role and the gateway. */
function accountSecurityProblems(e: Env): string[] {
  const problems: string[] = [];
  try {
    proxyaddr.compile([...e.TRUSTED_PROXIES]);
  } catch (err) {
    problems.push(`TRUSTED_PROXIES: ${(err as Error).message}`);
  }
  const deployed = e.APP_ENV === 'staging' || e.APP_ENV === 'production';
  // The log mailer would write reset links into the logs: deployed api pods send mail.
  if (deployed && e.ROLE !== 'web' && !e.SMTP_URL) problems.push('SMTP_URL: is required for the api role in staging and production');
  // Without it the web role's visitors share one address at the api: one visitor's
  // failed sign-ins would lock out all the others.
  if (deployed && (e.CLIENT_ADDRESS_SECRET ?? '').length < MIN_SECRET_LENGTH) {
    problems.push(`CLIENT_ADDRESS_SECRET: must be at least ${MIN_SECRET_LENGTH} characters in staging and production`);
  }
  return problems;
}

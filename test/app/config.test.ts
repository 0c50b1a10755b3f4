import { DEVELOPMENT_SECRET_KEY, loadConfig } from '../../app/src/config';
import { problemsOf } from '../support/config';

const KEY = 'k'.repeat(40);
const production = {
  APP_ENV: 'production',
  ROLE: 'api',
  DATABASE_URL: 'postgres://app@db:5432/course',
  SECRET_KEY: KEY,
  ALLOWED_HOSTS: 'api.example.com',
  CLIENT_ADDRESS_SECRET: 'c'.repeat(40),
  SMTP_URL: 'smtp://mail.example.com:587',
};
const stripe = {
  STRIPE_SECRET_KEY: 'sk_live_abc123',
  STRIPE_WEBHOOK_SECRET: 'whsec_abc123',
  STRIPE_PRICE_PREMIUM: 'price_1',
  STRIPE_PRICE_PRO: 'price_2',
  STRIPE_PRICE_TEAM: 'price_3',
  PUBLIC_WEB_URL: 'https://learn.example.com',
};

describe('configuration', () => {
  it('gives a laptop working defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      appEnv: 'development',
      role: 'api',
      port: 8000,
      metricsPort: 9464,
      databaseUrl: 'sqlite:./tmp/dev.sqlite',
      databasePoolSize: 10,
      algorithm: 'HS256',
      accessTokenExpireMinutes: 30,
      refreshTokenExpireDays: 30,
      allowedHosts: ['*'],
      webConcurrency: 1,
      shutdownTimeoutSeconds: 25,
    });
  });

  it('parses a full production environment', () => {
    const config = loadConfig({
      ...production,
      DATABASE_READ_URL: 'postgres://app@replica:5432/course',
      DATABASE_POOL_SIZE: '20',
      DATABASE_ECHO: 'false',
      REDIS_URL: 'rediss://cache:6380',
      LOG_LEVEL: 'WARN',
      DEBUG: 'false',
      CORS_ORIGINS: 'https://learn.example.com, https://www.example.com',
      ALLOWED_HOSTS: 'api.example.com,api-internal',
      ACCESS_TOKEN_EXPIRE_MINUTES: '15',
      REFRESH_TOKEN_EXPIRE_DAYS: '7',
      WEB_CONCURRENCY: '1',
      SENTRY_DSN: 'https://key@sentry.example.com/1',
      CHATGPT_API_KEY: 'sk-test',
      CLOUDFLARE_R2_ENDPOINT: 'https://r2.example.com',
      CLOUDFLARE_R2_BUCKET: 'backups',
      SHUTDOWN_TIMEOUT_SECONDS: '20',
      TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1',
      SESSION_ABSOLUTE_DAYS: '14',
      SMTP_URL: 'smtps://user:pass@mail.example.com:465',
      PUBLIC_WEB_URL: 'https://learn.example.com/',
    });
    expect(config).toMatchObject({
      logLevel: 'warn',
      databasePoolSize: 20,
      corsOrigins: ['https://learn.example.com', 'https://www.example.com'],
      allowedHosts: ['api.example.com', 'api-internal'],
      accessTokenExpireMinutes: 15,
      refreshTokenExpireDays: 7,
      trustedProxies: ['10.0.0.0/8', '127.0.0.1'],
      sessionAbsoluteDays: 14,
      smtpUrl: 'smtps://user:pass@mail.example.com:465',
      publicWebUrl: 'https://learn.example.com',
      r2: { bucket: 'backups' },
    });
  });

  // Each row breaks one thing; the error must name the variable that is wrong.
  it.each<[string, NodeJS.ProcessEnv, string]>([
    ['an unknown APP_ENV', { ...production, APP_ENV: 'prod' }, 'APP_ENV'],
    ['an unknown ROLE', { ...production, ROLE: 'worker' }, 'ROLE'],
    ['a TRUSTED_PROXIES entry that is no address', { ...production, TRUSTED_PROXIES: 'gateway.local' }, 'TRUSTED_PROXIES'],
    ['no CLIENT_ADDRESS_SECRET in production', { ...production, CLIENT_ADDRESS_SECRET: '' }, 'CLIENT_ADDRESS_SECRET'],
    ['a SESSION_ABSOLUTE_DAYS over 30', { ...production, SESSION_ABSOLUTE_DAYS: '90' }, 'SESSION_ABSOLUTE_DAYS'],
    ['an SMTP_URL that is not smtp', { ...production, SMTP_URL: 'http://mail' }, 'SMTP_URL'],
    ['a PORT that is not a number', { ...production, PORT: '80a' }, 'PORT'],
    ['a PORT out of range', { ...production, PORT: '70000' }, 'PORT'],
    ['an unknown LOG_LEVEL', { ...production, LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    ['a DEBUG that is not a boolean', { ...production, DEBUG: 'maybe' }, 'DEBUG'],
    ['a missing DATABASE_URL', { ...production, DATABASE_URL: undefined }, 'DATABASE_URL'],
    ['a DATABASE_URL of an unsupported kind', { ...production, DATABASE_URL: 'mysql://db/course' }, 'DATABASE_URL'],
    ['a DATABASE_READ_URL of an unsupported kind', { ...production, DATABASE_READ_URL: 'http://replica' }, 'DATABASE_READ_URL'],
    ['a zero DATABASE_POOL_SIZE', { ...production, DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE'],
    ['a bad DATABASE_ECHO', { ...production, DATABASE_ECHO: 'loud' }, 'DATABASE_ECHO'],
    ['a REDIS_URL that is not redis', { ...production, REDIS_URL: 'http://cache' }, 'REDIS_URL'],
    ['a missing SECRET_KEY', { ...production, SECRET_KEY: undefined }, 'SECRET_KEY'],
    ['a short SECRET_KEY', { ...production, SECRET_KEY: 'short-key' }, 'SECRET_KEY'],
    ['the development SECRET_KEY', { ...production, SECRET_KEY: DEVELOPMENT_SECRET_KEY }, 'SECRET_KEY'],
    ['ALGORITHM HS512', { ...production, ALGORITHM: 'HS512' }, 'ALGORITHM'],
    ['ALGORITHM none', { ...production, ALGORITHM: 'none' }, 'ALGORITHM'],
    ['a zero ACCESS_TOKEN_EXPIRE_MINUTES', { ...production, ACCESS_TOKEN_EXPIRE_MINUTES: '0' }, 'ACCESS_TOKEN_EXPIRE_MINUTES'],
    ['a fractional REFRESH_TOKEN_EXPIRE_DAYS', { ...production, REFRESH_TOKEN_EXPIRE_DAYS: '1.5' }, 'REFRESH_TOKEN_EXPIRE_DAYS'],
    ['ALLOWED_HOSTS * outside development', { ...production, ALLOWED_HOSTS: '*' }, 'ALLOWED_HOSTS'],
    ['no ALLOWED_HOSTS in production', { ...production, ALLOWED_HOSTS: '' }, 'ALLOWED_HOSTS'],
    ['a zero WEB_CONCURRENCY', { ...production, WEB_CONCURRENCY: '0' }, 'WEB_CONCURRENCY'],
    ['a SENTRY_DSN that is not a URL', { ...production, SENTRY_DSN: 'not a url' }, 'SENTRY_DSN'],
    ['a short ADMIN_API_TOKEN', { ...production, ADMIN_API_TOKEN: 'admin' }, 'ADMIN_API_TOKEN'],
    ['a STRIPE_SECRET_KEY that is a publishable key', { ...production, ...stripe, STRIPE_SECRET_KEY: 'pk_live_abc' }, 'STRIPE_SECRET_KEY'],
    ['a STRIPE_WEBHOOK_SECRET without whsec_', { ...production, ...stripe, STRIPE_WEBHOOK_SECRET: 'hook' }, 'STRIPE_WEBHOOK_SECRET'],
    ['a Stripe key without its price ids', { ...production, STRIPE_SECRET_KEY: stripe.STRIPE_SECRET_KEY }, 'STRIPE_PRICE_TEAM'],
    ['a price id that is a product id', { ...production, ...stripe, STRIPE_PRICE_PRO: 'prod_123' }, 'STRIPE_PRICE_PRO'],
    ['Stripe keys without PUBLIC_WEB_URL outside development', { ...production, ...stripe, PUBLIC_WEB_URL: undefined }, 'PUBLIC_WEB_URL'],
    ['a PUBLIC_WEB_URL with a path', { ...production, ...stripe, PUBLIC_WEB_URL: 'https://learn.example.com/x' }, 'PUBLIC_WEB_URL'],
    ['a web role without SESSION_SECRET', { ...production, ROLE: 'web' }, 'SESSION_SECRET'],
    ['a bad API_URL', { ...production, ROLE: 'web', SESSION_SECRET: KEY, API_URL: 'api:8000' }, 'API_URL'],
    ['a bad SHUTDOWN_TIMEOUT_SECONDS', { ...production, SHUTDOWN_TIMEOUT_SECONDS: '-1' }, 'SHUTDOWN_TIMEOUT_SECONDS'],
  ])('refuses %s, naming it', (_name, env, variable) => {
    const problems = problemsOf(env);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toContain(variable);
  });

  it('reads the Stripe keys as one set, and none as checkout not configured', () => {
    expect(loadConfig({ ...production, ...stripe }).stripe).toEqual({
      secretKey: 'sk_live_abc123',
      webhookSecret: 'whsec_abc123',
      prices: { premium: 'price_1', pro: 'price_2', team: 'price_3' },
      returnUrl: 'https://learn.example.com',
    });
    expect(loadConfig(production).stripe).toBeUndefined();
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({ ...production, PORT: 'x', ALGORITHM: 'RS256', LOG_LEVEL: 'loud' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['ALGORITHM', 'LOG_LEVEL', 'PORT']);
  });

  it('lets the web role run without the api secrets', () => {
    const config = loadConfig({
      APP_ENV: 'production',
      ROLE: 'web',
      SESSION_SECRET: KEY,
      CLIENT_ADDRESS_SECRET: KEY,
      ALLOWED_HOSTS: 'learn.example.com',
      API_URL: 'http://api-stable:8000',
    });
    expect(config).toMatchObject({ role: 'web', port: 3000, apiUrl: 'http://api-stable:8000' });
  });

  it('stops the server process with a message naming the variable', async () => {
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'app/src/server.ts'], {
      cwd: `${__dirname}/../..`,
      env: {
        PATH: process.env.PATH,
        APP_ENV: 'production',
        ROLE: 'api',
        DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
        SECRET_KEY: 'short',
        ALLOWED_HOSTS: 'a',
      },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/SECRET_KEY: must be at least 32 characters/);
  }, 150_000);
});

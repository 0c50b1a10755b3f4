import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { EnvSchema, loadConfig } from '../../app/src/config';
import { METRICS_PORT, ROLE_PORTS } from '../../app/src/contract';

/**
 * The app against what the charts synthesize (issue 12, point 6): each role's
 * ConfigMap plus the keys of its ExternalSecret is exactly the environment its pods
 * get, so the app's own loadConfig must accept it. Reads the committed dist/, which
 * `npm run synth` keeps current (CI fails on a stale one).
 */
const root = path.resolve(__dirname, '../..');
const dist = path.join(root, 'dist');
const environments = readdirSync(dist).filter((name) => existsSync(path.join(dist, name, 'configmap-api-config.yaml')));
const roles = ['web', 'api'] as const;

const read = (env: string, file: string) => parse(readFileSync(path.join(dist, env, file), 'utf8'));
const configMap = (env: string, role: string): Record<string, string> => read(env, `configmap-${role}-config.yaml`).data;
const secretKeys = (env: string, role: string): string[] =>
  read(env, `externalsecret-${role}-secrets.yaml`).spec.data.map((entry: { secretKey: string }) => entry.secretKey);

/** A value of the right shape for each secret; the store holds the real ones. */
const DUMMY_SECRETS: Record<string, string> = {
  DATABASE_URL: 'postgres://course_companion_app:dummy@db.example.internal:5432/course_companion',
  DATABASE_READ_URL: 'postgres://course_companion_app:dummy@replica.example.internal:5432/course_companion',
  REDIS_URL: 'rediss://:dummy@redis.example.internal:6380',
  SENTRY_DSN: 'https://public@sentry.example.com/1',
  SMTP_URL: 'smtp://course-companion:dummy@smtp.example.com:587',
  CLOUDFLARE_R2_ENDPOINT: 'https://account.r2.cloudflarestorage.com',
  STRIPE_SECRET_KEY: 'sk_live_dummy0123456789',
  STRIPE_WEBHOOK_SECRET: 'whsec_dummy0123456789',
  STRIPE_PRICE_PREMIUM: 'price_dummy_premium',
  STRIPE_PRICE_PRO: 'price_dummy_pro',
  STRIPE_PRICE_TEAM: 'price_dummy_team',
};
const dummySecret = (name: string) => DUMMY_SECRETS[name] ?? `dummy-${name.toLowerCase()}-`.padEnd(48, 'x');

/** The pod's environment: the ConfigMap, then the Secret's keys. */
function podEnvironment(env: string, role: string): Record<string, string> {
  const secrets = Object.fromEntries(secretKeys(env, role).map((name) => [name, dummySecret(name)]));
  return { ...configMap(env, role), ...secrets };
}

describe.each(environments)('dist/%s', (env) => {
  it.each(roles)('gives the %s role an environment the app parses', (role) => {
    const config = loadConfig(podEnvironment(env, role));
    expect(config.role).toBe(role);
    expect(config.appEnv).toBe(configMap(env, role).APP_ENV);
    expect(config.port).toBe(ROLE_PORTS[role]);
    expect(config.metricsPort).toBe(METRICS_PORT);
  });

  it.each(roles)('sets only variables the app reads for the %s role', (role) => {
    const names = [...Object.keys(configMap(env, role)), ...secretKeys(env, role)];
    expect(names.filter((name) => !Object.hasOwn(EnvSchema.shape, name))).toEqual([]);
  });

  it('is refused without the secrets, so the check above means something', () => {
    expect(() => loadConfig(configMap(env, 'api'))).toThrow(/DATABASE_URL/);
    expect(() => loadConfig(configMap(env, 'web'))).toThrow(/SESSION_SECRET/);
  });
});

describe('the ports the halves cannot import', () => {
  const dockerfile = readFileSync(path.join(root, 'app/Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const contracts = readFileSync(path.join(root, 'docs/contracts.md'), 'utf8');

  it('app/Dockerfile defaults to the api role on its port and exposes exactly the contract ports', () => {
    const env = dockerfile.match(/^ENV\s+(.*)$/m)?.[1] ?? '';
    expect(env).toMatch(/\bROLE=api\b/);
    expect(env).toContain(`PORT=${ROLE_PORTS.api} `);
    expect(env).toContain(`METRICS_PORT=${METRICS_PORT}`);
    const exposed = (dockerfile.match(/^EXPOSE\s+(.*)$/m)?.[1] ?? '').split(/\s+/).map(Number);
    expect(exposed.sort()).toEqual([ROLE_PORTS.web, ROLE_PORTS.api, METRICS_PORT].sort());
  });

  it('docs/contracts.md lists the same ports', () => {
    expect(contracts).toContain(`| web port | \`PORT\` = ${ROLE_PORTS.web} |`);
    expect(contracts).toContain(`| api port | \`PORT\` = ${ROLE_PORTS.api} |`);
    expect(contracts).toContain(`| metrics port | \`METRICS_PORT\` = ${METRICS_PORT},`);
    expect(contracts).toContain(`\`metrics\` (${METRICS_PORT})`);
  });
});

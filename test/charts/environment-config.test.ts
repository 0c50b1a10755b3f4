/**
 * Bad environment files: synth must stop with a message naming the file, the field
 * and what was expected, and write nothing. Also: a Secret with data is never written.
 *
 * Most cases start from the real production file and break one field, so the table
 * keeps up with the schema; the fixtures under fixtures/bad-env/ are files that cannot
 * be expressed that way (broken YAML, duplicate keys, a misnamed file, an empty file).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { KubeSecret, KubeService } from 'cdk8s-plus-28/lib/imports/k8s';
import type { EnvironmentExtension } from '../../charts/course-companion-chart';
import { EnvironmentConfigError, loadEnvironment } from '../../charts/config/environment';
import { SynthesisError, assertNoSecretData, synthesize, writeSynthesis } from '../../charts/main';

const REPO = resolve(__dirname, '../..');
const PRODUCTION = join(REPO, 'charts/environments/production.yaml');
const FIXTURES = join(__dirname, 'fixtures/bad-env');

type Data = Record<string, any>;

interface BadCase {
  /** What is wrong, in words. */
  readonly name: string;
  /** Breaks a copy of the production file. */
  readonly mutate: (env: Data) => void;
  /** The field path the message must name. */
  readonly path: string;
  /** What the message must say was expected. */
  readonly expected: string | RegExp;
}

const cases: BadCase[] = [
  {
    name: 'an unknown top-level key',
    mutate: (env) => (env.replicas = 3),
    path: '(top level)',
    expected: 'unknown key "replicas"',
  },
  {
    name: 'a misspelt nested key',
    mutate: (env) => (env.api.scaling.maxReplicas = 8),
    path: 'api.scaling',
    expected: 'unknown key "maxReplicas"',
  },
  {
    name: 'a missing required field',
    mutate: (env) => delete env.api.scaling.max,
    path: 'api.scaling.max',
    expected: 'required: expected number',
  },
  {
    name: 'an HPA maximum below its minimum',
    mutate: (env) => (env.api.scaling.max = 1),
    path: 'api.scaling.max',
    expected: 'expected a number >= scaling.min, got 1',
  },
  {
    name: 'an image tag instead of a digest',
    mutate: (env) => (env.image.digest = 'latest'),
    path: 'image.digest',
    expected: 'expected an image digest "sha256:" followed by 64 hex digits, got "latest"',
  },
  {
    name: 'a digest one hex digit short',
    mutate: (env) => (env.image.digest = env.image.digest.slice(0, -1)),
    path: 'image.digest',
    expected: /expected an image digest "sha256:" followed by 64 hex digits, got "sha256:[0-9a-f]{63}"/,
  },
  {
    name: 'an unknown delivery kind',
    mutate: (env) => (env.delivery.kind = 'rolling'),
    path: 'delivery.kind',
    expected: 'expected kind "canary" or "blueGreen", got "rolling"',
  },
  {
    name: 'a canary weight above 99',
    mutate: (env) => (env.delivery.steps[1].weight = 150),
    path: 'delivery.steps.1.weight',
    expected: 'expected a weight of 1 to 99 percent, got 150',
  },
  {
    name: 'canary weights that go down',
    mutate: (env) =>
      (env.delivery.steps = [
        { weight: 50, pause: '10m' },
        { weight: 10, pause: '10m' },
      ]),
    path: 'delivery.steps',
    expected: 'expected weights that increase from step to step',
  },
  {
    name: 'a pause without a unit',
    mutate: (env) => (env.delivery.steps[0].pause = 10),
    path: 'delivery.steps.0.pause',
    expected: 'expected string, got number 10',
  },
  {
    name: 'a blue-green field in a canary delivery',
    mutate: (env) => (env.delivery.autoPromotionSeconds = 30),
    path: 'delivery',
    expected: 'unknown key "autoPromotionSeconds"',
  },
  {
    name: 'a success rate given in percent',
    mutate: (env) => (env.analysis.successRateMin = 99.9),
    path: 'analysis.successRateMin',
    expected: 'expected a ratio of at most 1, got 99.9',
  },
  {
    name: 'a failureLimit that one noisy minute would exhaust',
    mutate: (env) => (env.analysis.failureLimit = 1),
    path: 'analysis.failureLimit',
    expected: 'expected at least 3 (one bad minute fails every measurement whose 2m window holds it: 3 at a 1m interval), got 1',
  },
  {
    name: 'a rate window too short for the scrape interval',
    mutate: (env) => (env.analysis.rateWindow = '1m'),
    path: 'analysis.rateWindow',
    expected: 'expected at least 4 scrape intervals (monitoring.scrapeInterval 30s): 120s or more, got "1m"',
  },
  {
    name: 'no minimum traffic for the analysis',
    mutate: (env) => (env.analysis.minimumRequests = 0),
    path: 'analysis.minimumRequests',
    expected: 'expected at least 1 request, got 0',
  },
  {
    name: 'canary pauses that end before the analysis can decide',
    mutate: (env) =>
      (env.delivery.steps = [
        { weight: 10, pause: '2m' },
        { weight: 50, pause: '1m' },
      ]),
    path: 'delivery.steps',
    expected: /expected pauses adding up to at least 300s .*so the analysis decides before the canary ends/,
  },
  {
    name: 'a memory limit in the wrong unit',
    mutate: (env) => (env.web.resources.limits.memory = '512MB'),
    path: 'web.resources.limits.memory',
    expected: 'expected a memory quantity such as "256Mi" or "1Gi", got "512MB"',
  },
  {
    name: 'an unknown log level',
    mutate: (env) => (env.api.config.LOG_LEVEL = 'verbose'),
    path: 'api.config.LOG_LEVEL',
    expected: 'expected one of "fatal", "error", "warn", "info", "debug", "trace", got "verbose"',
  },
  {
    name: 'DEBUG as a string',
    mutate: (env) => (env.web.config.DEBUG = 'yes'),
    path: 'web.config.DEBUG',
    expected: 'expected boolean, got string "yes"',
  },
  {
    name: 'an api-only setting on the web role',
    mutate: (env) => (env.web.config.CORS_ORIGINS = ['https://www.coursecompanionfte.com']),
    path: 'web.config',
    expected: 'unknown key "CORS_ORIGINS"',
  },
  {
    name: 'a namespace that is not a DNS label',
    mutate: (env) => (env.namespace = 'Course_Companion'),
    path: 'namespace',
    expected: 'expected a DNS label: lower-case letters, digits and "-", at most 63 characters, got "Course_Companion"',
  },
  {
    name: 'a host name with a scheme',
    mutate: (env) => (env.hosts.api = 'https://api.coursecompanionfte.com'),
    path: 'hosts.api',
    expected: 'expected a fully qualified lower-case host name such as "api.example.com"',
  },
  {
    name: 'a secret key in lower case',
    mutate: (env) => (env.secrets.remoteKeys.web.session_secret = 'course-companion/production/session-secret'),
    path: 'secrets.remoteKeys.web.session_secret',
    expected: 'expected an upper-case environment variable name',
  },
  {
    name: "a key of another environment's secrets (issue 11, point 8)",
    mutate: (env) => (env.secrets.remoteKeys.api.DATABASE_URL = 'course-companion/staging/database-url'),
    path: 'secrets.remoteKeys.api.DATABASE_URL',
    expected: 'expected a key under "course-companion/production/", got "course-companion/staging/database-url"',
  },
  {
    name: 'a key that climbs out of the prefix',
    mutate: (env) => (env.secrets.remoteKeys.backup.DATABASE_URL = 'course-companion/production/../staging/database-url'),
    path: 'secrets.remoteKeys.backup.DATABASE_URL',
    expected: 'expected a key under "course-companion/production/"',
  },
  {
    name: 'a secret the app does not read (issue 12, point 6)',
    mutate: (env) => (env.secrets.remoteKeys.api.DATABSE_URL = 'course-companion/production/database-url'),
    path: 'secrets.remoteKeys.api.DATABSE_URL',
    expected: 'expected a variable the app reads (app/src/config.ts), got "DATABSE_URL"',
  },
  {
    name: "a setting the app's own parser refuses (issue 12, point 6)",
    mutate: (env) => (env.api.config.ACCESS_TOKEN_EXPIRE_MINUTES = 2000),
    path: 'api.config.ACCESS_TOKEN_EXPIRE_MINUTES',
    expected: 'expected a value the app accepts (app/src/config.ts): must be between 1 and 1440, got 2000',
  },
  {
    name: 'a key prefix without its closing slash (it would admit "course-companion/production-old/…")',
    mutate: (env) => (env.secrets.keyPrefix = 'course-companion/production'),
    path: 'secrets.keyPrefix',
    expected: 'expected a key prefix ending in "/", such as "course-companion/production/"',
  },
  {
    name: 'an SSH key as the backup recipient',
    mutate: (env) => (env.backup.encryptionRecipient = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI'),
    path: 'backup.encryptionRecipient',
    expected: 'expected an age public key "age1…" (62 characters)',
  },
  {
    name: 'a maintenance window in words',
    mutate: (env) => (env.maintenanceWindow.schedule = 'sundays at two'),
    path: 'maintenanceWindow.schedule',
    expected: 'expected a five-field cron expression such as "0 2 * * 0", got "sundays at two"',
  },
  {
    name: 'a namespace too long for its internal gateway Service name',
    mutate: (env) => (env.namespace = `course-companion-${'x'.repeat(38)}`),
    path: 'namespace',
    expected: 'at most 54 characters (the internal gateway Service is "<namespace>-internal")',
  },
  {
    name: 'a database CIDR without a prefix length',
    mutate: (env) => (env.network.database.cidrs = ['10.20.0.5']),
    path: 'network.database.cidrs.0',
    expected: 'expected an IPv4 CIDR such as "10.0.0.0/16", got "10.20.0.5"',
  },
];

const fixtureCases: { file: string; path: string; expected: string }[] = [
  { file: 'invalid-yaml.yaml', path: 'line 5, column 8', expected: 'not valid YAML: Nested mappings are not allowed in compact mappings' },
  { file: 'duplicate-key.yaml', path: 'line 7, column 1', expected: 'not valid YAML: Map keys must be unique' },
  { file: 'misnamed.yaml', path: 'name', expected: 'expected "misnamed" (the file\'s name), got "production"' },
  { file: 'empty.yaml', path: '(top level)', expected: 'expected object, got null' },
];

let workDir: string;
beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'cc-bad-env-'));
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** Writes a broken copy of production.yaml as <dir>/production.yaml and returns its path. */
function brokenProductionFile(mutate: (env: Data) => void, dir = mkdtempSync(join(workDir, 'case-'))): string {
  const env = parse(readFileSync(PRODUCTION, 'utf8')) as Data;
  mutate(env);
  const file = join(dir, 'production.yaml');
  writeFileSync(file, stringify(env));
  return file;
}

function errorOf(load: () => unknown): EnvironmentConfigError {
  try {
    load();
  } catch (err) {
    if (err instanceof EnvironmentConfigError) return err;
    throw err;
  }
  throw new Error('expected the environment file to be rejected, but it loaded');
}

describe('a malformed environment file', () => {
  it('is told apart from the valid production file', () => {
    expect(loadEnvironment(PRODUCTION).name).toBe('production');
  });

  it.each(cases)('is rejected for $name, naming $path', ({ mutate, path, expected }) => {
    const file = brokenProductionFile(mutate);
    const error = errorOf(() => loadEnvironment(file));
    expect(error.file).toBe(file);
    expect(error.message.startsWith(`${file}: invalid environment file`)).toBe(true);
    // Exactly one problem: the one this case introduced.
    expect(error.problems).toHaveLength(1);
    const line = error.message.split('\n')[1];
    expect(line.startsWith(`  - ${path}: `)).toBe(true);
    if (typeof expected === 'string') expect(line).toContain(expected);
    else expect(line).toMatch(expected);
  });

  it.each(fixtureCases)('fixtures/bad-env/$file is rejected, naming $path', ({ file, path, expected }) => {
    const full = join(FIXTURES, file);
    const error = errorOf(() => loadEnvironment(full));
    expect(error.message.split('\n')[0]).toBe(`${full}: invalid environment file`);
    expect(error.message).toContain(`  - ${path}: ${expected}`);
  });

  it('lists every bad field at once, not only the first', () => {
    const file = brokenProductionFile((env) => {
      env.image.digest = 'latest';
      env.web.scaling.min = 0;
    });
    const error = errorOf(() => loadEnvironment(file));
    expect(error.problems.map((p) => p.path).sort()).toEqual(['image.digest', 'web.scaling.min']);
  });
});

describe('synth with a bad environment file', () => {
  it('exits non-zero, names file and field, and writes nothing', () => {
    const envDir = mkdtempSync(join(workDir, 'envs-'));
    writeFileSync(join(envDir, 'staging.yaml'), readFileSync(join(REPO, 'charts/environments/staging.yaml')));
    const bad = brokenProductionFile((env) => (env.api.scaling.max = 1), envDir);
    const outdir = mkdtempSync(join(workDir, 'out-'));
    // Output from an earlier run must survive a failed one.
    mkdirSync(join(outdir, 'dist/production'), { recursive: true });
    writeFileSync(join(outdir, 'dist/production/rollout-web.yaml'), 'previous\n');

    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(REPO, 'charts/main.ts'), '--environments', envDir, '--outdir', outdir],
      { encoding: 'utf8', cwd: REPO },
    );

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('synth failed, nothing written');
    expect(result.stderr).toContain(`${bad}: invalid environment file`);
    expect(result.stderr).toContain('api.scaling.max: expected a number >= scaling.min, got 1');
    expect(readdirSync(outdir).sort()).toEqual(['dist']);
    expect(readdirSync(join(outdir, 'dist'))).toEqual(['production']);
    expect(readFileSync(join(outdir, 'dist/production/rollout-web.yaml'), 'utf8')).toBe('previous\n');
  });
});

describe('a Secret with values', () => {
  it.each([
    ['data', { data: { SECRET_KEY: 'c2VjcmV0' } }],
    ['stringData', { stringData: { SECRET_KEY: 'secret' } }],
  ])('is refused when it carries %s', (_field, values) => {
    const manifest = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api-secrets' }, ...values };
    expect(() => assertNoSecretData(manifest, 'dist/production/secret-api-secrets.yaml')).toThrow(
      'dist/production/secret-api-secrets.yaml: refusing to write Secret "api-secrets" with data/stringData',
    );
  });

  it('is allowed without values (e.g. a token Secret filled by the cluster)', () => {
    const manifest = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'token' }, type: 'kubernetes.io/service-account-token' };
    expect(() => assertNoSecretData(manifest, 'x')).not.toThrow();
  });

  it('stops the whole synth, and nothing is written', () => {
    const outdir = mkdtempSync(join(workDir, 'secret-out-'));
    const leak = () =>
      synthesize({
        extensions: [(chart) => new KubeSecret(chart, 'leak', { metadata: { name: 'leak' }, stringData: { PASSWORD: 'hunter2' } })],
      });
    expect(leak).toThrow(SynthesisError);
    // As the CLI does it: synthesize, then write. The refusal comes first.
    expect(() => writeSynthesis(leak(), outdir)).toThrow(
      'dist/production/secret-leak.yaml: refusing to write Secret "leak" with data/stringData',
    );
    expect(readdirSync(outdir)).toEqual([]);
  });
});

describe('synth runs the manifest checks', () => {
  // A Service that would be reachable from outside the Gateway: schema-valid, but the
  // policy rules refuse it, and so must synth itself, not only CI.
  const nodePort: EnvironmentExtension = (chart) =>
    void new KubeService(chart, 'exposed', { metadata: { name: 'exposed' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });

  it('refuses output with a finding, naming the rule and the file', () => {
    const synth = () => synthesize({ extensions: [nodePort] });
    expect(synth).toThrow(SynthesisError);
    expect(synth).toThrow('[policy/service-type] dist/production/service-exposed.yaml');
  });

  it('passes the same output through when a test turns the checks off', () => {
    expect(synthesize({ extensions: [nodePort], check: false }).files.has('dist/production/service-exposed.yaml')).toBe(true);
  });
});

describe('writing a synthesis', () => {
  it('replaces each output directory whole, removing stale files', () => {
    const outdir = mkdtempSync(join(workDir, 'write-'));
    mkdirSync(join(outdir, 'dist/production'), { recursive: true });
    writeFileSync(join(outdir, 'dist/production/deployment-old.yaml'), 'stale\n');
    mkdirSync(join(outdir, 'unrelated'));

    const synthesis = synthesize();
    writeSynthesis(synthesis, outdir);

    expect(existsSync(join(outdir, 'dist/production/deployment-old.yaml'))).toBe(false);
    expect(existsSync(join(outdir, 'unrelated'))).toBe(true);
    const written = readdirSync(join(outdir, 'dist/production')).sort();
    const expected = [...synthesis.files.keys()]
      .filter((p) => p.startsWith('dist/production/'))
      .map((p) => p.slice('dist/production/'.length));
    expect(written).toEqual(expected.sort());
    // No temporary directory is left behind.
    expect(readdirSync(outdir).filter((f) => f.startsWith('.synth-'))).toEqual([]);
  });
});

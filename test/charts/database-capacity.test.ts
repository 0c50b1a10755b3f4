/**
 * Database connections in the worst case (issue 11, point 14): synth refuses an
 * environment whose api at its HPA maximum, a release at its largest step and the jobs
 * need more connections than the server accepts, and the README's table is computed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { capacityMarkdown, databaseCapacity, releaseSteps } from '../../charts/config/capacity';
import { EnvironmentConfigError, loadEnvironment, loadEnvironments } from '../../charts/config/environment';

const REPO = resolve(__dirname, '../..');
const PRODUCTION = join(REPO, 'charts/environments/production.yaml');
let workDir: string;
beforeAll(() => (workDir = mkdtempSync(join(tmpdir(), 'cc-capacity-'))));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function productionWith(change: (env: any) => void): string {
  const env = parse(readFileSync(PRODUCTION, 'utf8'));
  change(env);
  const file = join(mkdtempSync(join(workDir, 'case-')), 'production.yaml');
  writeFileSync(file, stringify(env));
  return file;
}

function errorOf(file: string): EnvironmentConfigError {
  try {
    loadEnvironment(file);
  } catch (err) {
    if (err instanceof EnvironmentConfigError) return err;
    throw err;
  }
  throw new Error(`${file} loaded, expected a refusal`);
}

describe('database capacity', () => {
  it('sizes the canary as Argo Rollouts does: ceil(weight × replicas / 100), then 100 % at the last step', () => {
    const env = loadEnvironment(PRODUCTION);
    expect(
      releaseSteps(
        {
          ...env,
          delivery: {
            kind: 'canary',
            steps: [
              { weight: 10, pause: '1m' },
              { weight: 50, pause: '1m' },
            ],
          },
        },
        8,
      ),
    ).toEqual([
      { label: 'canary at 10 %', pods: 1 },
      { label: 'canary at 50 %', pods: 4 },
      { label: 'canary at 100 % (last step, before the stable set scales down)', pods: 8 },
    ]);
    expect(releaseSteps({ ...env, delivery: { kind: 'blueGreen', autoPromotionSeconds: 0, scaleDownDelaySeconds: 30 } }, 3)).toEqual([
      { label: 'preview (blue-green, full size)', pods: 3 },
    ]);
  });

  it('counts production: 8 stable + 8 canary pods × 1 × 10, the migration pool and one pg_dump', () => {
    const c = databaseCapacity(loadEnvironment(PRODUCTION));
    expect(c.total).toBe((8 + 8) * 10 + 2 + 1);
    expect(c.replicaTotal).toBe(160);
  });

  it('refuses a server too small for the worst case, naming file, field and the arithmetic', () => {
    const file = productionWith((env) => (env.database = { ...env.database, maxConnections: 100, reservedConnections: 10 }));
    const error = errorOf(file);
    expect(error.file).toBe(file);
    expect(error.message).toContain(
      '  - database.maxConnections: expected room for the worst case of a release at peak ' +
        '(canary at 100 % (last step, before the stable set scales down)): ' +
        '(8 stable + 8 new) api pods × 1 WEB_CONCURRENCY × 10 DATABASE_POOL_SIZE + 2 migrate + 1 backup = 163 connections, ' +
        'but the server accepts 100 maxConnections − 10 reservedConnections = 90',
    );
  });

  it('refuses a pool raised past the limit, and counts every process of a pod', () => {
    const error = errorOf(productionWith((env) => (env.api.config.WEB_CONCURRENCY = 2)));
    expect(error.message).toContain('(8 stable + 8 new) api pods × 2 WEB_CONCURRENCY × 10 DATABASE_POOL_SIZE + 2 migrate + 1 backup = 323');
  });

  it('is the table in the README, so the two cannot drift', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const block = /<!-- capacity:begin[^>]*-->\n([\s\S]*?)\n<!-- capacity:end -->/.exec(readme);
    expect(block).not.toBeNull();
    expect(block![1]).toBe(capacityMarkdown(loadEnvironments(join(REPO, 'charts/environments'))));
  });
});

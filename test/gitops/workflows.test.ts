import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// The workflows cannot run here (no GitHub, no Docker): parse them and check that the
// pipeline the seed asks for is all there, and that nothing runs unpinned.
const DIR = join(__dirname, '..', '..', '.github', 'workflows');

interface Step {
  id?: string;
  name?: string;
  env?: Record<string, string>;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  'runs-on'?: string;
  container?: string;
  outputs?: Record<string, string>;
  needs?: string | string[];
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const load = (file: string): Workflow => parse(readFileSync(join(DIR, file), 'utf8')) as Workflow;
const stepsOf = (workflow: Workflow) => Object.values(workflow.jobs).flatMap((job) => job.steps);
const runs = (workflow: Workflow) =>
  stepsOf(workflow)
    .map((step) => step.run ?? '')
    .join('\n');
const uses = (workflow: Workflow) =>
  stepsOf(workflow)
    .map((step) => step.uses)
    .filter((u): u is string => !!u);

describe('GitHub workflows', () => {
  const files = readdirSync(DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();

  it('are the PR check, the PR diff comment and the app and backup image builds', () => {
    expect(files).toEqual(['backup-image.yml', 'image.yml', 'pr-check.yml', 'pr-diff.yml']);
  });

  it.each(files)('%s pins every action to a full commit SHA', (file) => {
    for (const ref of uses(load(file))) expect(ref).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
  });

  it.each(files)('%s starts from read-only permissions', (file) => {
    const workflow = load(file);
    expect(workflow.permissions?.contents).toBe('read');
  });

  // Issue 12, point 8: local CI and GitHub run one script, on Debian (ubuntu-24.04's apt
  // chromium is a snap stub, and rclone was missing).
  it('PR check: runs .ci/run in a Debian container, and .ci/run lints, checks drift and tests', () => {
    const workflow = load('pr-check.yml');
    expect(Object.keys(workflow.on)).toEqual(['pull_request', 'push']);
    expect(workflow.jobs.check.container).toMatch(/^node:20-bookworm$|^debian:bookworm/);
    expect(workflow.jobs.check.steps.map((step) => step.run).filter(Boolean)).toEqual(['.ci/run']);

    const ci = readFileSync(join(DIR, '..', '..', '.ci', 'run'), 'utf8');
    const order = ['npm run -s lint', 'npm run -s synth', 'git status --porcelain -- dist argocd', 'npm test -- '].map((c) =>
      ci.indexOf(c),
    );
    expect(order.every((i, n) => i >= 0 && (n === 0 || i > order[n - 1]))).toBe(true);
    for (const pkg of ['chromium', 'prometheus', 'age', 'rclone', 'postgresql-client', 'postgresql', 'redis-server']) {
      expect(ci).toContain(`need+=(${pkg})`);
    }
  });

  // GitHub starts no workflow for events caused by GITHUB_TOKEN: a pin PR opened with it
  // would get neither pr-check nor the pr-diff comment.
  it.each(['image.yml', 'backup-image.yml'])('%s pushes the pin branch and opens its PR with a GitHub App token', (file) => {
    const bump = load(file).jobs['bump-staging'];
    const [token, checkout] = bump.steps;
    expect(token.uses).toMatch(/^actions\/create-github-app-token@/);
    expect(token.with).toMatchObject({
      'client-id': '${{ secrets.PIN_APP_CLIENT_ID }}',
      'private-key': '${{ secrets.PIN_APP_PRIVATE_KEY }}',
    });
    expect(checkout.with?.token).toBe(`\${{ steps.${token.id}.outputs.token }}`);
    const openPr = bump.steps.find((step) => step.run?.includes('gh pr create'));
    expect(openPr?.env?.GH_TOKEN).toBe(`\${{ steps.${token.id}.outputs.token }}`);
    expect(JSON.stringify(bump)).not.toContain('github.token');
  });

  it('PR diff: runs npm run diff against the base branch and posts it as a comment', () => {
    const workflow = load('pr-diff.yml');
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(workflow.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const [checkout] = workflow.jobs.diff.steps;
    expect(checkout.with).toEqual({ 'fetch-depth': 0 });
    const commands = runs(workflow);
    expect(commands).toContain('npm run -s diff -- "origin/${{ github.base_ref }}"');
    expect(commands).toContain('gh pr comment');
  });

  it('image build: dependency scan, build, image scan, SBOM, push, sign, then a PR pinning staging', () => {
    const workflow = load('image.yml');
    expect(Object.keys(workflow.jobs)).toEqual(['scan-dependencies', 'build', 'bump-staging']);
    expect(workflow.jobs.build.needs).toBe('scan-dependencies');
    expect(workflow.jobs['bump-staging'].needs).toBe('build');
    expect(workflow.jobs.build.permissions).toEqual({ contents: 'read', packages: 'write', 'id-token': 'write' });

    const scan = runs({ ...workflow, jobs: { s: workflow.jobs['scan-dependencies'] } });
    expect(scan).toContain('npm audit --omit=dev --audit-level=high');
    expect(
      uses({ ...workflow, jobs: { s: workflow.jobs['scan-dependencies'] } }).some((u) => u.startsWith('aquasecurity/trivy-action@')),
    ).toBe(true);

    const build = workflow.jobs.build.steps;
    const index = (predicate: (step: Step) => boolean) => build.findIndex(predicate);
    const built = index((s) => /docker build --file app\/Dockerfile/.test(s.run ?? ''));
    const scanned = index(
      (s) => !!s.uses?.startsWith('aquasecurity/trivy-action@') && !!s.with?.['image-ref'] && s.with?.['exit-code'] === '1',
    );
    const sbom = index((s) => s.with?.format === 'cyclonedx');
    const pushed = index((s) => /docker push/.test(s.run ?? ''));
    const signed = index((s) => /cosign sign --yes/.test(s.run ?? ''));
    expect([built, scanned, sbom, pushed, signed].every((i) => i >= 0)).toBe(true);
    // A vulnerable image is never pushed; only a pushed digest is signed.
    expect(built < scanned && scanned < pushed && sbom < pushed && pushed < signed).toBe(true);
    expect(runs(workflow)).toContain('cosign attest --yes --type cyclonedx --predicate sbom.cdx.json');

    const bump = runs({ ...workflow, jobs: { b: workflow.jobs['bump-staging'] } });
    expect(bump).toContain('npm run -s promote -- --to staging --digest "$DIGEST"');
    expect(bump).toContain('gh pr create');
  });

  // Issue 11, point 6: the backup image was pinned by a hand-written digest that no
  // workflow produced. Now it is built, scanned, signed and pinned like the app's.
  it("backup image build: runs on ops/backup changes; build, scan, SBOM, push, sign, then a PR pinning staging's backup.image", () => {
    const workflow = load('backup-image.yml');
    expect((workflow.on.push as { paths: string[] }).paths).toEqual(['ops/backup/**']);
    expect(Object.keys(workflow.jobs)).toEqual(['scan-dockerfile', 'build', 'bump-staging']);
    expect(workflow.jobs.build.permissions).toEqual({ contents: 'read', packages: 'write', 'id-token': 'write' });
    const build = workflow.jobs.build.steps;
    const index = (predicate: (step: Step) => boolean) => build.findIndex(predicate);
    const built = index((s) => /docker build --file ops\/backup\/Dockerfile/.test(s.run ?? ''));
    const scanned = index(
      (s) => !!s.uses?.startsWith('aquasecurity/trivy-action@') && !!s.with?.['image-ref'] && s.with?.['exit-code'] === '1',
    );
    const sbom = index((s) => s.with?.format === 'cyclonedx');
    const pushed = index((s) => /docker push/.test(s.run ?? ''));
    const signed = index((s) => /cosign sign --yes/.test(s.run ?? ''));
    expect([built, scanned, sbom, pushed, signed].every((i) => i >= 0)).toBe(true);
    expect(built < scanned && scanned < pushed && sbom < pushed && pushed < signed).toBe(true);
    const bump = runs({ ...workflow, jobs: { b: workflow.jobs['bump-staging'] } });
    expect(bump).toContain('npm run -s promote -- --to staging --image backup --digest "$DIGEST"');
  });
});

// Issue 12, point 8: lint the workflow files. actionlint is not on npm, and no npm package
// ships GitHub's workflow JSON schema (@schemastore/github-workflow holds TypeScript types
// only), so these are focused checks of the mistakes that would make GitHub reject or
// mis-run a workflow: unknown keys, dangling `needs` and step references, secrets nobody
// documented, and shell that does not parse.
describe('GitHub workflow files are well-formed', () => {
  const files = readdirSync(DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const README = readFileSync(join(DIR, '..', '..', 'README.md'), 'utf8');
  const WORKFLOW_KEYS = ['name', 'run-name', 'on', 'permissions', 'env', 'defaults', 'concurrency', 'jobs'];
  const JOB_KEYS = [
    'name',
    'needs',
    'runs-on',
    'permissions',
    'environment',
    'concurrency',
    'outputs',
    'env',
    'defaults',
    'if',
    'steps',
    'timeout-minutes',
    'strategy',
    'continue-on-error',
    'container',
    'services',
    'uses',
    'with',
    'secrets',
  ];
  const STEP_KEYS = [
    'id',
    'if',
    'name',
    'uses',
    'run',
    'working-directory',
    'shell',
    'with',
    'env',
    'continue-on-error',
    'timeout-minutes',
  ];
  const PERMISSION_SCOPES = [
    'actions',
    'attestations',
    'checks',
    'contents',
    'deployments',
    'discussions',
    'id-token',
    'issues',
    'models',
    'packages',
    'pages',
    'pull-requests',
    'repository-projects',
    'security-events',
    'statuses',
  ];
  const raw = (file: string) => parse(readFileSync(join(DIR, file), 'utf8')) as Record<string, unknown> & Workflow;
  const unknownKeys = (object: object, known: readonly string[]) => Object.keys(object).filter((k) => !known.includes(k));
  const expressions = (value: unknown) => [...JSON.stringify(value).matchAll(/\$\{\{(.*?)\}\}/g)].map((m) => m[1]);

  it.each(files)('%s uses only keys GitHub knows, at every level', (file) => {
    const workflow = raw(file);
    expect(unknownKeys(workflow, WORKFLOW_KEYS)).toEqual([]);
    for (const [name, job] of Object.entries(workflow.jobs)) {
      expect([name, unknownKeys(job, JOB_KEYS)]).toEqual([name, []]);
      expect([name, typeof job['runs-on']]).toEqual([name, 'string']);
      for (const step of job.steps) {
        expect([name, unknownKeys(step, STEP_KEYS)]).toEqual([name, []]);
        expect([name, step.name ?? step.uses, (step.uses === undefined) !== (step.run === undefined)]).toEqual([
          name,
          step.name ?? step.uses,
          true,
        ]);
      }
    }
  });

  it.each(files)('%s grants only known permission scopes, each read, write or none', (file) => {
    const workflow = raw(file);
    for (const permissions of [workflow.permissions, ...Object.values(workflow.jobs).map((j) => j.permissions)]) {
      for (const [scope, level] of Object.entries(permissions ?? {})) {
        expect([scope, PERMISSION_SCOPES.includes(scope), ['read', 'write', 'none'].includes(level)]).toEqual([scope, true, true]);
      }
    }
  });

  it.each(files)('%s: needs, steps.*, needs.*.outputs and secrets.* all resolve', (file) => {
    const workflow = raw(file);
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const needs = job.needs === undefined ? [] : [job.needs].flat();
      for (const need of needs) expect([name, need, need in workflow.jobs]).toEqual([name, need, true]);
      const ids = job.steps.map((s) => s.id).filter((id): id is string => !!id);
      expect(new Set(ids).size).toBe(ids.length);
      job.steps.forEach((step, index) => {
        const earlier = job.steps.slice(0, index).map((s) => s.id);
        for (const expression of expressions(step)) {
          for (const [, id] of expression.matchAll(/\bsteps\.([\w-]+)\./g))
            expect([name, id, earlier.includes(id)]).toEqual([name, id, true]);
        }
      });
      for (const expression of expressions(job)) {
        for (const [, other, output] of expression.matchAll(/\bneeds\.([\w-]+)\.outputs\.([\w-]+)/g)) {
          expect([name, other, needs.includes(other)]).toEqual([name, other, true]);
          expect([other, output, output in (workflow.jobs[other]?.outputs ?? {})]).toEqual([other, output, true]);
        }
        // Every secret a workflow reads is named in the README, so whoever sets up the
        // repository knows to create it.
        for (const [, secret] of expression.matchAll(/\bsecrets\.(\w+)/g))
          expect([secret, README.includes(secret)]).toEqual([secret, true]);
      }
    }
  });

  it.each(files)('%s: every run script is valid bash', (file) => {
    for (const step of stepsOf(raw(file))) {
      if (step.run === undefined) continue;
      const script = step.run.replace(/\$\{\{.*?\}\}/g, 'EXPR');
      const result = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
      expect([step.name ?? step.run, result.status, result.stderr]).toEqual([step.name ?? step.run, 0, '']);
    }
  });
});

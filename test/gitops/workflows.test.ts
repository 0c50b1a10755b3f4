import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// The workflows cannot run here (no GitHub, no Docker): parse them and check that the
// pipeline the seed asks for is all there, and that nothing runs unpinned.
const DIR = join(__dirname, '..', '..', '.github', 'workflows');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
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
const runs = (workflow: Workflow) => stepsOf(workflow).map((step) => step.run ?? '').join('\n');
const uses = (workflow: Workflow) => stepsOf(workflow).map((step) => step.uses).filter((u): u is string => !!u);

describe('GitHub workflows', () => {
  const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();

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

  it('PR check: lint and type check, tests with coverage, drift of dist/ and argocd/', () => {
    const workflow = load('pr-check.yml');
    expect(Object.keys(workflow.on)).toEqual(['pull_request', 'push']);
    const commands = runs(workflow);
    expect(commands).toContain('npm run typecheck');
    expect(commands).toContain('npm run lint --if-present');
    expect(commands).toMatch(/jest --coverage/);
    expect(commands).toContain('npm run -s synth');
    expect(commands).toContain('git status --porcelain -- dist argocd');
    expect(Object.keys((workflow.jobs.check as Job & { services: object }).services)).toEqual(['postgres', 'redis']);
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
    expect(uses({ ...workflow, jobs: { s: workflow.jobs['scan-dependencies'] } }).some((u) => u.startsWith('aquasecurity/trivy-action@'))).toBe(true);

    const build = workflow.jobs.build.steps;
    const index = (predicate: (step: Step) => boolean) => build.findIndex(predicate);
    const built = index((s) => /docker build --file app\/Dockerfile/.test(s.run ?? ''));
    const scanned = index((s) => !!s.uses?.startsWith('aquasecurity/trivy-action@') && !!s.with?.['image-ref'] && s.with?.['exit-code'] === '1');
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
  it('backup image build: runs on ops/backup changes; build, scan, SBOM, push, sign, then a PR pinning staging\'s backup.image', () => {
    const workflow = load('backup-image.yml');
    expect((workflow.on.push as { paths: string[] }).paths).toEqual(['ops/backup/**']);
    expect(Object.keys(workflow.jobs)).toEqual(['scan-dockerfile', 'build', 'bump-staging']);
    expect(workflow.jobs.build.permissions).toEqual({ contents: 'read', packages: 'write', 'id-token': 'write' });
    const build = workflow.jobs.build.steps;
    const index = (predicate: (step: Step) => boolean) => build.findIndex(predicate);
    const built = index((s) => /docker build --file ops\/backup\/Dockerfile/.test(s.run ?? ''));
    const scanned = index((s) => !!s.uses?.startsWith('aquasecurity/trivy-action@') && !!s.with?.['image-ref'] && s.with?.['exit-code'] === '1');
    const sbom = index((s) => s.with?.format === 'cyclonedx');
    const pushed = index((s) => /docker push/.test(s.run ?? ''));
    const signed = index((s) => /cosign sign --yes/.test(s.run ?? ''));
    expect([built, scanned, sbom, pushed, signed].every((i) => i >= 0)).toBe(true);
    expect(built < scanned && scanned < pushed && sbom < pushed && pushed < signed).toBe(true);
    const bump = runs({ ...workflow, jobs: { b: workflow.jobs['bump-staging'] } });
    expect(bump).toContain('npm run -s promote -- --to staging --image backup --digest "$DIGEST"');
  });
});

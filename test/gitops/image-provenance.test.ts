/**
 * Every image in dist/ is built by a workflow of this repository (issue 11, point 6),
 * and the backup image's PostgreSQL client is at least the server's major version.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  checkManifests,
  formatFindings,
  githubRepositoryOf,
  imagePushesByWorkflow,
  imagesPushedByWorkflows,
  type ManifestObject,
} from '../../charts/checks';
import { repositoryOf } from '../../charts/checks/image-provenance';
import { postgresClientMajorVersion } from '../../charts/constructs/backup/backup-image';
import { loadGitops } from '../../charts/config/gitops';
import { synthesize } from '../../charts/main';
import { parseEnvironment } from '../../charts/config/environment';
import { validObjects, withChange } from '../charts/fixtures/valid-objects';

const REPO = resolve(__dirname, '../..');
const WORKFLOWS = join(REPO, '.github/workflows');
const GITHUB_REPOSITORY = githubRepositoryOf(loadGitops(join(REPO, 'charts/gitops.yaml')).repoURL);

describe('images pushed by the workflows', () => {
  it('are the app image and the backup image of this repository', () => {
    expect(GITHUB_REPOSITORY).toBe('course-companion/course-companion');
    expect(imagesPushedByWorkflows(WORKFLOWS, GITHUB_REPOSITORY)).toEqual([
      'ghcr.io/course-companion/course-companion',
      'ghcr.io/course-companion/course-companion-backup',
    ]);
  });

  it('are read from `docker push` with env resolved step over job over workflow', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-wf-'));
    try {
      writeFileSync(
        join(dir, 'x.yml'),
        [
          'env:',
          '  IMAGE: "ghcr.io/${{ github.repository }}"',
          'jobs:',
          '  a:',
          '    env:',
          '      IMAGE: ghcr.io/Org/Other',
          '    steps:',
          '      - run: \'docker push "${IMAGE}:${{ github.sha }}"\'',
          '      - env:',
          '          IMAGE: r.io/x/y',
          '        run: docker push $IMAGE:1',
          "      - run: 'docker push ${{ steps.x.outputs.ref }}'",
          '  b:',
          '    steps:',
          "      - run: 'docker push $IMAGE:2'",
          '',
        ].join('\n'),
      );
      expect(imagesPushedByWorkflows(dir, 'Org/Repo')).toEqual(['ghcr.io/Org/Other', 'ghcr.io/org/repo', 'r.io/x/y']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reduce an image reference to its repository', () => {
    expect(repositoryOf('localhost:5000/a/b:tag@sha256:' + 'a'.repeat(64))).toBe('localhost:5000/a/b');
    expect(repositoryOf('ghcr.io/a/b@sha256:' + 'a'.repeat(64))).toBe('ghcr.io/a/b');
  });
});

describe('the image-provenance policy rule', () => {
  const built = ['ghcr.io/example/course-companion'];

  it('accepts the valid fixture, whose images the (given) workflows build', () => {
    expect(formatFindings(checkManifests(validObjects(), { only: ['policy'], builtImages: built }))).toBe('');
  });

  it.each([
    [
      'a container',
      'cronjob-backup.yaml',
      (o: any) => (o.spec.jobTemplate.spec.template.spec.containers[0].image = `ghcr.io/example/backup@sha256:${'b'.repeat(64)}`),
      'CronJob shop/backup container "job"',
    ],
    [
      'an init container',
      'rollout-web.yaml',
      (o: any) =>
        (o.spec.template.spec.initContainers = [
          { ...o.spec.template.spec.containers[0], name: 'wait', image: `docker.io/library/busybox@sha256:${'c'.repeat(64)}` },
        ]),
      'Rollout shop/web init container "wait"',
    ],
    [
      'an analysis Job',
      'analysistemplate-smoke.yaml',
      (o: any) =>
        (o.spec.metrics[0].provider.job.spec.template.spec.containers[0].image = `ghcr.io/elsewhere/smoke@sha256:${'d'.repeat(64)}`),
      'AnalysisTemplate shop/smoke container "job"',
    ],
  ])('refuses an image no workflow builds in %s', (_what, file, change, where) => {
    expectFindingWith(withChange(file, change), file, where, built);
  });

  it('holds for the real synthesized output: every image in dist/ is built here', () => {
    const synthesis = synthesize();
    const objects: ManifestObject[] = synthesis.objects
      .filter((o) => o.group.startsWith('dist/'))
      .map((o) => ({ file: o.path, object: o.manifest }));
    const builtHere = imagesPushedByWorkflows(WORKFLOWS, GITHUB_REPOSITORY);
    expect(formatFindings(checkManifests(objects, { only: ['policy'], builtImages: builtHere }))).toBe('');
    // Not vacuous: the backup CronJobs and the Rollouts were looked at.
    expect(objects.some((o) => o.object.kind === 'CronJob')).toBe(true);
  }, 120_000);
});

describe('the signed-image admission policies', () => {
  const policies = () =>
    synthesize()
      .objects.filter((o) => o.manifest.kind === 'ClusterImagePolicy')
      .map((o): ManifestObject => ({ file: o.path, object: JSON.parse(JSON.stringify(o.manifest)) }));
  const pushes = () => imagePushesByWorkflow(WORKFLOWS, GITHUB_REPOSITORY);

  it('expect, for each image, the signature of the workflow that builds it', () => {
    expect([...pushes().keys()]).toEqual(['backup-image.yml', 'image.yml']);
    expect(formatFindings(checkManifests(policies(), { only: ['policy'], workflowPushes: pushes() }))).toBe('');
  }, 120_000);

  it("refuse the old single policy, which expected image.yml's signature on the backup image too", () => {
    // What dist/cluster/ held before: backup-image.yml signs the backup image, so
    // policy-controller would have rejected every backup pod.
    const [app] = policies().filter((p) => p.object.metadata.name === 'course-companion-app-signed');
    app.object.spec.images.push({ glob: 'ghcr.io/course-companion/course-companion-backup@sha256:*' });
    const findings = checkManifests([app], { only: ['policy'], workflowPushes: pushes() });
    expect(formatFindings(findings)).toContain(
      '[policy/image-signer-workflow] dist/cluster/clusterimagepolicy-course-companion-app-signed.yaml: ClusterImagePolicy course-companion-app-signed: admits ghcr.io/course-companion/course-companion-backup on a signature by https://github.com/course-companion/course-companion/.github/workflows/image.yml@refs/heads/main, but .github/workflows/image.yml pushes ghcr.io/course-companion/course-companion; backup-image.yml builds and signs it',
    );
  }, 120_000);
});

/** expectFinding() runs checkManifests without builtImages, so this rule has its own. */
function expectFindingWith(objects: ManifestObject[], file: string, where: string, built: string[]): void {
  const findings = checkManifests(objects, { only: ['policy'], builtImages: built });
  expect(formatFindings(findings.filter((f) => f.rule === 'image-provenance'))).toContain(
    `[policy/image-provenance] ${file}: ${where}: image repository`,
  );
}

describe('the backup image PostgreSQL client', () => {
  it('is read from the Dockerfile (postgresql-client-<major>)', () => {
    expect(postgresClientMajorVersion(readFileSync(join(REPO, 'ops/backup/Dockerfile'), 'utf8'))).toBe(15);
    expect(() => postgresClientMajorVersion('FROM x\nRUN apt-get install -y postgresql-client\n')).toThrow(
      'expected exactly one "postgresql-client-<major>" in a RUN instruction, found 0',
    );
  });

  it('makes synth refuse a server newer than the client, naming file and field', () => {
    const production = parseEnvironment(
      parseYaml(readFileSync(join(REPO, 'charts/environments/production.yaml'), 'utf8')),
      'charts/environments/production.yaml',
    );
    const newer = { ...production, database: { ...production.database, serverVersion: 16 } };
    expect(() => synthesize({ environments: [newer] })).toThrow(
      /charts\/environments\/production\.yaml: invalid environment file\n {2}- database\.serverVersion: expected at most 15, the PostgreSQL client ops\/backup\/Dockerfile installs \(postgresql-client-15\), got 16/,
    );
  }, 120_000);
});

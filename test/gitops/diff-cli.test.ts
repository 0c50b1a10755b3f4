import { diffWorkingTree, formatDiff, parseDiffArgs } from '../../scripts/diff';
import { objectSetAtRef } from '../../scripts/lib/git';
import { loadObjectTree } from '../../charts/manifest';
import { environmentFile, fakeSynth, PIN_A, PIN_B, promotionRepo, type TempRepo } from './repo-fixtures';

describe('diff arguments', () => {
  it('takes one optional ref and --json', () => {
    expect(parseDiffArgs([])).toEqual({ ref: undefined, json: false });
    expect(parseDiffArgs(['HEAD~1', '--json'])).toEqual({ ref: 'HEAD~1', json: true });
    expect(() => parseDiffArgs(['a', 'b'])).toThrow('only one git ref is accepted');
    expect(() => parseDiffArgs(['--yaml'])).toThrow('unknown option --yaml');
  });
});

describe('npm run diff against a git ref', () => {
  let repo: TempRepo;
  afterEach(() => repo?.dispose());

  it('reads the output at a ref from git without touching the working tree', async () => {
    repo = await promotionRepo(PIN_A, PIN_A);
    repo.remove('dist');
    const atHead = objectSetAtRef(repo.root, 'HEAD', ['dist', 'argocd']);
    expect([...atHead.values()].map((e) => e.file)).toContain('dist/production/rollout-api.yaml');
    expect(loadObjectTree(repo.root, ['dist'])).toEqual(new Map());
  });

  it('compares a fresh synth of the working tree with the merge base of main', async () => {
    repo = await promotionRepo(PIN_A, PIN_A);
    repo.git('checkout', '-q', '-b', 'feature');
    // A change on the branch: production gets a new image and tighter scaling.
    repo.write({
      'charts/environments/production.yaml': environmentFile('production', PIN_B, 'canary').replace('min: 2', 'min: 3'),
    });
    repo.commit('feature: new production image');
    // main moves on after the branch point; the diff must not show main's change.
    repo.git('checkout', '-q', 'main');
    repo.write({ 'charts/environments/staging.yaml': environmentFile('staging', PIN_B, 'blueGreen') });
    await fakeSynth(repo.root, repo.root);
    repo.commit('main: staging image');
    repo.git('checkout', '-q', 'feature');

    const result = await diffWorkingTree(repo.root, undefined, fakeSynth);
    expect(result.commit).toBe(repo.git('merge-base', 'HEAD', 'main').trim());
    expect(result.report.changed.map((c) => c.object)).toEqual([
      'Rollout course-companion-production/api',
      'HorizontalPodAutoscaler course-companion-production/api',
    ]);
    expect(result.report.flags.map((f) => `${f.kind} ${f.object}`)).toEqual([
      'image Rollout course-companion-production/api',
      'replicas HorizontalPodAutoscaler course-companion-production/api',
    ]);
    expect(repo.status()).toBe('');
  });

  it('flags a deleted environment and shows its objects as removed', async () => {
    repo = await promotionRepo(PIN_A, PIN_A);
    repo.remove('charts/environments/staging.yaml');
    const result = await diffWorkingTree(repo.root, 'HEAD', fakeSynth);
    expect(result.report.removed.map((c) => c.file)).toEqual(
      expect.arrayContaining(['dist/staging/rollout-api.yaml', 'argocd/application-course-companion-staging.yaml']),
    );
    expect(result.report.flags.filter((f) => f.kind === 'deleted')).toHaveLength(result.report.removed.length);
  });

  it('prints Markdown for a PR comment or JSON for tools', async () => {
    repo = await promotionRepo(PIN_A, PIN_A);
    repo.write({ 'charts/environments/production.yaml': environmentFile('production', PIN_B, 'canary') });
    const result = await diffWorkingTree(repo.root, 'HEAD', fakeSynth);
    const markdown = formatDiff(result, false);
    expect(markdown).toContain('### Generated output compared with `HEAD`');
    expect(markdown).toContain('**0 added, 0 removed, 1 changed**');
    const json = JSON.parse(formatDiff(result, true));
    expect(json.ref).toBe('HEAD');
    expect(json.changed[0].fields[0]).toEqual({
      path: 'spec.template.spec.containers[name=api].image',
      before: `ghcr.io/course-companion/course-companion@${PIN_A}`,
      after: `ghcr.io/course-companion/course-companion@${PIN_B}`,
    });
    expect(json.flags.map((f: { kind: string }) => f.kind)).toEqual(['image']);
  });

  it('fails with a clear message for an unknown ref', async () => {
    repo = await promotionRepo(PIN_A, PIN_A);
    await expect(diffWorkingTree(repo.root, 'no-such-branch', fakeSynth)).rejects.toThrow('git rev-parse');
  });
});

import { parsePromoteArgs, promote, PromotionRefused, type PromoteOptions } from '../../scripts/promote';
import { readPin, writePin } from '../../scripts/lib/pin';
import { environmentFile, fakeSynth, PIN_A, PIN_B, promotionRepo, type TempRepo } from './repo-fixtures';

const STAGING_TO_PRODUCTION: PromoteOptions = { from: 'staging', to: 'production', dryRun: false };
const NOW = () => new Date('2026-11-25T10:00:00Z');

describe('the image pin in an environment file', () => {
  it('changes only the pin characters: comments, flow maps and blank lines stay as they were', () => {
    const text = environmentFile('production', PIN_A, 'canary');
    const edited = writePin(text, 'production.yaml', { repository: 'ghcr.io/course-companion/course-companion', digest: PIN_B });
    expect(edited).toBe(text.replace(PIN_A, PIN_B));
    expect(readPin(edited, 'production.yaml').digest).toBe(PIN_B);
  });

  it('keeps the quoting style of the value', () => {
    const text = 'image:\n  repository: "r.io/a/b"\n  digest: "' + PIN_A + '"\n';
    expect(writePin(text, 'f.yaml', { repository: 'r.io/a/b', digest: PIN_B })).toBe(text.replace(PIN_A, PIN_B));
  });

  it('moves the backup image pin (backup.image) and leaves the app pin alone', () => {
    const text = `image:\n  repository: r.io/a/app\n  digest: ${PIN_A}\nbackup:\n  image: { repository: r.io/a/backup, digest: ${PIN_A} }\n  schedule: "17 1 * * *"\n`;
    const edited = writePin(text, 'f.yaml', { repository: 'r.io/a/backup', digest: PIN_B }, 'backup');
    expect(readPin(edited, 'f.yaml', 'backup').digest).toBe(PIN_B);
    expect(readPin(edited, 'f.yaml').digest).toBe(PIN_A);
    expect(parsePromoteArgs(['--to', 'staging', '--image', 'backup', '--digest', PIN_B]).image).toBe('backup');
    expect(() => parsePromoteArgs(['--to', 'staging', '--image', 'web', '--digest', PIN_B])).toThrow('--image is "app" or "backup"');
  });

  it('names the file and the field when the pin is missing', () => {
    expect(() => readPin('image: { repository: r.io/a/b }\n', 'charts/environments/x.yaml')).toThrow(
      'charts/environments/x.yaml: image.digest is missing or not a string',
    );
  });
});

describe('promote arguments', () => {
  it.each([
    [[], '--to is required'],
    [['--to', 'production'], 'give exactly one of --from and --digest'],
    [['--from', 'staging', '--to', 'production', '--digest', PIN_A], 'give exactly one of --from and --digest'],
    [['--from', 'staging', '--to'], '--to needs a value'],
    [['--to', 'production', '--from', 'staging', '--force'], 'unknown argument --force'],
  ])('rejects %j', (argv, message) => {
    expect(() => parsePromoteArgs(argv)).toThrow(message);
  });

  it('reads --from, --to and --dry-run', () => {
    expect(parsePromoteArgs(['--from', 'staging', '--to', 'production', '--dry-run'])).toEqual({
      from: 'staging',
      to: 'production',
      dryRun: true,
    });
  });

  it('asks for the rehearsal outcomes with --rehearse', () => {
    expect(parsePromoteArgs(['--from', 'staging', '--to', 'production', '--rehearse'])).toMatchObject({ rehearse: true, dryRun: false });
  });
});

describe('npm run promote', () => {
  let repo: TempRepo;
  afterEach(() => repo?.dispose());

  const run = (options: PromoteOptions = STAGING_TO_PRODUCTION) => promote(options, { cwd: repo.root, synth: fakeSynth, now: NOW });

  /** Runs a promotion that must be refused and proves nothing in the repository moved. */
  async function expectRefusal(options: PromoteOptions, message: string | RegExp) {
    const statusBefore = repo.status();
    const production = repo.read('charts/environments/production.yaml');
    const rollout = repo.read('dist/production/rollout-api.yaml');
    const error = await run(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromotionRefused);
    expect((error as Error).message).toMatch(message);
    expect(repo.status()).toBe(statusBefore);
    expect(repo.read('charts/environments/production.yaml')).toBe(production);
    expect(repo.read('dist/production/rollout-api.yaml')).toBe(rollout);
  }

  it('copies the pin, re-synthesizes and changes nothing else', async () => {
    repo = await promotionRepo(PIN_B, PIN_A);
    const result = await run();
    expect(result.before.digest).toBe(PIN_A);
    expect(result.after.digest).toBe(PIN_B);
    expect(
      repo
        .git('diff', '--stat')
        .trim()
        .split('\n')
        .slice(0, -1)
        .map((l) => l.split('|')[0].trim()),
    ).toEqual(['charts/environments/production.yaml', 'dist/production/rollout-api.yaml']);
    // The environment file differs in one line, its comment intact.
    const diff = repo.git('diff', '-U0', '--', 'charts/environments/production.yaml');
    expect(diff.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toEqual([
      `-  digest: ${PIN_A}   # pinned by digest, never a tag`,
      `+  digest: ${PIN_B}   # pinned by digest, never a tag`,
    ]);
    expect(result.written).toEqual(['charts/environments/production.yaml', 'dist/production/rollout-api.yaml']);
  });

  it('prints a pull-request description: image, changes, rollout plan, roll back, risk flags', async () => {
    repo = await promotionRepo(PIN_B, PIN_A);
    const { description } = await run({ ...STAGING_TO_PRODUCTION, dryRun: true });
    expect(description).toContain(`| before | \`ghcr.io/course-companion/course-companion@${PIN_A}\` |`);
    expect(description).toContain(`| after | \`ghcr.io/course-companion/course-companion@${PIN_B}\` |`);
    expect(description).toContain('`api.production.example.com`');
    expect(description).toContain('- changed Rollout course-companion-production/api: `spec.template.spec.containers[name=api].image`');
    // The canary is smoke tested before it gets any request (issue 11, point 3).
    expect(description).toContain('1. start the new version at 10% of the pods, no requests yet');
    expect(description).toContain('2. analysis against `http://api-canary.course-companion-production.svc.cluster.local:8000`');
    expect(description).toContain('3. send 10% of requests to the new version');
    expect(description).toContain('4. size the new version by its share of requests again');
    expect(description).toContain('5. pause 10m under analysis');
    expect(description).toContain('Background analysis from step 3, aborting on failure');
    expect(description).toContain('`success-rate/success-rate`: every 1m, passes when `result[0] >= 0.999`, 1 failure(s) tolerated');
    expect(description).toContain('only inside the maintenance window (`0 2 * * 0` Etc/UTC, 2h)');
    expect(description).toContain('argocd app sync course-companion-production');
    expect(description).toContain('kubectl argo rollouts abort api -n course-companion-production');
    expect(description).toContain('revert this commit');
    expect(description).toContain('**Image changes** (`image`)');
    expect(description).toContain('pinned in staging since 2026-11-20T10:00:00.000Z (120 h)');
  });

  it('writes nothing on a dry run', async () => {
    repo = await promotionRepo(PIN_B, PIN_A);
    const result = await run({ ...STAGING_TO_PRODUCTION, dryRun: true });
    expect(result.written).toEqual([]);
    expect(repo.status()).toBe('');
    expect(result.report.changed.map((c) => c.object)).toEqual(['Rollout course-companion-production/api']);
  });

  it('flags an image that has been in staging for less than a day', async () => {
    repo = await promotionRepo(PIN_A, PIN_A);
    repo.write({ 'charts/environments/staging.yaml': environmentFile('staging', PIN_B, 'blueGreen') });
    await fakeSynth(repo.root, repo.root);
    repo.commit('staging: new image', '2026-11-25T07:00:00Z');
    const { description } = await run({ ...STAGING_TO_PRODUCTION, dryRun: true });
    expect(description).toContain('(3 h). **Less than 24 h of soak.**');
  });

  it('flags committed output that is not what the charts produce, and keeps it out of the change list', async () => {
    repo = await promotionRepo(PIN_A, PIN_A);
    // staging's pin moves but nobody re-synthesized: dist/staging is stale.
    repo.write({ 'charts/environments/staging.yaml': environmentFile('staging', PIN_B, 'blueGreen') });
    repo.commit('staging: new image, output not regenerated');
    const { description } = await run({ ...STAGING_TO_PRODUCTION, dryRun: true });
    expect(description).toContain('**Changes outside `dist/production/`**: changed Rollout course-companion-staging/api');
    expect(description).not.toContain('- changed Rollout course-companion-staging/api');
    expect(description).not.toMatch(/Image changes[\s\S]*course-companion-staging/);
  });

  it('sets a freshly built digest in staging (the image build workflow)', async () => {
    repo = await promotionRepo(PIN_A, PIN_A);
    const result = await run({ to: 'staging', digest: PIN_B, dryRun: false });
    expect(readPin(repo.read('charts/environments/staging.yaml'), 'staging.yaml').digest).toBe(PIN_B);
    expect(result.description).toContain('a newly built image');
    expect(result.description).toContain('Before promotion:');
  });

  it('refuses when the working tree has uncommitted changes', async () => {
    repo = await promotionRepo(PIN_B, PIN_A);
    repo.write({ 'charts/environments/production.yaml': `${repo.read('charts/environments/production.yaml')}# edit\n` });
    await expectRefusal(STAGING_TO_PRODUCTION, /uncommitted changes[\s\S]*charts\/environments\/production.yaml/);
  });

  it('counts an untracked file as a dirty tree', async () => {
    repo = await promotionRepo(PIN_B, PIN_A);
    repo.write({ 'notes.txt': 'scratch' });
    await expectRefusal({ ...STAGING_TO_PRODUCTION, dryRun: true }, /uncommitted changes[\s\S]*notes.txt/);
  });

  it('refuses a source pin that is not a sha256 digest', async () => {
    repo = await promotionRepo(PIN_A, PIN_A);
    repo.write({
      'charts/environments/staging.yaml': environmentFile('staging', PIN_A, 'blueGreen').replace(PIN_A, 'v1.4.2'),
    });
    repo.commit('staging on a tag');
    await expectRefusal(STAGING_TO_PRODUCTION, 'charts/environments/staging.yaml: image.digest "v1.4.2" is not a sha256: digest');
  });

  it('refuses a --digest that is not a sha256 digest', async () => {
    repo = await promotionRepo(PIN_A, PIN_A);
    await expectRefusal({ to: 'staging', digest: 'latest', dryRun: false }, '--digest "latest" is not a sha256: digest');
  });

  it('refuses when both environments already run the same image', async () => {
    repo = await promotionRepo(PIN_A, PIN_A);
    await expectRefusal(
      STAGING_TO_PRODUCTION,
      `production already runs ghcr.io/course-companion/course-companion@${PIN_A} (same as staging); nothing to promote`,
    );
  });

  it('refuses an unknown environment, naming the ones that exist', async () => {
    repo = await promotionRepo(PIN_B, PIN_A);
    await expectRefusal(
      { from: 'staging', to: 'prod', dryRun: false },
      'no environment "prod" (charts/environments/prod.yaml does not exist); known: production, staging',
    );
  });

  it('puts the pin back when synthesis fails', async () => {
    repo = await promotionRepo(PIN_B, PIN_A);
    const failing = () => {
      throw new Error('synth failed: charts/environments/production.yaml: bad');
    };
    await expect(promote(STAGING_TO_PRODUCTION, { cwd: repo.root, synth: failing })).rejects.toThrow('synth failed');
    expect(repo.status()).toBe('');
  });
});

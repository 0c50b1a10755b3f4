import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promote } from '../../scripts/promote';
import { fillTemplate, PR_TEMPLATE, templateSections } from '../../scripts/lib/pr-template';
import { fakeSynth, PIN_A, PIN_B, promotionRepo, type TempRepo } from './repo-fixtures';

// Change approval (issue 17, item 6): CODEOWNERS names owners for production's
// environment file, the charts and the workflows, and `npm run promote` fills the
// pull-request template every other PR uses.
const ROOT = join(__dirname, '..', '..');
const CODEOWNERS = '.github/CODEOWNERS';

interface Rule {
  readonly pattern: string;
  readonly owners: readonly string[];
  readonly line: number;
}

function rules(): Rule[] {
  return readFileSync(join(ROOT, CODEOWNERS), 'utf8')
    .split('\n')
    .map((text, i) => ({ text: text.trim(), line: i + 1 }))
    .filter(({ text }) => text !== '' && !text.startsWith('#'))
    .map(({ text, line }) => {
      const [pattern, ...owners] = text.split(/\s+/);
      return { pattern, owners, line };
    });
}

/** Our patterns are anchored paths only ("/dir/" or "/file"), so matching is a prefix test. */
const matches = (pattern: string, file: string) => (pattern.endsWith('/') ? `/${file}`.startsWith(pattern) : `/${file}` === pattern);

/** GitHub applies the last matching line only. */
const ownersOf = (file: string) =>
  rules()
    .filter((r) => matches(r.pattern, file))
    .at(-1)?.owners ?? [];

describe('CODEOWNERS', () => {
  it.each(rules().map((r) => [r.pattern, r]))('%s names a path that exists, and owners GitHub can resolve', (_, rule) => {
    const { pattern, owners, line } = rule;
    expect({ line, anchored: pattern.startsWith('/'), glob: /[*?[\]!]/.test(pattern) }).toEqual({ line, anchored: true, glob: false });
    expect({ line, exists: existsSync(join(ROOT, pattern)) }).toEqual({ line, exists: true });
    expect(owners.length).toBeGreaterThan(0);
    for (const owner of owners) expect(owner).toMatch(/^@[A-Za-z0-9-]+(\/[A-Za-z0-9._-]+)?$/);
  });

  it.each([
    ['charts/environments/production.yaml', '@course-companion/release-owners'],
    ['dist/production/rollout-api.yaml', '@course-companion/release-owners'],
    ['charts/environments/staging.yaml', '@course-companion/platform'],
    ['charts/main.ts', '@course-companion/platform'],
    ['charts/constructs/course-service.ts', '@course-companion/platform'],
    ['.github/workflows/image.yml', '@course-companion/platform'],
    ['.github/CODEOWNERS', '@course-companion/release-owners'],
  ])('makes a change to %s wait for %s', (file, owner) => {
    expect(existsSync(join(ROOT, file))).toBe(true);
    expect(ownersOf(file)).toContain(owner);
  });

  it('leaves the app to its authors', () => {
    expect(ownersOf('app/src/server.ts')).toEqual([]);
  });
});

describe('the pull-request template', () => {
  const template = readFileSync(join(ROOT, PR_TEMPLATE), 'utf8');

  it('asks for the rollout plan and the rollback', () => {
    expect(templateSections(template).map((s) => s.heading)).toEqual([
      'What changes, for whom',
      'Rollout plan',
      'Roll back',
      'Risk flags',
      'Checklist',
    ]);
  });

  it('keeps a section the generator does not know, and appends one the template lacks', () => {
    const text = fillTemplate(
      'note\n## Rollout plan\n<!-- ask -->\n\n## Checklist\n- [ ] done\n',
      ['intro'],
      new Map([
        ['Rollout plan', ['steps']],
        ['Extra', ['more']],
      ]),
    );
    expect(text).toBe('intro\n\n## Rollout plan\n\nsteps\n\n## Checklist\n\n- [ ] done\n\n## Extra\n\nmore\n');
  });

  describe('filled by npm run promote', () => {
    let repo: TempRepo;
    afterEach(() => repo?.dispose());

    it('answers every question of the template and keeps its checklist', async () => {
      repo = await promotionRepo(PIN_B, PIN_A);
      repo.write({ [PR_TEMPLATE]: template });
      repo.commit('pull-request template');
      const { description } = await promote(
        { from: 'staging', to: 'production', dryRun: true },
        { cwd: repo.root, synth: fakeSynth, now: () => new Date('2026-11-25T10:00:00Z') },
      );
      const filled = templateSections(description);
      expect(filled.map((s) => s.heading)).toEqual(templateSections(template).map((s) => s.heading));
      for (const section of filled.filter((s) => s.heading !== 'Checklist')) {
        expect({ heading: section.heading, prompt: section.body.join('\n').includes('<!--') }).toEqual({
          heading: section.heading,
          prompt: false,
        });
      }
      const body = (heading: string) => filled.find((s) => s.heading === heading)!.body.join('\n');
      expect(body('Rollout plan')).toContain('send 10% of requests to the new version');
      expect(body('Roll back')).toContain('kubectl argo rollouts abort api -n course-companion-production');
      expect(body('Checklist')).toContain('- [ ] `npm run synth` output committed');
      expect(description.split('\n')[0]).toBe(`**Promote production: \`${PIN_B.slice(0, 19)}…\` from staging**`);
    });
  });
});

/**
 * `npm run promote -- --from staging --to production [--dry-run]`
 * `npm run promote -- --to staging --digest sha256:... [--repository ghcr.io/...]`
 * `--image backup` (either form) moves the backup jobs' pin (`backup.image`) instead of the app's.
 *
 * Copies one environment's image pin into another's environment file (or sets a
 * freshly built digest), re-synthesizes, and prints a pull-request description:
 * image before and after, what changes and for whom, the rollout plan, how to roll
 * back, and the risk flags. It refuses, changing nothing, when the working tree is
 * dirty, the source pin is not a `sha256:` digest, or the environments already match.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffObjectSets, type DiffReport } from './lib/diff';
import { getIn } from './lib/fields';
import { git, repositoryRoot, uncommittedChanges } from './lib/git';
import { loadObjectTree, type K8sObject, type ObjectSet } from '../charts/manifest';
import { imageReference, PIN_PATHS, readPin, SHA256_DIGEST, writePin, type ImagePin, type PinnedImage } from './lib/pin';
import { renderFlags } from './lib/render';
import { rolloutPlans } from './lib/rollout-plan';
import { GENERATED_DIRS, synthesizeInto, type Synthesize } from './lib/synth';
import { ArgumentError, parseCommandLine } from './lib/args';

export const ENVIRONMENTS_DIR = 'charts/environments';

/** A source pin younger than this has seen less than a day of staging traffic and backups. */
export const SOAK_WARNING_HOURS = 24;

export interface PromoteOptions {
  readonly from?: string;
  readonly to: string;
  /** Set this digest instead of copying another environment's pin (image builds). */
  readonly digest?: string;
  /** With `digest`: the repository; default: the target's current one. */
  readonly repository?: string;
  /** Which pin: the app's `image` or the backup jobs' `backup.image`. @default 'app' */
  readonly image?: PinnedImage;
  readonly dryRun: boolean;
  /** Append the outcome of `npm run rehearse` for each fault (minutes on two cores). */
  readonly rehearse?: true;
}

/** A promotion that must not happen; nothing was changed. */
export class PromotionRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromotionRefused';
  }
}

const USAGE =
  'usage: npm run promote -- --from <env> --to <env> [--image app|backup] [--dry-run] [--rehearse]\n' +
  '       npm run promote -- --to <env> --digest sha256:<64 hex> [--repository <repo>] [--image app|backup] [--dry-run] [--rehearse]';

const OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  digest: { type: 'string' },
  repository: { type: 'string' },
  image: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  rehearse: { type: 'boolean', default: false },
} as const;

function readOptions(argv: readonly string[]) {
  try {
    return parseCommandLine(argv, OPTIONS).values;
  } catch (error) {
    if (!(error instanceof ArgumentError)) throw error;
    const { kind, arg } = error.problem;
    throw new Error(`${kind === 'unknown' ? `unknown argument ${arg}` : `${arg} needs a value`}\n${USAGE}`);
  }
}

export function parsePromoteArgs(argv: readonly string[]): PromoteOptions {
  const values = readOptions(argv);
  if (!values.to) throw new Error(`--to is required\n${USAGE}`);
  if ((values.from === undefined) === (values.digest === undefined)) {
    throw new Error(`give exactly one of --from and --digest\n${USAGE}`);
  }
  if (values.repository && !values.digest) throw new Error(`--repository goes with --digest\n${USAGE}`);
  if (values.image !== undefined && !(values.image in PIN_PATHS)) throw new Error(`--image is "app" or "backup"\n${USAGE}`);
  const image = values.image as PinnedImage | undefined;
  return {
    from: values.from,
    to: values.to,
    digest: values.digest,
    repository: values.repository,
    ...(image ? { image } : {}),
    dryRun: values['dry-run'],
    ...(values.rehearse ? { rehearse: true as const } : {}),
  };
}

export interface PromoteDeps {
  readonly cwd: string;
  readonly synth?: Synthesize;
  /** The clock, for how long the pin has been in the source environment. */
  readonly now?: () => Date;
}

export interface PromoteResult {
  readonly description: string;
  readonly before: ImagePin;
  readonly after: ImagePin;
  readonly report: DiffReport;
  /** Files written (relative to the repository); empty on a dry run. */
  readonly written: readonly string[];
}

function envFile(root: string, env: string): string {
  const file = `${ENVIRONMENTS_DIR}/${env}.yaml`;
  if (!existsSync(join(root, file))) {
    const known = readdirSync(join(root, ENVIRONMENTS_DIR)).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    throw new PromotionRefused(`no environment "${env}" (${file} does not exist); known: ${known.join(', ')}`);
  }
  return file;
}

/** When the digest first appeared in the source file, from git history. */
function pinnedSince(root: string, file: string, digest: string): Date | undefined {
  const dates = git(root, ['log', '--format=%cI', '--reverse', `-S${digest}`, '--', file]).split('\n').filter(Boolean);
  return dates.length > 0 ? new Date(dates[0]) : undefined;
}

function namespaceOf(set: ObjectSet, env: string): string | undefined {
  const namespace = [...set.values()].find((e) => e.file.startsWith(`dist/${env}/`) && e.object.kind === 'Namespace');
  return namespace?.object.metadata.name;
}

/** The environment's Application and the sync windows that govern it. */
function deliveryOf(set: ObjectSet, env: string): { application?: string; windows: Record<string, unknown>[] } {
  const objects = [...set.values()].map((e) => e.object);
  const application = objects.find((o) => o.kind === 'Application' && getIn(o, ['spec', 'source', 'path']) === `dist/${env}`);
  if (!application) return { windows: [] };
  const name = application.metadata.name;
  const windows = objects
    .filter((o) => o.kind === 'AppProject' && o.metadata.name === getIn(application, ['spec', 'project']))
    .flatMap((o) => (getIn(o, ['spec', 'syncWindows']) as Record<string, unknown>[] | undefined) ?? [])
    .filter((w) => Array.isArray(w.applications) && (w.applications as string[]).includes(name));
  return { application: name, windows };
}

function hostsOf(set: ObjectSet, namespace: string): string[] {
  const hosts = [...set.values()]
    .map((e) => e.object)
    .filter((o: K8sObject) => o.kind === 'HTTPRoute' && o.metadata.namespace === namespace)
    .flatMap((o) => (getIn(o, ['spec', 'hostnames']) as string[] | undefined) ?? []);
  return [...new Set(hosts)].sort();
}

interface DescriptionInput {
  readonly options: PromoteOptions;
  readonly targetFile: string;
  readonly before: ImagePin;
  readonly after: ImagePin;
  readonly report: DiffReport;
  readonly afterSet: ObjectSet;
  readonly sourceSince?: Date;
  readonly now: Date;
}

export function describePromotion(input: DescriptionInput): string {
  const { options, before, after, report, afterSet, now } = input;
  const to = options.to;
  const inTarget = (file: string) => file.startsWith(`dist/${to}/`);
  const namespace = namespaceOf(afterSet, to) ?? `(namespace of ${to})`;
  const source = options.from ? `**${options.from}**'s pin` : 'a newly built image';
  const delivery = deliveryOf(afterSet, to);
  const application = delivery.application ?? `course-companion-${to}`;
  const rollouts = rolloutPlans(afterSet, namespace);
  const hosts = hostsOf(afterSet, namespace);
  const lines: string[] = [
    `## Promote ${to}: \`${after.digest.slice(0, 19)}…\`${options.from ? ` from ${options.from}` : ''}`,
    '',
    `Sets \`${PIN_PATHS[options.image ?? 'app'].join('.')}\` in \`${input.targetFile}\` to ${source} and re-synthesizes \`dist/${to}/\`. Generated by \`npm run promote\`.`,
    '',
    '### Image',
    '',
    '| | reference |',
    '|---|---|',
    `| before | \`${imageReference(before)}\` |`,
    `| after | \`${imageReference(after)}\` |`,
    '',
    '### What changes, for whom',
    '',
    `Everyone using ${hosts.length > 0 ? hosts.map((h) => `\`${h}\``).join(' and ') : `the ${to} environment`} ` +
      `(namespace \`${namespace}\`) moves to the new image through the rollout below.`,
    '',
    ...[...report.changed, ...report.added, ...report.removed].filter((c) => inTarget(c.file)).map(
      (c) => `- ${c.change} ${c.object}${c.fields.length > 0 ? `: ${c.fields.map((f) => `\`${f.path}\``).join(', ')}` : ''}`,
    ),
    '',
    '### Rollout plan',
    '',
  ];
  if (delivery.windows.length > 0) {
    for (const window of delivery.windows) {
      lines.push(
        `Argo CD applies this on its own only inside the maintenance window (\`${String(window.schedule)}\` ${String(window.timeZone ?? 'UTC')}, ` +
          `${String(window.duration)}). To release sooner, with someone watching: \`argocd app sync ${application}\` (project role \`deployer\`).`,
      );
    }
  } else {
    lines.push(`Argo CD syncs \`${application}\` within minutes of the merge.`);
  }
  lines.push('');
  for (const plan of rollouts) {
    lines.push(`**Rollout \`${plan.rollout}\`**`, '', ...plan.lines.map((l) => (l.startsWith('  ') ? `  ${l.trimStart()}` : `- ${l}`)), '');
  }
  lines.push(
    'A failed measurement aborts the rollout and returns all traffic to the stable version; "no data" is inconclusive and pauses it for a person.',
    '',
    '### Roll back',
    '',
    `- During the rollout: \`${rollouts.map((r) => `kubectl argo rollouts abort ${r.rollout} -n ${namespace}`).join(' && ') || `kubectl argo rollouts abort <rollout> -n ${namespace}`}\` sends all traffic back to the stable version at once.`,
    `- Then, or after a full promotion: revert this commit (\`git revert <sha>\`) and merge; the previous pin \`${imageReference(before)}\` rolls out through the same steps.` +
      (delivery.windows.length > 0 ? ` Outside the window, sync it by hand: \`argocd app sync ${application}\`.` : ''),
    '- Database migrations are expand-then-contract, so the previous version runs against the migrated schema.',
    '',
    '### Risk flags',
    '',
  );
  const extra: string[] = [];
  if (before.repository !== after.repository) extra.push(`- **Image repository changes**: \`${before.repository}\` → \`${after.repository}\`.`);
  if (input.sourceSince) {
    const hours = Math.floor((now.getTime() - input.sourceSince.getTime()) / 3_600_000);
    const soak = `- The image has been pinned in ${options.from} since ${input.sourceSince.toISOString()} (${hours} h).`;
    extra.push(hours < SOAK_WARNING_HOURS ? `${soak} **Less than ${SOAK_WARNING_HOURS} h of soak.**` : soak);
  }
  const outside = [...report.changed, ...report.added, ...report.removed].filter((c) => !inTarget(c.file));
  if (outside.length > 0) {
    extra.push(
      `- **Changes outside \`dist/${to}/\`**: ${outside.map((c) => `${c.change} ${c.object}`).slice(0, 10).join('; ')}. ` +
        'The committed output is not what the charts produce; run `npm run synth` on main and commit that first.',
    );
  }
  const unexpected = report.changed
    .filter((c) => inTarget(c.file))
    .flatMap((c) => c.fields)
    .filter((f) => !/\.image$/.test(f.path));
  if (unexpected.length > 0) {
    extra.push(
      `- **Changes beyond the image** (the committed output was not what the charts produce?): ${unexpected
        .slice(0, 10)
        .map((f) => `\`${f.path}\``)
        .join(', ')}`,
    );
  }
  const targetKeys = new Set([...report.changed, ...report.added, ...report.removed].filter((c) => inTarget(c.file)).map((c) => c.key));
  lines.push(...extra, ...renderFlags({ ...report, flags: report.flags.filter((flag) => targetKeys.has(flag.key)) }), '');
  return lines.join('\n');
}

/** Plans (and unless `dryRun`, applies) a promotion. Throws {@link PromotionRefused}. */
export async function promote(options: PromoteOptions, deps: PromoteDeps): Promise<PromoteResult> {
  const synth = deps.synth ?? synthesizeInto;
  const now = (deps.now ?? (() => new Date()))();
  const root = repositoryRoot(deps.cwd);

  const dirty = uncommittedChanges(root);
  if (dirty.length > 0) {
    throw new PromotionRefused(
      `the working tree has uncommitted changes; a promotion must be the only change in its pull request. ` +
        `Commit or remove them first:\n${dirty.slice(0, 20).map((l) => `  ${l}`).join('\n')}`,
    );
  }
  if (options.from === options.to) throw new PromotionRefused(`--from and --to are both "${options.to}"`);

  const targetFile = envFile(root, options.to);
  const targetText = readFileSync(join(root, targetFile), 'utf8');
  const which = options.image ?? 'app';
  const field = PIN_PATHS[which].join('.');
  const before = readPin(targetText, targetFile, which);
  let after: ImagePin;
  let sourceSince: Date | undefined;
  if (options.from) {
    const sourceFile = envFile(root, options.from);
    after = readPin(readFileSync(join(root, sourceFile), 'utf8'), sourceFile, which);
    if (!SHA256_DIGEST.test(after.digest)) {
      throw new PromotionRefused(
        `${sourceFile}: ${field}.digest "${after.digest}" is not a sha256: digest; only an image pinned by digest can be promoted`,
      );
    }
    sourceSince = pinnedSince(root, sourceFile, after.digest);
  } else {
    after = { repository: options.repository ?? before.repository, digest: options.digest! };
    if (!SHA256_DIGEST.test(after.digest)) {
      throw new PromotionRefused(`--digest "${after.digest}" is not a sha256: digest ("sha256:" and 64 hex digits)`);
    }
  }
  if (after.repository === before.repository && after.digest === before.digest) {
    throw new PromotionRefused(
      `${options.to} already runs ${imageReference(after)}${options.from ? ` (same as ${options.from})` : ''}; nothing to promote`,
    );
  }
  const newText = writePin(targetText, targetFile, after, which);
  const beforeSet = loadObjectTree(root, GENERATED_DIRS);

  let afterSet: ObjectSet;
  const written: string[] = [];
  if (options.dryRun) {
    const scratch = mkdtempSync(join(tmpdir(), 'cc-promote-'));
    try {
      const envDir = join(scratch, 'environments');
      const outDir = join(scratch, 'out');
      mkdirSync(envDir);
      for (const file of readdirSync(join(root, ENVIRONMENTS_DIR))) {
        copyFileSync(join(root, ENVIRONMENTS_DIR, file), join(envDir, file));
      }
      writeFileSync(join(envDir, `${options.to}.yaml`), newText);
      await synth(root, outDir, envDir);
      afterSet = loadObjectTree(outDir, GENERATED_DIRS);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  } else {
    writeFileSync(join(root, targetFile), newText);
    try {
      await synth(root, root);
    } catch (error) {
      // Leave nothing half-done: the generator writes nothing on failure, and the pin goes back.
      writeFileSync(join(root, targetFile), targetText);
      throw error;
    }
    afterSet = loadObjectTree(root, GENERATED_DIRS);
    written.push(...uncommittedChanges(root).map((line) => line.slice(3)));
  }

  const report = diffObjectSets(beforeSet, afterSet);
  const description = describePromotion({ options, targetFile, before, after, report, afterSet, sourceSince, now });
  return { description, before, after, report, written };
}

async function main(): Promise<void> {
  const options = parsePromoteArgs(process.argv.slice(2));
  const result = await promote(options, { cwd: process.cwd() });
  process.stdout.write(`${result.description}\n`);
  if (options.rehearse) {
    // Loaded only when asked: it starts the app, Prometheus and a proxy for each fault.
    const { rehearsalSummary } = await import('./rehearse/summary');
    const lines = await rehearsalSummary(options.to, (line) => process.stderr.write(`promote: ${line}\n`));
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (options.dryRun) process.stderr.write('promote: dry run, nothing written\n');
  else {
    process.stderr.write(
      `promote: wrote ${result.written.length} file(s):\n${result.written.map((f) => `  ${f}`).join('\n')}\n` +
        'Commit them on a branch and open a pull request with the description above.\n',
    );
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`promote: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof PromotionRefused ? 3 : 1);
  });
}

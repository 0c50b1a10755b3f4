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
import { git, repositoryRoot, uncommittedChanges } from './lib/git';
import { loadObjectTree, type ObjectSet } from '../charts/manifest';
import { imageReference, PIN_PATHS, readPin, SHA256_DIGEST, writePin, type ImagePin } from './lib/pin';
import { describePromotion } from './lib/promotion-description';
import { PR_TEMPLATE } from './lib/pr-template';
import { parsePromoteArgs, type PromoteOptions } from './lib/promote-args';
import { GENERATED_DIRS, synthesizeInto, type Synthesize } from './lib/synth';

export { parsePromoteArgs, type PromoteOptions } from './lib/promote-args';
export { describePromotion, SOAK_WARNING_HOURS } from './lib/promotion-description';

export const ENVIRONMENTS_DIR = 'charts/environments';

/** A promotion that must not happen; nothing was changed. */
export class PromotionRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromotionRefused';
  }
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
    const known = readdirSync(join(root, ENVIRONMENTS_DIR))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.replace(/\.yaml$/, ''));
    throw new PromotionRefused(`no environment "${env}" (${file} does not exist); known: ${known.join(', ')}`);
  }
  return file;
}

/** When the digest first appeared in the source file, from git history. */
function pinnedSince(root: string, file: string, digest: string): Date | undefined {
  const dates = git(root, ['log', '--format=%cI', '--reverse', `-S${digest}`, '--', file])
    .split('\n')
    .filter(Boolean);
  return dates.length > 0 ? new Date(dates[0]) : undefined;
}

/** The pin before and after, refusing a promotion that must not happen. */
function resolvePins(root: string, options: PromoteOptions, targetText: string, targetFile: string) {
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
  return { before, after, sourceSince };
}

/** A dry run: synthesizes with the new pin in a scratch directory and changes nothing. */
async function synthesizeScratch(root: string, to: string, newText: string, synth: Synthesize): Promise<ObjectSet> {
  const scratch = mkdtempSync(join(tmpdir(), 'cc-promote-'));
  try {
    const envDir = join(scratch, 'environments');
    const outDir = join(scratch, 'out');
    mkdirSync(envDir);
    for (const file of readdirSync(join(root, ENVIRONMENTS_DIR))) {
      copyFileSync(join(root, ENVIRONMENTS_DIR, file), join(envDir, file));
    }
    writeFileSync(join(envDir, `${to}.yaml`), newText);
    await synth(root, outDir, envDir);
    return loadObjectTree(outDir, GENERATED_DIRS);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Writes the new pin and the regenerated output; on failure, puts the pin back. */
async function synthesizeInPlace(root: string, targetFile: string, texts: { before: string; after: string }, synth: Synthesize) {
  writeFileSync(join(root, targetFile), texts.after);
  try {
    await synth(root, root);
  } catch (error) {
    // Leave nothing half-done: the generator writes nothing on failure, and the pin goes back.
    writeFileSync(join(root, targetFile), texts.before);
    throw error;
  }
  return { afterSet: loadObjectTree(root, GENERATED_DIRS), written: uncommittedChanges(root).map((line) => line.slice(3)) };
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
        `Commit or remove them first:\n${dirty
          .slice(0, 20)
          .map((l) => `  ${l}`)
          .join('\n')}`,
    );
  }
  if (options.from === options.to) throw new PromotionRefused(`--from and --to are both "${options.to}"`);

  const targetFile = envFile(root, options.to);
  const targetText = readFileSync(join(root, targetFile), 'utf8');
  const { before, after, sourceSince } = resolvePins(root, options, targetText, targetFile);
  const newText = writePin(targetText, targetFile, after, options.image ?? 'app');
  const beforeSet = loadObjectTree(root, GENERATED_DIRS);

  const { afterSet, written } = options.dryRun
    ? { afterSet: await synthesizeScratch(root, options.to, newText, synth), written: [] }
    : await synthesizeInPlace(root, targetFile, { before: targetText, after: newText }, synth);

  const report = diffObjectSets(beforeSet, afterSet);
  const templateFile = join(root, PR_TEMPLATE);
  const template = existsSync(templateFile) ? readFileSync(templateFile, 'utf8') : undefined;
  const description = describePromotion({ options, targetFile, before, after, report, afterSet, sourceSince, now, template });
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

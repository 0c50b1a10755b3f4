/**
 * `npm run diff [-- <git-ref>] [--json]`: what a change does to the generated output.
 *
 * Compares `dist/` and `argocd/` at a git ref (default: the merge base with main) with
 * a fresh synth of the working tree, object by object, and flags what deserves a
 * reviewer's eye. Markdown for a pull-request comment, or JSON for tools.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgumentError, parseCommandLine } from './lib/args';
import { diffObjectSets, type DiffReport } from './lib/diff';
import { defaultBaseRef, objectSetAtRef, repositoryRoot, resolveCommit } from './lib/git';
import { loadObjectTree } from '../charts/manifest';
import { renderMarkdown } from './lib/render';
import { GENERATED_DIRS, synthesizeInto, type Synthesize } from './lib/synth';

export interface DiffOptions {
  readonly ref?: string;
  readonly json: boolean;
}

const USAGE = 'usage: npm run diff [-- <git-ref>] [--json]';

const OPTIONS = {
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export function parseDiffArgs(argv: readonly string[]): DiffOptions {
  let parsed;
  try {
    parsed = parseCommandLine(argv, OPTIONS, true);
  } catch (error) {
    if (error instanceof ArgumentError) throw new Error(`unknown option ${error.problem.arg}\n${USAGE}`);
    throw error;
  }
  const { values, positionals } = parsed;
  if (values.help) throw new Error(USAGE);
  if (positionals.length > 1) throw new Error(`only one git ref is accepted, got "${positionals[0]}" and "${positionals[1]}"\n${USAGE}`);
  return { ref: positionals[0], json: values.json };
}

export interface DiffResult {
  readonly ref: string;
  readonly commit: string;
  readonly report: DiffReport;
}

/**
 * The diff of `cwd`'s working tree against `ref`. `synth` writes a fresh output tree
 * into a directory; tests pass one that writes fixtures.
 */
export async function diffWorkingTree(cwd: string, ref: string | undefined, synth: Synthesize = synthesizeInto): Promise<DiffResult> {
  const root = repositoryRoot(cwd);
  const base = ref ?? defaultBaseRef(root);
  const commit = resolveCommit(root, base);
  const before = objectSetAtRef(root, commit, GENERATED_DIRS);
  const outDir = mkdtempSync(join(tmpdir(), 'cc-diff-'));
  try {
    await synth(root, outDir);
    const after = loadObjectTree(outDir, GENERATED_DIRS);
    return { ref: base, commit, report: diffObjectSets(before, after) };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

export function formatDiff(result: DiffResult, json: boolean): string {
  if (json) return `${JSON.stringify({ ref: result.ref, commit: result.commit, ...result.report }, null, 2)}\n`;
  const title = `Generated output compared with \`${result.ref}\` (${result.commit.slice(0, 12)})`;
  return `${renderMarkdown(result.report, title)}\n`;
}

async function main(): Promise<void> {
  const options = parseDiffArgs(process.argv.slice(2));
  const result = await diffWorkingTree(process.cwd(), options.ref);
  process.stdout.write(formatDiff(result, options.json));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`diff: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

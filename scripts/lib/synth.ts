import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The directories the generator writes, relative to its output root. */
export const GENERATED_DIRS = ['dist', 'argocd'] as const;

/**
 * Writes a complete output tree (`dist/<env>/…`, `argocd/…`) of the charts in
 * `repoRoot` into `outDir`. Optional `environmentsDir` replaces
 * `charts/environments` (promote's dry run synthesizes an edited copy).
 */
export type Synthesize = (repoRoot: string, outDir: string, environmentsDir?: string) => Promise<void> | void;

/**
 * Runs the repository's own generator in a child process, so that the charts of the
 * checkout being compared are used, never the ones this script was loaded with.
 */
export const synthesizeInto: Synthesize = (repoRoot, outDir, environmentsDir) => {
  const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
  const args = ['charts/main.ts', '--outdir', outDir];
  if (environmentsDir) args.push('--environments', environmentsDir);
  try {
    execFileSync(existsSync(tsx) ? tsx : 'tsx', args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`synth failed${stderr ? `:\n${stderr}` : ''}`);
  }
};

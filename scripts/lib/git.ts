import { execFileSync } from 'node:child_process';
import { objectSetFromFiles, type ObjectSet } from '../../charts/manifest';

/** Runs git in `cwd` and returns its standard output; a failure names the command. */
export function git(cwd: string, args: readonly string[], input?: string): string {
  try {
    return execFileSync('git', args, {
      cwd,
      input,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`git ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`);
  }
}

export function repositoryRoot(cwd: string): string {
  return git(cwd, ['rev-parse', '--show-toplevel']).trim();
}

/** Paths with uncommitted changes (staged, unstaged or untracked), as `git status` shows them. */
export function uncommittedChanges(cwd: string): string[] {
  return git(cwd, ['status', '--porcelain', '--untracked-files=all'])
    .split('\n')
    .filter((line) => line.trim() !== '');
}

export function resolveCommit(cwd: string, ref: string): string {
  return git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).trim();
}

/**
 * The merge base of HEAD with the main branch: the revision a pull request is
 * reviewed against. `origin/main` wins over a local `main` because on CI the local
 * branch may be missing or stale.
 */
export function defaultBaseRef(cwd: string): string {
  for (const candidate of ['origin/main', 'main']) {
    try {
      resolveCommit(cwd, candidate);
    } catch {
      continue;
    }
    return git(cwd, ['merge-base', 'HEAD', candidate]).trim();
  }
  throw new Error('no main branch found (tried origin/main and main); pass a git ref');
}

/**
 * Reads the YAML files under `paths` at `ref` straight from the object database
 * (no checkout, so the working tree is never touched).
 */
export function objectSetAtRef(cwd: string, ref: string, paths: readonly string[]): ObjectSet {
  const commit = resolveCommit(cwd, ref);
  const listing = git(cwd, ['ls-tree', '-r', '-z', commit, '--', ...paths]);
  const blobs = listing
    .split('\0')
    .filter((line) => line !== '')
    .map((line) => {
      // "<mode> <type> <sha>\t<path>"
      const [meta, path] = line.split('\t');
      const [, type, sha] = meta.split(' ');
      return { type, sha, path };
    })
    .filter((entry) => entry.type === 'blob' && /\.ya?ml$/.test(entry.path));
  const files = blobs.map(({ sha, path }) => [path, git(cwd, ['cat-file', 'blob', sha])] as const);
  return objectSetFromFiles(files);
}

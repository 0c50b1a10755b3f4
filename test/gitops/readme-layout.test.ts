import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The README's "Layout" block is how a newcomer finds their way: every path it names
// must exist, and every folder of the repository must be in it, one to one. Where the
// block lists some children of a folder, it must list all of that folder's subfolders.
const ROOT = join(__dirname, '..', '..');

/** The paths the layout block names, each with its parent as written (`src/api/` under `app/` is `app/src/api/`). */
export function layoutPaths(readme: string): string[] {
  const block = /^## Layout\n+```\n([\s\S]*?)\n```/m.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no "## Layout" section with a code block');
  const paths: string[] = [];
  let parent = '';
  for (const line of block.split('\n')) {
    const indent = line.length - line.trimStart().length;
    // Entries sit at column 0 or 2; deeper lines continue the description above.
    if (line.trim() === '' || indent > 2) continue;
    const names = line
      .trim()
      .split(/\s{2,}/)[0]
      .split(' ');
    if (indent === 0) parent = names[0].endsWith('/') ? names[0] : '';
    for (const name of names) paths.push(indent === 0 ? name : `${parent}${name}`);
  }
  return paths;
}

/** `dist/<env>/` stands for every environment's folder. */
function exists(path: string): boolean {
  const [before, after] = path.split('<env>');
  if (after === undefined) return existsSync(join(ROOT, path));
  return readdirSync(join(ROOT, before)).some((env) => existsSync(join(ROOT, before, env, after)));
}

function trackedFolders(): Set<string> {
  const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  const folders = new Set<string>();
  for (const file of files) {
    const parts = file.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) folders.add(`${parts.slice(0, i).join('/')}/`);
  }
  return folders;
}

describe('README layout', () => {
  const named = layoutPaths(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  // `app/src/api/` names `app/src/` too.
  const listed = [
    ...new Set(
      named.flatMap((path) =>
        path
          .split('/')
          .slice(0, -1)
          .map((_, i, parts) => `${parts.slice(0, i + 1).join('/')}/`)
          .concat(path),
      ),
    ),
  ];
  const folders = trackedFolders();

  it('names only paths that exist', () => {
    expect(named.filter((path) => !exists(path))).toEqual([]);
  });

  it('names every top-level folder', () => {
    const topLevel = [...folders].filter((f) => f.split('/').length === 2);
    expect(topLevel.filter((f) => !listed.includes(f))).toEqual([]);
  });

  it('names every subfolder of a folder whose children it lists', () => {
    const expanded = new Set(named.map((path) => path.replace(/[^/]+\/?$/, '')).filter(Boolean));
    const missing = [...folders].filter((f) => expanded.has(f.replace(/[^/]+\/$/, '')) && !listed.includes(f) && !f.startsWith('dist/'));
    expect(missing).toEqual([]);
  });

  it('reads nested entries relative to their parent', () => {
    const readme =
      '## Layout\n\n```\napp/  the app\n  src/api/  routes\n                continued\ncharts/\n  crds/ schemas/  vendored\n```\n';
    expect(layoutPaths(readme)).toEqual(['app/', 'app/src/api/', 'charts/', 'charts/crds/', 'charts/schemas/']);
  });
});

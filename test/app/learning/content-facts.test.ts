import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// The course teaches what this repository does: where a chapter shows a manifest or a
// query that the project also generates, the two are checked against each other here
// rather than trusted to stay in step (issue 16, defect 13).
const ROOT = path.join(__dirname, '../../..');
const chapterFiles = readdirSync(path.join(ROOT, 'app/content/chapters')).sort();
const chapter = (prefix: string) =>
  readFileSync(path.join(ROOT, 'app/content/chapters', chapterFiles.find((f) => f.startsWith(prefix)) ?? ''), 'utf8');
const allChapters = chapterFiles.map((f) => readFileSync(path.join(ROOT, 'app/content/chapters', f), 'utf8')).join('\n');

/** apiVersions of every generated object of `kind` under dist/. */
function generatedApiVersions(kind: string): Set<string> {
  const versions = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.yaml')) {
        const text = readFileSync(full, 'utf8');
        const api = /^apiVersion: (\S+)$/m.exec(text)?.[1];
        if (api && new RegExp(`^kind: ${kind}$`, 'm').test(text)) versions.add(api);
      }
    }
  };
  walk(path.join(ROOT, 'dist'));
  return versions;
}

describe('facts the chapters state', () => {
  it('shows ExternalSecrets in the apiVersion this project generates', () => {
    const generated = generatedApiVersions('ExternalSecret');
    expect(generated.size).toBeGreaterThan(0);
    const shown = [...allChapters.matchAll(/apiVersion: (external-secrets\.io\/\S+)\nkind: ExternalSecret/g)].map((m) => m[1]);
    expect(shown.length).toBeGreaterThan(0);
    for (const version of shown) expect(generated).toContain(version);
  });

  it('selects the web service by one label in every query of the course', () => {
    const selectors = new Set([...allChapters.matchAll(/http_requests_total\{(\w+)="web"/g)].map((m) => m[1]));
    expect([...selectors]).toEqual(['app']);
  });

  it('gives Prometheus its real scrape interval: one minute by default, commonly 15–30 s', () => {
    const observability = chapter('07');
    expect(observability).not.toMatch(/every few seconds/);
    expect(observability).toMatch(/one minute by default/);
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifestDir } from '../../charts/checks';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cc-load-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadManifestDir', () => {
  it('reads every document of every YAML file below the directory, in file order, named relative to it', () => {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'b.yaml'), 'kind: B\n---\n# only a comment\n---\nkind: C\n');
    writeFileSync(join(dir, 'a.yml'), 'kind: A\n');
    writeFileSync(join(dir, 'sub', 'd.yaml'), 'kind: D\n');
    writeFileSync(join(dir, 'notes.txt'), 'kind: ignored\n');
    expect(loadManifestDir(dir).map((m) => `${m.file}:${m.object.kind}`)).toEqual(['a.yml:A', 'b.yaml:B', 'b.yaml:C', 'sub/d.yaml:D']);
  });

  it('refuses a file that is not valid YAML, naming it, rather than reading it as empty', () => {
    writeFileSync(join(dir, 'broken.yaml'), 'kind: [unclosed\n');
    expect(() => loadManifestDir(dir)).toThrow(/^broken\.yaml: not valid YAML/);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// kubectl, Argo CD and the API server read manifests with sigs.k8s.io/yaml, which goes
// through go-yaml's YAML 1.1 rules: there a bare `Off`, `on`, `yes` or `no` is a boolean.
// The `yaml` package writes YAML 1.2, where they are strings, so a VPA's
// `updateMode: Off` would reach the cluster as `false` and be refused. Every generated
// file must mean the same thing under both versions (charts/main.ts writes with
// `version: '1.1'` so such strings are quoted).
const ROOT = join(__dirname, '..', '..');
const files = ['argocd', 'dist/cluster', 'dist/production', 'dist/staging'].flatMap((dir) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `${dir}/${f}`),
);

describe('generated YAML', () => {
  it.each(files)('%s reads the same as YAML 1.1 and 1.2', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    expect(parse(text, { version: '1.1' })).toEqual(parse(text));
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const dockerfile = readFileSync(path.join(root, 'app/Dockerfile'), 'utf8');
const dockerignore = readFileSync(path.join(root, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim());

/** Instructions without comments and continuation lines, as `[INSTRUCTION, rest]`. */
function instructions(text: string): [string, string][] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [head, ...rest] = l.split(/\s+/);
      return [head.toUpperCase(), rest.join(' ')];
    });
}

const steps = instructions(dockerfile);
const stages = steps.filter(([i]) => i === 'FROM');
const finalStageIndex = steps.findIndex((s) => s === stages[stages.length - 1]);
const finalStage = steps.slice(finalStageIndex);
const args = Object.fromEntries(
  steps
    .filter(([i]) => i === 'ARG')
    .map(([, rest]) => rest.split('='))
    .filter((kv) => kv.length === 2),
);
const resolve = (image: string) => image.replace(/\$\{(\w+)\}/g, (_, name) => args[name] ?? '');

describe('app/Dockerfile', () => {
  it('is multi-stage, and every stage starts from a base pinned by sha256 digest', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const [, rest] of stages) {
      const image = resolve(rest.split(/\s+/)[0]);
      expect(image).toMatch(/^node:20[\w.-]*@sha256:[0-9a-f]{64}$/);
    }
  });

  it('installs production dependencies only, with npm ci, for the image it ships', () => {
    const runs = steps.filter(([i]) => i === 'RUN').map(([, r]) => r);
    expect(runs.some((r) => /npm ci\b.*--omit=dev/.test(r))).toBe(true);
    const copiedModules = finalStage.filter(([i, r]) => i === 'COPY' && /node_modules/.test(r));
    expect(copiedModules).toHaveLength(1);
    const source = copiedModules[0][1].match(/--from=(\w+)/)?.[1];
    const sourceStage = steps.slice(steps.findIndex(([i, r]) => i === 'FROM' && r.endsWith(`AS ${source}`)));
    const sourceRuns = sourceStage.slice(0, sourceStage.findIndex(([i], n) => n > 0 && i === 'FROM') >>> 0);
    expect(sourceRuns.some(([i, r]) => i === 'RUN' && /npm ci\b.*--omit=dev/.test(r))).toBe(true);
  });

  it('ships compiled JavaScript and the course content, not TypeScript sources', () => {
    const copies = finalStage.filter(([i]) => i === 'COPY').map(([, r]) => r);
    expect(copies.some((c) => /--from=build\s+\/app\/app\/build\b/.test(c))).toBe(true);
    expect(copies.some((c) => /^app\/content\b/.test(c))).toBe(true);
    expect(copies.some((c) => /app\/src/.test(c))).toBe(false);
    const runs = steps.filter(([i]) => i === 'RUN').map(([, r]) => r);
    expect(runs).toContain('npm run build');
  });

  it('runs as the fixed non-root UID 10001', () => {
    const users = finalStage.filter(([i]) => i === 'USER').map(([, r]) => r);
    expect(users.at(-1)).toBe('10001:10001');
    expect(dockerfile).toMatch(/--uid 10001/);
  });

  it('is one image for both roles and the migrate command: the role is an environment variable', () => {
    const cmd = finalStage.filter(([i]) => i === 'CMD').map(([, r]) => r);
    expect(cmd).toEqual(['["node", "app/build/server.js"]']);
    expect(finalStage.some(([i]) => i === 'ENTRYPOINT')).toBe(false);
    expect(finalStage.filter(([i]) => i === 'WORKDIR').map(([, r]) => r)).toContain('/app');
  });

  it('keeps secrets, git history and local state out of the build context', () => {
    for (const entry of ['.git', 'node_modules', '.env', 'tmp', '*.sqlite']) expect(dockerignore).toContain(entry);
  });
});

describe('the build produces the commands the Dockerfile names', () => {
  it('has entry points for server, migrate and smoke in app/src', () => {
    for (const entry of ['server', 'migrate', 'smoke']) {
      expect(readFileSync(path.join(root, `app/src/${entry}.ts`), 'utf8')).toMatch(/require\.main === module/);
    }
  });
});

/**
 * The generator's real output, checked the way Argo CD will see it: a fresh synth is
 * written to a temporary directory, read back from the YAML files, and must pass every
 * strict check. Also: two synths are byte-identical, and the production canary steps
 * are exactly what issue 2 asks for.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkManifests, formatFindings, loadManifestDir, type ManifestObject } from '../../charts/checks';
import { simulateSync, syncTasksOf } from '../../charts/checks/argocd-sync';
import { synthesize, writeSynthesis, type Synthesis } from '../../charts/main';

let first: Synthesis;
let firstDir: string;
let secondDir: string;

beforeAll(() => {
  firstDir = mkdtempSync(join(tmpdir(), 'cc-synth-a-'));
  secondDir = mkdtempSync(join(tmpdir(), 'cc-synth-b-'));
  first = synthesize();
  writeSynthesis(first, firstDir);
  writeSynthesis(synthesize(), secondDir);
}, 240_000);

afterAll(() => {
  for (const dir of [firstDir, secondDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const environmentDirs = () => first.dirs.filter((dir) => dir.startsWith('dist/'));  // dist/cluster/ included
const loaded = new Map<string, ManifestObject[]>();
const objectsOf = (dir: string): ManifestObject[] => {
  if (!loaded.has(dir)) loaded.set(dir, loadManifestDir(join(firstDir, dir), firstDir));
  return loaded.get(dir) as ManifestObject[];
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const find = (dir: string, kind: string, name: string): any => {
  const found = objectsOf(dir).find((m) => m.object.kind === kind && m.object.metadata.name === name);
  if (found === undefined) throw new Error(`${dir} has no ${kind} ${name}`);
  return found.object;
};

describe('synthesized environments', () => {
  it('are staging and production, plus the cluster pieces', () => {
    expect(environmentDirs()).toEqual(['dist/cluster', 'dist/production', 'dist/staging']);
  });

  it.each(['dist/production', 'dist/staging'])('%s (with dist/cluster/) passes every schema, policy, reference and cluster check', (dir) => {
    // The cluster rules (secret stores, Rollouts plugin, signed images) need the
    // cluster pieces the environment relies on, so both sets are checked together.
    const objects = [...objectsOf(dir), ...objectsOf('dist/cluster')];
    expect(objects.filter((m) => m.object.kind === 'ClusterSecretStore').length).toBe(2);
    // Guard against a vacuous pass: the checks must have had the workloads to look at.
    expect(objects.filter((m) => m.object.kind === 'Rollout').length).toBe(2);
    expect(formatFindings(checkManifests(objects))).toBe('');
  });

  it.each(['dist/production', 'dist/staging'])('%s without dist/cluster/ fails the cluster rules (what the output was before issue 11, point 13)', (dir) => {
    const rules = new Set(checkManifests(objectsOf(dir), { only: ['cluster'] }).map((f) => f.rule));
    expect([...rules].sort()).toEqual(['image-signature', 'secret-store', ...(dir === 'dist/production' ? ['rollouts-plugin'] : [])].sort());
  });

  it("dist/cluster/ serves each environment's ExternalSecrets from a store of its own", () => {
    const stores = objectsOf('dist/cluster').filter((m) => m.object.kind === 'ClusterSecretStore').map((m) => m.object);
    for (const env of first.environments) {
      const store = stores.find((s) => s.metadata.name === env.secrets.storeName);
      expect(store?.spec.conditions).toEqual([{ namespaces: [env.namespace] }]);
      expect(store?.metadata.annotations['course-companion.dev/key-prefix']).toBe(env.secrets.keyPrefix);
      const refs = objectsOf(`dist/${env.name}`).filter((m) => m.object.kind === 'ExternalSecret').map((m) => m.object.spec.secretStoreRef.name);
      expect(new Set(refs)).toEqual(new Set([env.secrets.storeName]));
    }
    expect(new Set(first.environments.map((e) => e.secrets.storeName)).size).toBe(first.environments.length);
  });

  it('are byte-identical on a second synth', () => {
    for (const dir of first.dirs) {
      const files = readdirSync(join(firstDir, dir)).sort();
      expect(readdirSync(join(secondDir, dir)).sort()).toEqual(files);
      for (const file of files) {
        const path = join(dir, file);
        expect({ path, text: readFileSync(join(secondDir, path), 'utf8') }).toEqual({ path, text: readFileSync(join(firstDir, path), 'utf8') });
      }
    }
  });
});

describe("Argo CD's sync of the output, simulated (gitops-engine's wave loop)", () => {
  it.each(['dist/production', 'dist/staging'])('%s: a release ends its sync once the Rollouts are applied, mid-canary', (dir) => {
    const tasks = syncTasksOf(objectsOf(dir));
    const outcome = simulateSync(tasks, { health: (t) => (t.manifest.object.kind === 'Rollout' ? 'Suspended' : 'Healthy') });
    expect(outcome.phase).toBe('Succeeded');
    expect(outcome.trace[outcome.trace.length - 1]).toMatch(/^applied Sync wave 1: (autoscaling\/HorizontalPodAutoscaler\/\w+, ){2}(batch\/CronJob\/[\w-]+, )+(argoproj.io\/Rollout\/\w+(, )?){2}$/);
  });

  it.each(['dist/production', 'dist/staging'])('%s: a failed backup run (CronJob Degraded) does not fail a release', (dir) => {
    const outcome = simulateSync(syncTasksOf(objectsOf(dir)), { health: (t) => (t.manifest.object.kind === 'CronJob' ? 'Degraded' : 'Healthy') });
    expect(outcome.phase).toBe('Succeeded');
  });
});

describe('production canary, read back from the output', () => {
  it.each(['web', 'api'])('%s steps: setWeight 10 → pause 10m → setWeight 50 → pause → 100%%', (role) => {
    const canary = find('dist/production', 'Rollout', role).spec.strategy.canary;
    const steps: Record<string, unknown>[] = canary.steps;
    expect(steps.slice(0, 4)).toEqual([
      { setWeight: 10 },
      { pause: { duration: '10m' } },
      { setWeight: 50 },
      { pause: expect.anything() },
    ]);
    // 100%: an explicit setWeight 100, or the end of the steps (Argo then promotes fully).
    // Only analysis (the post-promotion smoke test) may follow; no further pause or weight.
    const rest = steps.slice(4);
    const weights = rest.filter((step) => 'setWeight' in step);
    expect(weights.length === 0 || (weights.length === 1 && rest[0].setWeight === 100)).toBe(true);
    expect(rest.filter((step) => !('setWeight' in step) && !('analysis' in step))).toEqual([]);
  });

  it.each(['web', 'api'])('%s runs background analysis from the first step and a smoke test at 100%%', (role) => {
    const canary = find('dist/production', 'Rollout', role).spec.strategy.canary;
    expect(canary.analysis?.startingStep ?? 0).toBe(0);
    expect(canary.analysis.templates.map((t: { templateName: string }) => t.templateName)).toEqual(
      expect.arrayContaining(['success-rate', 'latency-p95']),
    );
    const last = canary.steps[canary.steps.length - 1];
    expect(last.analysis.templates.map((t: { templateName: string }) => t.templateName)).toContain('smoke');
  });
});

/**
 * The generator's real output, checked the way Argo CD will see it: a fresh synth is
 * written to a temporary directory, read back from the YAML files, and must pass every
 * strict check. Also: two synths are byte-identical, and the production canary steps
 * are exactly what issue 2 asks for.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkManifests, formatFindings, loadManifestDir, type Finding, type ManifestObject } from '../../charts/checks';
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

const environmentDirs = () => first.dirs.filter((dir) => dir.startsWith('dist/')); // dist/cluster/ included
const loaded = new Map<string, ManifestObject[]>();
const objectsOf = (dir: string): ManifestObject[] => {
  if (!loaded.has(dir)) loaded.set(dir, loadManifestDir(join(firstDir, dir), firstDir));
  return loaded.get(dir) as ManifestObject[];
};
const find = (dir: string, kind: string, name: string): any => {
  const found = objectsOf(dir).find((m) => m.object.kind === kind && m.object.metadata.name === name);
  if (found === undefined) throw new Error(`${dir} has no ${kind} ${name}`);
  return found.object;
};

describe('synthesized environments', () => {
  it('are staging and production, plus the cluster pieces', () => {
    expect(environmentDirs()).toEqual(['dist/cluster', 'dist/production', 'dist/staging']);
  });

  it.each(['dist/production', 'dist/staging'])(
    '%s (with dist/cluster/) passes every check (schema and CEL, policy with TLS, reference, cluster, analysis, Argo CD, delivery)',
    (dir) => {
      // The cluster rules (secret stores, Rollouts plugin, signed images) need the
      // cluster pieces the environment relies on, so both sets are checked together.
      const objects = [...objectsOf(dir), ...objectsOf('dist/cluster')];
      // Both environments' stores and Argo CD's (its notifications' webhook URL).
      expect(objects.filter((m) => m.object.kind === 'ClusterSecretStore').length).toBe(3);
      // Guard against a vacuous pass: the checks must have had the workloads to look at.
      expect(objects.filter((m) => m.object.kind === 'Rollout').length).toBe(2);
      expect(formatFindings(checkManifests(objects))).toBe('');
    },
  );

  it.each(['dist/production', 'dist/staging'])(
    '%s without dist/cluster/ fails the cluster rules (what the output was before issue 11, point 13)',
    (dir) => {
      const rules = new Set(checkManifests(objectsOf(dir), { only: ['cluster'] }).map((f) => f.rule));
      expect([...rules].sort()).toEqual(
        ['image-signature', 'secret-store', ...(dir === 'dist/production' ? ['rollouts-plugin'] : [])].sort(),
      );
    },
  );

  it("dist/cluster/ serves each environment's ExternalSecrets from a store of its own", () => {
    const stores = objectsOf('dist/cluster')
      .filter((m) => m.object.kind === 'ClusterSecretStore')
      .map((m) => m.object);
    for (const env of first.environments) {
      const store = stores.find((s) => s.metadata.name === env.secrets.storeName);
      expect(store?.spec.conditions).toEqual([{ namespaces: [env.namespace] }]);
      expect(store?.metadata.annotations['course-companion.dev/key-prefix']).toBe(env.secrets.keyPrefix);
      const refs = objectsOf(`dist/${env.name}`)
        .filter((m) => m.object.kind === 'ExternalSecret')
        .map((m) => m.object.spec.secretStoreRef.name);
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
        expect({ path, text: readFileSync(join(secondDir, path), 'utf8') }).toEqual({
          path,
          text: readFileSync(join(firstDir, path), 'utf8'),
        });
      }
    }
  });
});

describe("Argo CD's sync of the output, simulated (gitops-engine's wave loop)", () => {
  it.each(['dist/production', 'dist/staging'])('%s: a release ends its sync once the Rollouts are applied, mid-canary', (dir) => {
    const tasks = syncTasksOf(objectsOf(dir));
    const outcome = simulateSync(tasks, { health: (t) => (t.manifest.object.kind === 'Rollout' ? 'Suspended' : 'Healthy') });
    expect(outcome.phase).toBe('Succeeded');
    expect(outcome.trace[outcome.trace.length - 1]).toMatch(
      /^applied Sync wave 1: (autoscaling\/HorizontalPodAutoscaler\/\w+, ){2}(batch\/CronJob\/[\w-]+, )+(argoproj.io\/Rollout\/\w+, autoscaling.k8s.io\/VerticalPodAutoscaler\/\w+(, )?){2}$/,
    );
  });

  it.each(['dist/production', 'dist/staging'])('%s: a failed backup run (CronJob Degraded) does not fail a release', (dir) => {
    const outcome = simulateSync(syncTasksOf(objectsOf(dir)), {
      health: (t) => (t.manifest.object.kind === 'CronJob' ? 'Degraded' : 'Healthy'),
    });
    expect(outcome.phase).toBe('Succeeded');
  });
});

describe('production canary, read back from the output', () => {
  it.each(['web', 'api'])(
    '%s steps: canary pods smoke tested with no user traffic → setWeight 10 → pause 10m → setWeight 50 → pause → 100%% → smoke again',
    (role) => {
      const canary = find('dist/production', 'Rollout', role).spec.strategy.canary;
      const smoke = {
        analysis: {
          templates: [{ templateName: 'smoke' }],
          args: [
            { name: 'url', value: `http://${role}-canary.course-companion-production.svc.cluster.local:${role === 'api' ? 8000 : 3000}` },
            { name: 'role', value: role },
          ],
        },
      };
      expect(canary.steps).toEqual([
        // Canary pods (as many as 10% will need) start with no requests, and the smoke
        // test calls them through the canary Service, which selects only them.
        { setCanaryScale: { weight: 10 } },
        smoke,
        { setWeight: 10 },
        { setCanaryScale: { matchTrafficWeight: true } },
        { pause: { duration: '10m' } },
        { setWeight: 50 },
        { pause: { duration: '10m' } },
        { setWeight: 100 },
        // Post-deployment validation (specification, "Production Deployment").
        smoke,
      ]);
    },
  );

  it.each(['web', 'api'])('%s runs background analysis from the first step with user traffic', (role) => {
    const canary = find('dist/production', 'Rollout', role).spec.strategy.canary;
    expect(canary.steps[canary.analysis.startingStep]).toEqual({ setWeight: 10 });
    expect(canary.analysis.templates.map((t: { templateName: string }) => t.templateName)).toEqual(
      expect.arrayContaining(['success-rate', 'latency-p95']),
    );
  });

  it("moves the weights of the api's public and in-cluster routes together", () => {
    const canary = find('dist/production', 'Rollout', 'api').spec.strategy.canary;
    expect(canary.trafficRouting.plugins['argoproj-labs/gatewayAPI']).toEqual({
      httpRoutes: [{ name: 'api' }, { name: 'api-internal' }],
      namespace: 'course-companion-production',
    });
  });
});

describe.each(['dist/production', 'dist/staging'])('%s: in-cluster calls and TLS', (dir) => {
  it('sends the web role to the api through the internal gateway, a ClusterIP Service', () => {
    const web = find(dir, 'ConfigMap', 'web-config').data;
    const namespace = dir === 'dist/production' ? 'course-companion-production' : 'course-companion-staging';
    const host = `${namespace}-internal.envoy-gateway-system.svc.cluster.local`;
    expect(web.API_URL).toBe(`http://${host}:8000`);
    // The api accepts the Host header the gateway passes on.
    expect(find(dir, 'ConfigMap', 'api-config').data.ALLOWED_HOSTS.split(',')).toContain(host);
    expect(find(dir, 'EnvoyProxy', 'course-companion-internal').spec.provider.kubernetes.envoyService).toEqual({
      name: `${namespace}-internal`,
      type: 'ClusterIP',
    });
    expect(find(dir, 'Gateway', 'course-companion-internal').spec.infrastructure.parametersRef).toEqual({
      group: 'gateway.envoyproxy.io',
      kind: 'EnvoyProxy',
      name: 'course-companion-internal',
    });
    // The public gateway keeps Envoy Gateway's default Service, a LoadBalancer.
    expect(find(dir, 'Gateway', 'course-companion').spec.infrastructure?.parametersRef).toBeUndefined();
  });

  it("lets the web role reach only the internal gateway's proxies, not the api pods", () => {
    const egress = find(dir, 'NetworkPolicy', 'web').spec.egress;
    const peers = egress.flatMap((rule: { to: unknown[] }) => rule.to);
    expect(peers).toContainEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } },
      podSelector: { matchLabels: expect.objectContaining({ 'gateway.envoyproxy.io/owning-gateway-name': 'course-companion-internal' }) },
    });
    expect(JSON.stringify(peers)).not.toContain('"app.kubernetes.io/component":"api"');
  });

  it('pins TLS 1.2-1.3 on the public gateway with a ClientTrafficPolicy', () => {
    const policy = find(dir, 'ClientTrafficPolicy', 'course-companion-tls');
    expect(policy.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'course-companion' }]);
    expect(policy.spec.tls).toMatchObject({ minVersion: '1.2', maxVersion: '1.3' });
  });
});

describe('the issue-11 checks fail on what the output used to be', () => {
  // The real production output, changed back to how it was before issue 11.
  const oldProduction = (change: (objects: ManifestObject[]) => void): Finding[] => {
    const objects: ManifestObject[] = JSON.parse(JSON.stringify(objectsOf('dist/production')));
    change(objects);
    return checkManifests(objects, { only: ['policy', 'delivery'] });
  };
  const objectIn = (objects: ManifestObject[], kind: string, name: string) =>
    objects.find((m) => m.object.kind === kind && m.object.metadata.name === name)!.object;
  const rules = (findings: Finding[]) => findings.map((f) => `${f.rule} ${f.file.split('/').pop()}`);

  it("API_URL → api-stable (the canary never sees the web role's requests)", () => {
    const findings = oldProduction((objects) => (objectIn(objects, 'ConfigMap', 'web-config').data.API_URL = 'http://api-stable:8000'));
    expect(rules(findings)).toEqual(['canary-caller-route configmap-web-config.yaml']);
    expect(findings[0].message).toContain('API_URL = http://api-stable:8000 calls Service api-stable directly');
  });

  it('the in-cluster route left out of the plugin config', () => {
    const findings = oldProduction((objects) => {
      objectIn(objects, 'Rollout', 'api').spec.strategy.canary.trafficRouting.plugins['argoproj-labs/gatewayAPI'] = {
        httpRoute: 'api',
        namespace: 'course-companion-production',
      };
    });
    expect(rules(findings)).toEqual(['canary-caller-route configmap-web-config.yaml']);
    expect(findings[0].message).toContain(
      'through HTTPRoute course-companion-production/api-internal, which its argoproj-labs/gatewayAPI plugin config does not list',
    );
  });

  it('setWeight 10 first, smoke only at 100 %', () => {
    const findings = oldProduction((objects) => {
      const canary = objectIn(objects, 'Rollout', 'api').spec.strategy.canary;
      canary.steps = canary.steps.filter((step: object) => !('setCanaryScale' in step)).slice(1);
      delete canary.analysis.startingStep;
    });
    expect(rules(findings)).toEqual(['smoke-before-traffic rollout-api.yaml']);
  });

  it('no ClientTrafficPolicy', () => {
    const findings = oldProduction((objects) =>
      objects.splice(
        objects.findIndex((m) => m.object.kind === 'ClientTrafficPolicy'),
        1,
      ),
    );
    expect(rules(findings)).toEqual(['tls-min-version gateway-course-companion.yaml', 'tls-min-version gateway-course-companion.yaml']);
  });
});

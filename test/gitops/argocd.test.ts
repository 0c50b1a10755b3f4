import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { checkManifests, formatFindings, type ManifestObject } from '../../charts/checks';
import { ArgoCdChart, type EnvironmentDelivery } from '../../charts/constructs/argocd/argocd-chart';
import { EnvironmentApplication } from '../../charts/constructs/argocd/application';
import { goDuration } from '../../charts/constructs/argocd/sync-windows';
import { loadGitops, parseGitops, type GitopsConfig } from '../../charts/config/gitops';
import { synthesize, type Synthesis } from '../../charts/main';

const ROOT = join(__dirname, '..', '..');
const GITOPS_FILE = join(ROOT, 'charts', 'gitops.yaml');

type Json = any;

let synthesis: Synthesis;
let argocd: Json[];
const byName = (kind: string, name: string): Json =>
  argocd.find((o) => o.kind === kind && o.metadata.name === name) ?? fail(`${kind} ${name} not generated`);
const distOf = (env: string): Json[] => synthesis.objects.filter((o) => o.group === `dist/${env}`).map((o) => o.manifest);

beforeAll(() => {
  synthesis = synthesize();
  argocd = synthesis.objects.filter((o) => o.group === 'argocd').map((o) => o.manifest);
}, 240_000);

describe('argocd/ output', () => {
  it('is what is committed (one object per file, stable names)', () => {
    const paths = [...synthesis.files.keys()].filter((p) => p.startsWith('argocd/'));
    expect(paths).toEqual([
      'argocd/application-course-companion-cluster.yaml',
      'argocd/application-course-companion-production.yaml',
      'argocd/application-course-companion-staging.yaml',
      'argocd/application-course-companion.yaml',
      'argocd/appproject-course-companion-cluster.yaml',
      'argocd/appproject-course-companion.yaml',
      'argocd/configmap-argocd-notifications-cm.yaml',
      'argocd/externalsecret-argocd-notifications-secret.yaml',
    ]);
    for (const path of paths) expect(readFileSync(join(ROOT, path), 'utf8')).toBe(synthesis.files.get(path));
  });

  it('passes the same strict schema, policy and reference checks as the environments', () => {
    const objects: ManifestObject[] = synthesis.objects
      // With dist/cluster/, as synth checks them: the notifications' ExternalSecret reads
      // the Argo CD namespace's ClusterSecretStore generated there.
      .filter((o) => o.group === 'argocd' || o.group === 'dist/cluster')
      .map((o) => ({ file: o.path, object: o.manifest }));
    expect(formatFindings(checkManifests(objects))).toBe('');
  });

  it('fails those checks when an Argo CD object carries a field its CRD does not define', () => {
    const broken = structuredClone(byName('Application', 'course-companion-production'));
    broken.spec.syncPolicy.automated.selfheal = true;
    const findings = checkManifests([{ file: 'argocd/broken.yaml', object: broken }], { only: ['schema'] });
    expect(formatFindings(findings)).toContain('selfheal');
  });
});

describe('AppProject', () => {
  const project = () => byName('AppProject', 'course-companion');

  it('allows one repository and only the environment namespaces', () => {
    const gitops = loadGitops(GITOPS_FILE);
    expect(project().spec.sourceRepos).toEqual([gitops.repoURL]);
    expect(project().spec.destinations.map((d: Json) => d.namespace)).toEqual(synthesis.environments.map((e) => e.namespace).sort());
    expect(JSON.stringify(project().spec)).not.toContain('"*"');
  });

  it('admits exactly the kinds the environments synthesize, and only Namespace cluster-wide', () => {
    const { clusterResourceWhitelist, namespaceResourceWhitelist } = project().spec;
    expect(clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace' }]);
    const allowed = (list: Json[]) => new Set(list.map((k) => `${k.group}/${k.kind}`));
    const cluster = allowed(clusterResourceWhitelist);
    const namespaced = allowed(namespaceResourceWhitelist);
    const used = new Set<string>();
    for (const env of synthesis.environments) {
      for (const object of distOf(env.name)) {
        const key = `${object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : ''}/${object.kind}`;
        used.add(key);
        const list = object.metadata.namespace === undefined ? cluster : namespaced;
        expect([key, list.has(key)]).toEqual([key, true]);
      }
    }
    expect([...namespaced].filter((k) => !used.has(k))).toEqual([]);
  });

  it('lets production sync on its own only inside its maintenance window, and by hand at any time', () => {
    const production = synthesis.environments.find((e) => e.name === 'production')!;
    const common = {
      applications: ['course-companion-production'],
      duration: goDuration(production.maintenanceWindow.durationMinutes),
      timeZone: production.maintenanceWindow.timeZone,
      manualSync: true,
    };
    // Every Sunday 02:00 (allow), closed again on days 8-31 (deny): the first Sunday of
    // the month. test/gitops/sync-windows.test.ts walks the year through Argo CD's rules.
    expect(project().spec.syncWindows).toEqual([
      expect.objectContaining({ kind: 'allow', schedule: production.maintenanceWindow.schedule, syncOverrun: true, ...common }),
      expect.objectContaining({ kind: 'deny', schedule: '0 2 8-31 * *', ...common }),
    ]);
    expect(project().spec.syncWindows[0].schedule).toBe('0 2 * * 0');
    expect(project().spec.syncWindows[0].duration).toBe('2h');
  });

  it('gives the deployer role sync rights on the project only', () => {
    const [role] = project().spec.roles;
    expect(role.name).toBe('deployer');
    expect(role.policies).toContain('p, proj:course-companion:deployer, applications, sync, course-companion/*, allow');
  });
});

describe('Applications', () => {
  it.each(['staging', 'production'])('syncs dist/%s into its namespace with prune, self-heal and retry', (env) => {
    const app = byName('Application', `course-companion-${env}`);
    const environment = synthesis.environments.find((e) => e.name === env)!;
    expect(app.spec.project).toBe('course-companion');
    expect(app.spec.source.path).toBe(`dist/${env}`);
    expect(app.spec.destination.namespace).toBe(environment.namespace);
    expect(app.spec.syncPolicy.automated).toEqual({ enabled: true, prune: true, selfHeal: true, allowEmpty: false });
    expect(app.spec.syncPolicy.retry.limit).toBeGreaterThan(0);
    expect(app.spec.syncPolicy.syncOptions).toEqual(expect.arrayContaining(['ServerSideApply=true', 'RespectIgnoreDifferences=true']));
    expect(app.metadata.finalizers).toBeUndefined();
  });

  it('ignores only the HTTPRoute weights the Rollouts plugin moves, and only where a canary drives them', () => {
    const production = byName('Application', 'course-companion-production');
    const routes = distOf('production')
      .filter((o) => o.kind === 'HTTPRoute')
      .map((o) => o.metadata.name);
    expect(production.spec.ignoreDifferences.length).toBeGreaterThan(0);
    for (const entry of production.spec.ignoreDifferences) {
      expect(entry).toEqual(
        expect.objectContaining({
          group: 'gateway.networking.k8s.io',
          kind: 'HTTPRoute',
          jqPathExpressions: ['.spec.rules[].backendRefs[]?.weight'],
        }),
      );
      expect(routes).toContain(entry.name);
    }
    expect(byName('Application', 'course-companion-staging').spec.ignoreDifferences).toBeUndefined();
  });

  it('rejects a path outside dist/', () => {
    const gitops = loadGitops(GITOPS_FILE);
    expect(
      () =>
        new EnvironmentApplication(new App(), 'x', {
          name: 'x',
          argocdNamespace: 'argocd',
          project: 'p',
          repoURL: gitops.repoURL,
          targetRevision: 'main',
          path: 'charts',
          destinationServer: gitops.argocd.destinationServer,
          destinationNamespace: 'n',
          retry: gitops.retry,
        }),
    ).toThrow(`'path' must be a generated directory "dist/<env>", got "charts"`);
  });
});

describe('root app-of-apps', () => {
  it('syncs argocd/ except its own file, from the default project', () => {
    const root = byName('Application', 'course-companion');
    expect(root.spec.project).toBe('default');
    expect(root.spec.source.path).toBe('argocd');
    expect(root.spec.source.directory.exclude).toBe('application-course-companion.yaml');
    expect(root.spec.destination.namespace).toBe('argocd');
  });

  it('creates the AppProject in an earlier wave than the Applications that use it', () => {
    const wave = (o: Json) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
    expect(wave(byName('AppProject', 'course-companion'))).toBeLessThan(wave(byName('Application', 'course-companion-staging')));
  });
});

describe('environment sync waves', () => {
  const waveOf = (o: Json) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
  const waves = (objects: Json[], kind: string) => objects.filter((o) => o.kind === kind).map(waveOf);

  it.each(['staging', 'production'])(
    '%s: namespace, then secrets, then the migration hook, then monitoring and routing, the Rollouts last',
    (env) => {
      const objects = distOf(env);
      const namespaceWave = Math.max(...waves(objects, 'Namespace'));
      for (const other of objects.filter((o) => o.kind !== 'Namespace')) {
        expect([other.kind, other.metadata.name, waveOf(other) > namespaceWave]).toEqual([other.kind, other.metadata.name, true]);
      }
      expect(Math.max(...waves(objects, 'ExternalSecret'))).toBeLessThan(Math.min(...waves(objects, 'Rollout')));
      // Within one wave Argo CD applies ConfigMaps before workloads by kind, so equal is enough.
      expect(Math.max(...waves(objects, 'ConfigMap'))).toBeLessThanOrEqual(Math.min(...waves(objects, 'Rollout')));
      // The migration is a Sync hook (a PreSync hook would run before the ExternalSecret
      // exists on a new namespace) placed between secrets and workloads.
      const migrate = objects.find((o) => o.kind === 'Job' && o.metadata.name === 'migrate');
      expect(migrate.metadata.annotations['argocd.argoproj.io/hook']).toBe('Sync');
      expect(waveOf(migrate)).toBeGreaterThan(Math.max(...waves(objects, 'ExternalSecret')));
      expect(waveOf(migrate)).toBeLessThan(Math.min(...waves(objects, 'Rollout')));
      // Monitoring exists before the canary's first step (issue 11, point 4) ...
      for (const kind of ['ServiceMonitor', 'PrometheusRule', 'AnalysisTemplate', 'HTTPRoute', 'Service']) {
        expect([kind, Math.max(...waves(objects, kind))]).toEqual([kind, expect.any(Number)]);
        expect(Math.max(...waves(objects, kind))).toBeLessThan(Math.min(...waves(objects, 'Rollout')));
      }
      // ... and the Rollouts (with their HPAs) are the last wave, so Argo CD ends the sync
      // operation once they are applied instead of waiting for the whole canary. The
      // CronJobs too: a failed backup (CronJob Degraded) must not fail a release's sync.
      const last = Math.max(...objects.map(waveOf));
      const inLastWave = objects.filter((o) => waveOf(o) === last).map((o) => o.kind);
      expect([...new Set(inLastWave)].sort()).toEqual(['CronJob', 'HorizontalPodAutoscaler', 'Rollout', 'VerticalPodAutoscaler']);
    },
  );

  it.each(['staging', 'production'])('%s: the Namespace is never pruned or deleted by Argo CD', (env) => {
    const namespace = distOf(env).find((o) => o.kind === 'Namespace');
    expect(namespace.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
  });
});

describe('charts/gitops.yaml', () => {
  const valid = (): GitopsConfig => loadGitops(GITOPS_FILE);

  it.each([
    [
      'an unknown key',
      (c: Json) => ({ ...c, autosync: true }),
      '(top level): unknown key "autosync": expected only the keys the schema defines',
    ],
    [
      'a bad autoSync',
      (c: Json) => ({ ...c, environments: { production: { autoSync: 'sometimes' } } }),
      'environments.production.autoSync: expected one of "always", "maintenanceWindow"',
    ],
    [
      'a bad backoff',
      (c: Json) => ({ ...c, retry: { ...c.retry, backoff: { ...c.retry.backoff, duration: '10 seconds' } } }),
      'retry.backoff.duration: expected a duration such as "10s"',
    ],
    ['no deployers', (c: Json) => ({ ...c, project: { ...c.project, deployers: [] } }), 'project.deployers: expected at least one group'],
    ['a non-git URL', (c: Json) => ({ ...c, repoURL: 'ftp://x' }), 'repoURL: expected a git repository URL'],
  ])('rejects %s, naming the file and the field', (_name, mutate, message) => {
    expect(() => parseGitops(mutate(valid()), 'charts/gitops.yaml')).toThrow(message);
    expect(() => parseGitops(mutate(valid()), 'charts/gitops.yaml')).toThrow('charts/gitops.yaml: invalid gitops file');
  });

  it('requires every environment to say how it syncs', () => {
    const gitops = { ...valid(), environments: { staging: { autoSync: 'always' as const } } };
    const delivery: EnvironmentDelivery = {
      name: 'production',
      namespace: 'course-companion-production',
      maintenanceWindow: { schedule: '0 2 * * 0', durationMinutes: 120, timeZone: 'Etc/UTC' },
      kinds: [],
      controllerOwnedFields: [],
    };
    expect(() => new ArgoCdChart(new App(), 'argocd', { gitops, environments: [delivery] })).toThrow(
      'environments.production: required: say how Argo CD syncs "production"',
    );
  });

  it('turns window minutes into the Go duration Argo CD reads', () => {
    expect([goDuration(120), goDuration(90), goDuration(45)]).toEqual(['2h', '1h30m', '45m']);
    expect(() => goDuration(0)).toThrow("'durationMinutes' must be a whole number of minutes above 0");
  });
});

describe('dist/cluster/ Application and its AppProject (issue 11, point 13)', () => {
  const keyOf = (o: Json) => `${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}/${o.kind}`;
  const clusterObjects = () => synthesis.objects.filter((o) => o.group === 'dist/cluster').map((o) => o.manifest);

  it('syncs dist/cluster in a project of its own, before the environments', () => {
    const app = byName('Application', 'course-companion-cluster');
    expect(app.spec.source.path).toBe('dist/cluster');
    expect(app.spec.project).toBe('course-companion-cluster');
    const wave = (o: Json) => Number(o.metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(wave(byName('AppProject', 'course-companion-cluster'))).toBeLessThan(wave(app));
    for (const env of synthesis.environments) {
      expect(wave(app)).toBeLessThan(wave(byName('Application', `course-companion-${env.name}`)));
    }
  });

  it('admits exactly the kinds and namespaces dist/cluster synthesizes, and nothing is added to the app project', () => {
    const project = byName('AppProject', 'course-companion-cluster').spec;
    const cluster = clusterObjects();
    const scoped = (namespaced: boolean) =>
      [...new Set(cluster.filter((o) => (o.metadata.namespace !== undefined) === namespaced).map(keyOf))].sort();
    expect(project.clusterResourceWhitelist.map((k: Json) => `${k.group}/${k.kind}`).sort()).toEqual(scoped(false));
    expect(project.namespaceResourceWhitelist.map((k: Json) => `${k.group}/${k.kind}`).sort()).toEqual(scoped(true));
    expect(project.destinations.map((d: Json) => d.namespace)).toEqual(
      [...new Set(cluster.map((o) => o.metadata.namespace).filter(Boolean))].sort(),
    );
    expect(byName('AppProject', 'course-companion').spec.clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace' }]);
  });

  it('never prunes the stores or the admission policy when a file goes missing', () => {
    expect(byName('Application', 'course-companion-cluster').spec.syncPolicy.automated.prune).toBe(false);
  });
});

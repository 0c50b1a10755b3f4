/**
 * The `argocd` rules (charts/checks/argocd.ts) and the model of gitops-engine's sync
 * loop they stand on (charts/checks/argocd-sync.ts): what Argo CD does with the waves
 * during a release, a failed release and a rollback.
 */
import { checkManifests, formatFindings, type ManifestObject } from '../../charts/checks';
import { simulateSync, syncTasksOf, type HealthStatus, type SyncTask } from '../../charts/checks/argocd-sync';
import { expectFinding, type BrokenCase } from './fixtures/expect-finding';
import { validObjects } from './fixtures/valid-objects';

const WAVE = 'argocd.argoproj.io/sync-wave';

/** The fixture laid out in waves as the charts do it: Rollouts (and HPAs) last. */
function layered(): ManifestObject[] {
  const waves: Record<string, string> = {
    'namespace-shop.yaml': '-3',
    'serviceaccount-web.yaml': '-2',
    'configmap-web-config.yaml': '-2',
    'externalsecret-web-secrets.yaml': '-2',
    'job-migrate.yaml': '-1',
    'rollout-web.yaml': '1',
    'horizontalpodautoscaler-web.yaml': '1',
    'cronjob-backup.yaml': '1',
  };
  return validObjects().map((m) => {
    const annotations: Record<string, string> = { ...(m.object.metadata.annotations ?? {}) };
    if (waves[m.file] !== undefined) annotations[WAVE] = waves[m.file];
    if (m.file === 'job-migrate.yaml') annotations['argocd.argoproj.io/hook'] = 'Sync';
    if (m.object.kind === 'Namespace') annotations['argocd.argoproj.io/sync-options'] = 'Prune=false,Delete=false';
    m.object.metadata.annotations = annotations;
    return m;
  });
}

function changed(file: string, change: (object: any) => void, objects = layered()): ManifestObject[] {
  const target = objects.find((m) => m.file === file);
  if (target === undefined) throw new Error(`fixture has no ${file}`);
  change(target.object);
  return objects;
}

const setWave = (wave: string) => (o: any) => (o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [WAVE]: wave });

/** The waves before issue 11: workloads 0 (no annotation), monitoring 1 after them. */
function todaysLayout(): ManifestObject[] {
  const objects = changed('rollout-web.yaml', setWave('0'));
  changed('horizontalpodautoscaler-web.yaml', setWave('0'), objects);
  changed('cronjob-backup.yaml', setWave('0'), objects);
  return changed('servicemonitor-web.yaml', setWave('1'), objects);
}

const isRollout = (t: SyncTask) => t.manifest.object.kind === 'Rollout';
/** A release mid-canary: the Rollout paused at a step; everything else healthy. */
const canaryPaused = (t: SyncTask): HealthStatus => (isRollout(t) ? 'Suspended' : 'Healthy');
/** A failed release: analysis failed, Argo Rollouts aborted; health.lua reports Degraded. */
const canaryAborted = (t: SyncTask, round: number): HealthStatus => (isRollout(t) ? (round < 3 ? 'Suspended' : 'Degraded') : 'Healthy');

describe('argocd rules on a valid, layered object set', () => {
  it('finds nothing', () => {
    expect(formatFindings(checkManifests(layered(), { only: ['argocd'] }))).toBe('');
  });
});

const cases: BrokenCase[] = [
  {
    name: 'monitoring in a wave after the Rollouts (the layout before issue 11)',
    objects: todaysLayout,
    check: 'argocd',
    rule: 'rollout-last-wave',
    file: 'rollout-web.yaml',
    message:
      'Rollout shop/web syncs in Sync wave 0, but the sync goes on after it (monitoring.coreos.com/ServiceMonitor/web in Sync wave 1)',
  },
  {
    name: 'a ServiceMonitor after the Rollout',
    objects: todaysLayout,
    check: 'argocd',
    rule: 'rollout-dependency-wave',
    file: 'servicemonitor-web.yaml',
    message: 'ServiceMonitor shop/web (monitoring of Rollout shop/web) syncs in Sync wave 1, not before the Rollout (Sync wave 0)',
  },
  {
    name: 'the canary Service in the Rollout wave',
    objects: () => changed('service-web-canary.yaml', setWave('1')),
    check: 'argocd',
    rule: 'rollout-dependency-wave',
    file: 'service-web-canary.yaml',
    message: 'canary Service of Rollout shop/web',
  },
  {
    name: 'the traffic-routed HTTPRoute in the Rollout wave',
    objects: () => changed('httproute-web.yaml', setWave('1')),
    check: 'argocd',
    rule: 'rollout-dependency-wave',
    file: 'httproute-web.yaml',
    message: 'traffic-routed HTTPRoute of Rollout shop/web',
  },
  {
    name: 'an AnalysisTemplate after the Rollout',
    objects: () => changed('analysistemplate-smoke.yaml', setWave('2')),
    check: 'argocd',
    rule: 'rollout-dependency-wave',
    file: 'analysistemplate-smoke.yaml',
    message: 'analysis template of Rollout shop/web',
  },
  {
    name: "the ExternalSecret producing the Rollout's Secret in its wave",
    objects: () => changed('externalsecret-web-secrets.yaml', setWave('1')),
    check: 'argocd',
    rule: 'rollout-dependency-wave',
    file: 'externalsecret-web-secrets.yaml',
    message: 'ExternalSecret producing Secret web-secrets',
  },
  {
    name: 'the ServiceAccount in the Rollout wave',
    objects: () => changed('serviceaccount-web.yaml', setWave('1')),
    check: 'argocd',
    rule: 'rollout-dependency-wave',
    file: 'serviceaccount-web.yaml',
    message: 'ServiceAccount of Rollout shop/web',
  },
  {
    name: 'a PostSync hook next to a Rollout',
    objects: () => changed('job-migrate.yaml', (o) => (o.metadata.annotations['argocd.argoproj.io/hook'] = 'PostSync')),
    check: 'argocd',
    rule: 'post-sync-hook',
    file: 'job-migrate.yaml',
    message: 'Job shop/migrate is a PostSync hook in an Application with Rollouts',
  },
  {
    name: 'a PostSync hook holds the Rollout wave',
    objects: () => changed('job-migrate.yaml', (o) => (o.metadata.annotations['argocd.argoproj.io/hook'] = 'PostSync')),
    check: 'argocd',
    rule: 'rollout-last-wave',
    file: 'rollout-web.yaml',
    message: 'PostSync hook batch/Job/migrate in PostSync wave -1',
  },
  {
    name: 'a Sync hook in the Rollout wave',
    objects: () => changed('job-migrate.yaml', setWave('1')),
    check: 'argocd',
    rule: 'rollout-last-wave',
    file: 'rollout-web.yaml',
    message: 'Sync hook batch/Job/migrate in Sync wave 1',
  },
  {
    name: 'a CronJob before the last wave (a failed backup would fail every release)',
    objects: () => changed('cronjob-backup.yaml', setWave('0')),
    check: 'argocd',
    rule: 'cronjob-wave',
    file: 'cronjob-backup.yaml',
    message: 'CronJob shop/backup syncs in Sync wave 0, before the last step (Sync wave 1): after a failed run Argo CD reports it Degraded',
  },
  {
    name: 'an object annotated PruneLast=true next to a Rollout',
    objects: () =>
      changed('cronjob-backup.yaml', (o) => (o.metadata.annotations = { 'argocd.argoproj.io/sync-options': 'PruneLast=true' })),
    check: 'argocd',
    rule: 'prune-last',
    file: 'cronjob-backup.yaml',
    message: "PruneLast=true puts its prune after the Rollouts' wave",
  },
  {
    name: 'an Application with PruneLast=true in a project that deploys Rollouts',
    objects: () => [
      {
        file: 'appproject.yaml',
        object: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'AppProject',
          metadata: { name: 'shop', namespace: 'argocd' },
          spec: { namespaceResourceWhitelist: [{ group: 'argoproj.io', kind: 'Rollout' }] },
        },
      },
      {
        file: 'application.yaml',
        object: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { name: 'shop', namespace: 'argocd' },
          spec: { project: 'shop', syncPolicy: { syncOptions: ['PruneLast=true'] } },
        },
      },
    ],
    check: 'argocd',
    rule: 'prune-last',
    file: 'application.yaml',
    message: 'syncOptions PruneLast=true moves every prune to a wave after the Rollouts',
  },
  {
    name: 'a Namespace Argo CD may prune and delete',
    objects: () => changed('namespace-shop.yaml', (o) => delete o.metadata.annotations['argocd.argoproj.io/sync-options']),
    check: 'argocd',
    rule: 'namespace-protected',
    file: 'namespace-shop.yaml',
    message: 'lacks Prune=false and Delete=false',
  },
  {
    name: 'a Namespace protected from pruning only',
    objects: () => changed('namespace-shop.yaml', (o) => (o.metadata.annotations['argocd.argoproj.io/sync-options'] = 'Prune=false')),
    check: 'argocd',
    rule: 'namespace-protected',
    file: 'namespace-shop.yaml',
    message: 'lacks Delete=false',
  },
  ...(
    [
      [
        'a window schedule that restricts day-of-month and day-of-week (ORed by robfig)',
        { schedule: '0 2 1-7 * 0' },
        'restricts both day-of-month and day-of-week',
      ],
      [
        'a window schedule robfig refuses (Sunday as 7)',
        { schedule: '0 2 * * 7' },
        'is not a cron Argo CD accepts: end of range (7) above maximum (6)',
      ],
      ['a window duration Go cannot parse', { duration: '2 hours' }, 'duration "2 hours" is not a Go duration'],
    ] as const
  ).map(([name, change, message]): BrokenCase => ({
    name,
    objects: () => [
      {
        file: 'appproject.yaml',
        object: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'AppProject',
          metadata: { name: 'shop', namespace: 'argocd' },
          spec: { syncWindows: [{ kind: 'allow', schedule: '0 2 * * 0', duration: '2h', applications: ['shop'], ...change }] },
        },
      },
    ],
    check: 'argocd',
    rule: 'sync-window',
    file: 'appproject.yaml',
    message,
  })),
];

describe('argocd rules fire on', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expectFinding(c);
  });

  it('accept the options in any order, with spaces (comma-separated, trimmed)', () => {
    const objects = changed(
      'namespace-shop.yaml',
      (o) => (o.metadata.annotations['argocd.argoproj.io/sync-options'] = 'Delete=false, Prune=false'),
    );
    expect(formatFindings(checkManifests(objects, { only: ['argocd'] }))).toBe('');
  });
});

describe("gitops-engine's sync loop, simulated", () => {
  it('orders the steps by phase, wave, kind and name', () => {
    const steps = syncTasksOf(layered()).map((t) => `${t.phase} ${t.wave} ${t.manifest.object.kind}/${t.manifest.object.metadata.name}`);
    expect(steps.slice(0, 5)).toEqual([
      'Sync -3 Namespace/shop',
      'Sync -2 ServiceAccount/web',
      'Sync -2 ConfigMap/web-config',
      'Sync -2 ExternalSecret/web-secrets',
      'Sync -1 Job/migrate',
    ]);
    expect(steps.slice(-3)).toEqual(['Sync 1 HorizontalPodAutoscaler/web', 'Sync 1 CronJob/backup', 'Sync 1 Rollout/web']);
  });

  describe('before issue 11 (monitoring in a wave after the Rollouts)', () => {
    it('a release keeps the operation Running for the whole canary', () => {
      const outcome = simulateSync(syncTasksOf(todaysLayout()), { health: canaryPaused });
      expect(outcome.phase).toBe('Running');
      expect(outcome.message).toBe('waiting for healthy state of argoproj.io/Rollout/web');
    });

    it('an aborted canary fails the sync (which Argo CD then retries)', () => {
      const outcome = simulateSync(syncTasksOf(todaysLayout()), { health: canaryAborted });
      expect(outcome.phase).toBe('Failed');
      expect(outcome.message).toBe('one or more synchronization tasks completed unsuccessfully');
    });
  });

  describe('with the Rollouts as the last wave', () => {
    it('a release ends its operation once the Rollout is applied, while the canary is still paused', () => {
      const outcome = simulateSync(syncTasksOf(layered()), { health: canaryPaused });
      expect(outcome).toMatchObject({ phase: 'Succeeded', message: 'successfully synced (all tasks run)' });
      expect(outcome.trace[outcome.trace.length - 1]).toBe(
        'applied Sync wave 1: autoscaling/HorizontalPodAutoscaler/web, batch/CronJob/backup, argoproj.io/Rollout/web',
      );
    });

    it('a failed release leaves the sync Succeeded (no retries); the app shows Degraded', () => {
      const outcome = simulateSync(syncTasksOf(layered()), { health: canaryAborted });
      expect(outcome.phase).toBe('Succeeded');
    });

    it('still waits for each earlier wave to be healthy (a Secret that never syncs holds the release)', () => {
      const secretMissing = (t: SyncTask): HealthStatus => (t.manifest.object.kind === 'ExternalSecret' ? 'Progressing' : canaryPaused(t));
      const outcome = simulateSync(syncTasksOf(layered()), { health: secretMissing });
      expect(outcome).toMatchObject({
        phase: 'Running',
        message: 'waiting for healthy state of external-secrets.io/ExternalSecret/web-secrets',
      });
    });

    it('a rollback during the canary is accepted and ends at once', () => {
      // The release: its operation has ended while the canary is paused at 10 %.
      const release = simulateSync(syncTasksOf(layered()), { health: canaryPaused });
      // argo-cd util/argo/argo.go SetAppOperation refuses a new sync ("another operation
      // is already in progress") only while app.operation is set, i.e. while the
      // operation is Running; a completed one is cleared (controller/appcontroller.go).
      const acceptsNewSync = release.phase !== 'Running';
      expect(acceptsNewSync).toBe(true);
      // The revert sync re-applies the old image to the Rollout mid-canary; Argo
      // Rollouts goes back to the stable ReplicaSet. The operation does not wait for it.
      const revert = simulateSync(syncTasksOf(layered()), { health: canaryPaused });
      expect(revert.phase).toBe('Succeeded');
    });

    it('PruneLast would make a release that deletes anything wait for the canary', () => {
      const pruned: ManifestObject[] = [
        {
          file: 'configmap-old.yaml',
          object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'old', namespace: 'shop', annotations: { [WAVE]: '-2' } } },
        },
      ];
      const withPruneLast = simulateSync(syncTasksOf(layered(), { pruned, pruneLast: true }), { health: canaryPaused });
      expect(withPruneLast).toMatchObject({ phase: 'Running', message: 'waiting for healthy state of argoproj.io/Rollout/web' });
      const without = simulateSync(syncTasksOf(layered(), { pruned }), { health: canaryPaused });
      expect(without.phase).toBe('Succeeded');
    });

    it('reverses prune waves: the last-created object is pruned first', () => {
      const live = (name: string, wave: string): ManifestObject => ({
        file: `${name}.yaml`,
        object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop', annotations: { [WAVE]: wave } } },
      });
      const prunes = syncTasksOf(layered(), { pruned: [live('early', '-2'), live('late', '0')] }).filter((t) => t.prune);
      expect(prunes.map((t) => `${t.manifest.object.metadata.name}@${t.wave}`)).toEqual(['late@-2', 'early@0']);
    });
  });
});

import { parseCron } from '../constructs/argocd/cron';
import { parseGoDuration } from './argocd-windows';
import { podTemplatesOf, describeObject, groupOf, nameOf, namespaceOf, type ManifestObject } from '../manifest';
import {
  annotationCsv,
  describeTask,
  simulateSync,
  SYNC_OPTIONS_ANNOTATION,
  syncTasksOf,
  type SyncPhase,
  type SyncTask,
} from './argocd-sync';
import { type Finding } from './types';

/**
 * How Argo CD will treat the objects when it syncs them (issue 11, points 4 and 9),
 * judged with a model of gitops-engine's sync loop (./argocd-sync.ts), not with schemas:
 *
 * - `rollout-last-wave`: a Rollout must be in the last step (phase and wave) of its
 *   Application's sync, with no hook in that step. Otherwise Argo CD waits for the
 *   Rollout to be Healthy before the next step, which during a canary (Progressing,
 *   Suspended) is the whole canary: the release's operation stays Running, a rollback
 *   sync is refused with "another operation is already in progress", and an aborted
 *   canary (Degraded) fails the operation, which is then retried (argo-cd#19422).
 * - `rollout-dependency-wave`: what a Rollout uses (Services, HTTPRoutes and their
 *   Gateway, ConfigMaps, Secrets and the ExternalSecrets behind them, its
 *   ServiceAccount, AnalysisTemplates) and every monitoring object (ServiceMonitor,
 *   PodMonitor, PrometheusRule) must be in an earlier wave, so it exists and is healthy
 *   before the first canary pod starts and the first analysis runs.
 * - `post-sync-hook`: an Application with a Rollout has no PostSync hook: a PostSync
 *   phase makes the Rollout's wave a non-final step.
 * - `prune-last`: `PruneLast=true` moves every prune to a wave after the last one, so a
 *   sync that deletes anything would wait for the Rollouts' whole canary as well.
 * - `cronjob-wave`: a CronJob is in the last step too. argo-cd's CronJob health.lua
 *   reports Degraded after a failed run; in an earlier step one failed backup fails the
 *   sync of every release (and its retries) until a run succeeds.
 * - `namespace-protected` (point 9): a Namespace carries `Prune=false` and
 *   `Delete=false`; otherwise deleting its file (or the Application, with cascade)
 *   deletes the namespace and everything in it.
 * - `sync-window` (point 5): an AppProject's window schedules parse as robfig/cron
 *   does and its durations as Go does (Argo CD otherwise rejects every sync of the
 *   project's apps: "invalid sync windows"), and no schedule restricts both
 *   day-of-month and day-of-week, which robfig ORs ("0 2 1-7 * 0" is days 1-7 AND every
 *   Sunday). The windows' meaning is walked minute by minute in
 *   test/gitops/sync-windows.test.ts.
 */
export function checkArgoCd(objects: readonly ManifestObject[]): Finding[] {
  return [
    ...rolloutWaveFindings(objects),
    ...pruneLastFindings(objects),
    ...objects.flatMap(namespaceFindings),
    ...objects.flatMap(syncWindowFindings),
  ];
}

const finding = (rule: string, file: string, message: string): Finding => ({ check: 'argocd', rule, file, message });

const isRollout = (object: any): boolean => object?.kind === 'Rollout' && groupOf(object.apiVersion) === 'argoproj.io';
const MONITORING_KINDS = ['ServiceMonitor', 'PodMonitor', 'PrometheusRule'];
const isMonitoring = (object: any): boolean => MONITORING_KINDS.includes(object?.kind) && groupOf(object?.apiVersion) === 'monitoring.coreos.com';

const PHASE_ORDER: Record<SyncPhase, number> = { PreSync: -1, Sync: 0, PostSync: 1, SyncFail: 2 };
const stepOf = (task: SyncTask): string => `${task.phase} wave ${task.wave}`;
const notBefore = (a: SyncTask, b: SyncTask): boolean =>
  PHASE_ORDER[a.phase] > PHASE_ORDER[b.phase] || (a.phase === b.phase && a.wave >= b.wave);

function rolloutWaveFindings(objects: readonly ManifestObject[]): Finding[] {
  const tasks = syncTasksOf(objects);
  const rollouts = tasks.filter((t) => !t.hook && isRollout(t.manifest.object));
  if (rollouts.length === 0) return [];
  const findings: Finding[] = [];

  // A release under way: every Rollout is mid-canary (paused at a step), everything else
  // is healthy, every hook succeeds. The operation must end once the Rollouts are applied.
  const outcome = simulateSync(tasks, { health: (t) => (isRollout(t.manifest.object) ? 'Suspended' : 'Healthy') });
  if (outcome.phase !== 'Succeeded') {
    const regular = tasks.filter((t) => t.phase !== 'SyncFail');
    for (const rollout of rollouts) {
      const after = regular.filter((t) => t !== rollout && (t.hook ? notBefore(t, rollout) : notBefore(t, rollout) && stepOf(t) !== stepOf(rollout)));
      if (after.length === 0) continue;
      findings.push(
        finding(
          'rollout-last-wave',
          rollout.manifest.file,
          `${describeObject(rollout.manifest.object)} syncs in ${stepOf(rollout)}, but the sync goes on after it (` +
            after.map((t) => `${t.hook ? `${t.phase} hook ` : ''}${describeTask(t)} in ${stepOf(t)}`).join(', ') +
            `), so Argo CD waits for the Rollout to be Healthy and the operation stays Running for the whole canary ` +
            `(simulated: "${outcome.message}"): a rollback sync is refused with "another operation is already in progress" ` +
            `and an aborted canary fails the sync, which is retried. Make the Rollouts the last wave, with no hook in or after it.`,
        ),
      );
    }
  }

  // A failed scheduled run (CronJob Degraded) must not fail a release's sync.
  const cronJobs = tasks.filter((t) => !t.hook && t.manifest.object?.kind === 'CronJob' && groupOf(t.manifest.object.apiVersion) === 'batch');
  if (cronJobs.length > 0) {
    const failedRun = simulateSync(tasks, { health: (t) => (cronJobs.includes(t) ? 'Degraded' : 'Healthy') });
    if (failedRun.phase !== 'Succeeded') {
      const last = tasks.filter((t) => t.phase !== 'SyncFail').at(-1) as SyncTask;
      for (const cronJob of cronJobs.filter((t) => stepOf(t) !== stepOf(last))) {
        findings.push(
          finding(
            'cronjob-wave',
            cronJob.manifest.file,
            `${describeObject(cronJob.manifest.object)} syncs in ${stepOf(cronJob)}, before the last step (${stepOf(last)}): after a failed run Argo CD reports it Degraded, ` +
              `and the sync of every release fails on it (simulated: "${failedRun.message}") until a run succeeds. Put CronJobs in the last wave.`,
          ),
        );
      }
    }
  }

  const byKey = new Map(tasks.filter((t) => !t.hook).map((t) => [keyOf(t.manifest.object), t]));
  for (const rollout of rollouts) {
    const reported = new Set<SyncTask>();
    for (const { key, why } of dependenciesOf(rollout.manifest.object, objects)) {
      const dependency = byKey.get(key);
      if (dependency === undefined || reported.has(dependency) || !notBefore(dependency, rollout)) continue;
      reported.add(dependency);
      findings.push(
        finding(
          'rollout-dependency-wave',
          dependency.manifest.file,
          `${describeObject(dependency.manifest.object)} (${why} of ${describeObject(rollout.manifest.object)}) syncs in ${stepOf(dependency)}, ` +
            `not before the Rollout (${stepOf(rollout)}): put it in an earlier wave, so Argo CD has applied it and seen it healthy before the canary starts.`,
        ),
      );
    }
  }

  for (const hook of tasks.filter((t) => t.hook && t.phase === 'PostSync')) {
    findings.push(
      finding(
        'post-sync-hook',
        hook.manifest.file,
        `${describeObject(hook.manifest.object)} is a PostSync hook in an Application with Rollouts: the PostSync phase comes after the ` +
          `Rollouts' wave, so Argo CD would wait for the whole canary before running it, holding the sync operation. ` +
          `Run post-release checks as a Rollout step (analysis) instead.`,
      ),
    );
  }
  return findings;
}

function keyOf(object: any): string {
  return `${groupOf(object?.apiVersion)}/${object?.kind}/${namespaceOf(object)}/${nameOf(object)}`;
}

/** What a Rollout uses, by the keys of the objects in this set, with the reason. */
function dependenciesOf(rollout: any, objects: readonly ManifestObject[]): { key: string; why: string }[] {
  const namespace = namespaceOf(rollout);
  const deps: { key: string; why: string }[] = [];
  const add = (group: string, kind: string, name: unknown, why: string, ns: string = namespace) => {
    if (typeof name === 'string' && name !== '') deps.push({ key: `${group}/${kind}/${ns}/${name}`, why });
  };
  const strategy = rollout.spec?.strategy ?? {};
  add('', 'Service', strategy.canary?.stableService, 'stable Service');
  add('', 'Service', strategy.canary?.canaryService, 'canary Service');
  add('', 'Service', strategy.blueGreen?.activeService, 'active Service');
  add('', 'Service', strategy.blueGreen?.previewService, 'preview Service');

  const analyses = [
    strategy.canary?.analysis,
    ...(strategy.canary?.steps ?? []).map((step: any) => step?.analysis),
    strategy.blueGreen?.prePromotionAnalysis,
    strategy.blueGreen?.postPromotionAnalysis,
  ].filter((a) => a !== undefined && a !== null);
  for (const analysis of analyses) {
    for (const ref of analysis.templates ?? []) {
      if (ref?.clusterScope) add('argoproj.io', 'ClusterAnalysisTemplate', ref?.templateName, 'analysis template', '');
      else add('argoproj.io', 'AnalysisTemplate', ref?.templateName, 'analysis template');
    }
  }

  const plugin = strategy.canary?.trafficRouting?.plugins?.['argoproj-labs/gatewayAPI'];
  if (plugin !== undefined) {
    const routeNamespace = plugin.namespace ?? namespace;
    const routes = [plugin.httpRoute, ...(plugin.httpRoutes ?? []).map((r: any) => r?.name)].filter((r) => typeof r === 'string');
    for (const routeName of routes) {
      add('gateway.networking.k8s.io', 'HTTPRoute', routeName, 'traffic-routed HTTPRoute', routeNamespace);
      const route = objects.find((m) => m.object?.kind === 'HTTPRoute' && nameOf(m.object) === routeName && namespaceOf(m.object) === routeNamespace);
      for (const parent of route?.object.spec?.parentRefs ?? []) {
        if ((parent?.kind ?? 'Gateway') === 'Gateway') add('gateway.networking.k8s.io', 'Gateway', parent?.name, `Gateway of HTTPRoute ${routeName}`, parent?.namespace ?? routeNamespace);
      }
    }
  }

  const producers = new Map<string, string>();
  for (const { object } of objects) {
    if (object?.kind === 'ExternalSecret' && groupOf(object.apiVersion) === 'external-secrets.io') {
      producers.set(`${namespaceOf(object)}/${object.spec?.target?.name ?? nameOf(object)}`, nameOf(object));
    }
  }
  const secret = (name: unknown) => {
    add('', 'Secret', name, 'Secret');
    const producer = producers.get(`${namespace}/${String(name)}`);
    if (producer !== undefined) add('external-secrets.io', 'ExternalSecret', producer, `ExternalSecret producing Secret ${String(name)}`);
  };
  for (const pod of podTemplatesOf({ file: '', object: rollout })) {
    add('', 'ServiceAccount', pod.spec.serviceAccountName ?? pod.spec.serviceAccount, 'ServiceAccount');
    for (const container of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) {
      for (const env of container?.env ?? []) {
        if (env?.valueFrom?.secretKeyRef) secret(env.valueFrom.secretKeyRef.name);
        if (env?.valueFrom?.configMapKeyRef) add('', 'ConfigMap', env.valueFrom.configMapKeyRef.name, 'ConfigMap');
      }
      for (const source of container?.envFrom ?? []) {
        if (source?.secretRef) secret(source.secretRef.name);
        if (source?.configMapRef) add('', 'ConfigMap', source.configMapRef.name, 'ConfigMap');
      }
    }
    for (const volume of pod.spec.volumes ?? []) {
      if (volume?.secret) secret(volume.secret.secretName);
      if (volume?.configMap) add('', 'ConfigMap', volume.configMap.name, 'ConfigMap');
      for (const source of volume?.projected?.sources ?? []) {
        if (source?.secret) secret(source.secret.name);
        if (source?.configMap) add('', 'ConfigMap', source.configMap.name, 'ConfigMap');
      }
    }
  }

  // Monitoring: the canary's metrics must be scraped, and its alerts loaded, from the first step.
  for (const { object } of objects) if (isMonitoring(object)) deps.push({ key: keyOf(object), why: 'monitoring' });
  return deps;
}

/**
 * `PruneLast=true` on an Application whose project may deploy Rollouts, or on an object
 * next to a Rollout: every such prune goes to a wave after the last one
 * (gitops-engine getSyncTasks), so the Rollouts' wave stops being the last.
 */
function pruneLastFindings(objects: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
  if (objects.some((m) => isRollout(m.object))) {
    for (const { file, object } of objects) {
      if (annotationCsv(object, SYNC_OPTIONS_ANNOTATION).includes('PruneLast=true')) {
        findings.push(finding('prune-last', file, `${describeObject(object)}: PruneLast=true puts its prune after the Rollouts' wave, so a sync that removes it waits for the whole canary`));
      }
    }
  }
  const rolloutProjects = new Set(
    objects
      .filter((m) => m.object?.kind === 'AppProject' && groupOf(m.object.apiVersion) === 'argoproj.io')
      .filter((m) =>
        (m.object.spec?.namespaceResourceWhitelist ?? []).some(
          (gk: any) => (gk?.group === 'argoproj.io' || gk?.group === '*') && (gk?.kind === 'Rollout' || gk?.kind === '*'),
        ),
      )
      .map((m) => nameOf(m.object)),
  );
  for (const { file, object } of objects) {
    if (object?.kind !== 'Application' || groupOf(object.apiVersion) !== 'argoproj.io') continue;
    const options: unknown[] = object.spec?.syncPolicy?.syncOptions ?? [];
    if (rolloutProjects.has(object.spec?.project) && options.includes('PruneLast=true')) {
      findings.push(
        finding(
          'prune-last',
          file,
          `${describeObject(object)}: syncOptions PruneLast=true moves every prune to a wave after the Rollouts (project ${object.spec.project} deploys Rollouts), ` +
            `so any release that deletes an object keeps the sync operation Running for the whole canary`,
        ),
      );
    }
  }
  return findings;
}

function namespaceFindings({ file, object }: ManifestObject): Finding[] {
  if (object?.kind !== 'Namespace' || groupOf(object.apiVersion) !== '') return [];
  const options = annotationCsv(object, SYNC_OPTIONS_ANNOTATION);
  const missing = ['Prune=false', 'Delete=false'].filter((option) => !options.includes(option));
  return missing.length === 0
    ? []
    : [
        finding(
          'namespace-protected',
          file,
          `${describeObject(object)}: annotation ${SYNC_OPTIONS_ANNOTATION} lacks ${missing.join(' and ')}; without it, deleting the Namespace's file ` +
            `(Prune) or the Application with cascade (Delete) deletes the namespace and every object in it`,
        ),
      ];
}

function syncWindowFindings({ file, object }: ManifestObject): Finding[] {
  if (object?.kind !== 'AppProject' || groupOf(object.apiVersion) !== 'argoproj.io') return [];
  const findings: Finding[] = [];
  (object.spec?.syncWindows ?? []).forEach((window: any, i: number) => {
    const where = `${describeObject(object)}: spec.syncWindows[${i}]`;
    try {
      const cron = parseCron(String(window?.schedule ?? ''));
      if (!cron.dayOfMonth.star && !cron.dayOfWeek.star) {
        findings.push(
          finding(
            'sync-window',
            file,
            `${where} schedule "${window.schedule}" restricts both day-of-month and day-of-week, which robfig/cron ORs: it opens on every listed day of the month AND on every listed weekday. ` +
              'Narrow an every-weekday allow window with a deny window on the other days of the month instead.',
          ),
        );
      }
    } catch (err) {
      findings.push(finding('sync-window', file, `${where} schedule "${window?.schedule}" is not a cron Argo CD accepts: ${(err as Error).message}`));
    }
    try {
      parseGoDuration(String(window?.duration ?? ''));
    } catch {
      findings.push(finding('sync-window', file, `${where} duration "${window?.duration}" is not a Go duration such as "2h" or "1h30m"`));
    }
  });
  return findings;
}

import { parseCron } from '../constructs/argocd/cron';
import { parseGoDuration } from './argocd-windows';
import { dependenciesOf, keyOf } from './argocd-dependencies';
import { describeObject, groupOf, nameOf, type ManifestObject } from '../manifest';
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

const PHASE_ORDER: Record<SyncPhase, number> = { PreSync: -1, Sync: 0, PostSync: 1, SyncFail: 2 };
const stepOf = (task: SyncTask): string => `${task.phase} wave ${task.wave}`;
const notBefore = (a: SyncTask, b: SyncTask): boolean =>
  PHASE_ORDER[a.phase] > PHASE_ORDER[b.phase] || (a.phase === b.phase && a.wave >= b.wave);

function rolloutWaveFindings(objects: readonly ManifestObject[]): Finding[] {
  const tasks = syncTasksOf(objects);
  const rollouts = tasks.filter((t) => !t.hook && isRollout(t.manifest.object));
  if (rollouts.length === 0) return [];
  return [
    ...lastWaveFindings(tasks, rollouts),
    ...cronJobWaveFindings(tasks),
    ...dependencyWaveFindings(tasks, rollouts, objects),
    ...postSyncHookFindings(tasks),
  ];
}

/**
 * A release under way: every Rollout is mid-canary (paused at a step), everything else
 * is healthy, every hook succeeds. The operation must end once the Rollouts are applied.
 */
function lastWaveFindings(tasks: readonly SyncTask[], rollouts: readonly SyncTask[]): Finding[] {
  const outcome = simulateSync(tasks, { health: (t) => (isRollout(t.manifest.object) ? 'Suspended' : 'Healthy') });
  if (outcome.phase === 'Succeeded') return [];
  const findings: Finding[] = [];
  const regular = tasks.filter((t) => t.phase !== 'SyncFail');
  for (const rollout of rollouts) {
    const after = regular.filter(
      (t) => t !== rollout && (t.hook ? notBefore(t, rollout) : notBefore(t, rollout) && stepOf(t) !== stepOf(rollout)),
    );
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
  return findings;
}

/** A failed scheduled run (CronJob Degraded) must not fail a release's sync. */
function cronJobWaveFindings(tasks: readonly SyncTask[]): Finding[] {
  const cronJobs = tasks.filter(
    (t) => !t.hook && t.manifest.object?.kind === 'CronJob' && groupOf(t.manifest.object.apiVersion) === 'batch',
  );
  if (cronJobs.length === 0) return [];
  const failedRun = simulateSync(tasks, { health: (t) => (cronJobs.includes(t) ? 'Degraded' : 'Healthy') });
  if (failedRun.phase === 'Succeeded') return [];
  const last = tasks.filter((t) => t.phase !== 'SyncFail').at(-1) as SyncTask;
  return cronJobs
    .filter((t) => stepOf(t) !== stepOf(last))
    .map((cronJob) =>
      finding(
        'cronjob-wave',
        cronJob.manifest.file,
        `${describeObject(cronJob.manifest.object)} syncs in ${stepOf(cronJob)}, before the last step (${stepOf(last)}): after a failed run Argo CD reports it Degraded, ` +
          `and the sync of every release fails on it (simulated: "${failedRun.message}") until a run succeeds. Put CronJobs in the last wave.`,
      ),
    );
}

function dependencyWaveFindings(tasks: readonly SyncTask[], rollouts: readonly SyncTask[], objects: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
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
  return findings;
}

function postSyncHookFindings(tasks: readonly SyncTask[]): Finding[] {
  return tasks
    .filter((t) => t.hook && t.phase === 'PostSync')
    .map((hook) =>
      finding(
        'post-sync-hook',
        hook.manifest.file,
        `${describeObject(hook.manifest.object)} is a PostSync hook in an Application with Rollouts: the PostSync phase comes after the ` +
          `Rollouts' wave, so Argo CD would wait for the whole canary before running it, holding the sync operation. ` +
          `Run post-release checks as a Rollout step (analysis) instead.`,
      ),
    );
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
        findings.push(
          finding(
            'prune-last',
            file,
            `${describeObject(object)}: PruneLast=true puts its prune after the Rollouts' wave, so a sync that removes it waits for the whole canary`,
          ),
        );
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
      findings.push(
        finding('sync-window', file, `${where} schedule "${window?.schedule}" is not a cron Argo CD accepts: ${(err as Error).message}`),
      );
    }
    try {
      parseGoDuration(String(window?.duration ?? ''));
    } catch {
      findings.push(finding('sync-window', file, `${where} duration "${window?.duration}" is not a Go duration such as "2h" or "1h30m"`));
    }
  });
  return findings;
}

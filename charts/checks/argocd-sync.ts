/**
 * A small, faithful model of how Argo CD runs one sync operation: which objects it
 * applies in which step, when it waits for health, and when the operation ends.
 *
 * Source: argoproj/gitops-engine at 5baed5604d2dd970619fc9b91e8d31724662ab3e
 *   pkg/sync/sync_context.go  Sync() (lines ~460-610), getSyncTasks() (prune wave
 *                             swap and PruneLast, ~910-960), runTasks, operationPhases
 *   pkg/sync/sync_tasks.go    Less() (phase, wave, kind order, name), adjustDeps(),
 *                             multiStep(), lastPhase(), lastWave()
 *   pkg/sync/sync_phase.go    syncPhases(): a hook runs in each phase it names
 *   pkg/sync/syncwaves/waves.go  Wave(): strconv.Atoi of the annotation, else 0
 *   pkg/sync/hook/hook.go     Types()/Skip(): comma-separated hook annotation
 * and argoproj/argo-cd at 37ee0097 controller/appcontroller.go (retries of a Failed
 * operation) and util/argo/argo.go SetAppOperation ("another operation is already in
 * progress" while app.operation is set).
 *
 * What matters for Rollouts, in gitops-engine's words and ours:
 * - After each step, every applied non-hook object stays "running" until its health is
 *   Healthy (or it has no health); Degraded fails it. While the sync is multi-step
 *   (more than one phase or wave) nothing else is applied, and the operation stays
 *   Running, until no task is running.
 * - But when the step just applied is the last one and nothing but non-hooks was in it,
 *   the operation is Succeeded at once, "EVEN if those objects subsequently degraded".
 * So a Rollout in the last step never holds the operation; in any earlier step it holds
 * it for the whole canary (health Progressing/Suspended, argo-cd
 * resource_customizations/argoproj.io/Rollout/health.lua) and fails it on an abort.
 *
 * Left out, on purpose: dry-run, namespace auto-creation, applyOutOfSyncOnly, the 2 s
 * delay between waves, pruning confirmation. None of them changes when the operation
 * ends for this repository's output.
 */
import { groupOf, nameOf, type ManifestObject } from '../manifest';

export type SyncPhase = 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail';
/** Argo CD health (gitops-engine pkg/health); `undefined` means the kind has no health check. */
export type HealthStatus = 'Healthy' | 'Progressing' | 'Suspended' | 'Degraded' | 'Missing' | 'Unknown' | undefined;
/** gitops-engine common.OperationPhase, for a task and for the whole operation. */
export type OperationPhase = '' | 'Running' | 'Succeeded' | 'Failed';

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';
export const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';

/** One thing the sync does to one object: apply it (or run it as a hook), or prune it. */
export interface SyncTask {
  readonly manifest: ManifestObject;
  phase: SyncPhase;
  /** gitops-engine syncTask.wave(), after prune reordering and adjustDeps. */
  wave: number;
  readonly hook: boolean;
  readonly prune: boolean;
}

// sync_tasks.go syncPhaseOrder
const PHASE_ORDER: Record<SyncPhase, number> = { PreSync: -1, Sync: 0, PostSync: 1, SyncFail: 2 };

// sync_tasks.go kindOrder (from Helm's kind sorter); kinds not listed sort as 0, after all of them.
const KIND_ORDER_LIST = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
];
const KIND_ORDER = new Map(KIND_ORDER_LIST.map((kind, i) => [kind, i - KIND_ORDER_LIST.length]));

/** Values of a comma-separated Argo CD annotation, trimmed (resource/annotations.go GetAnnotationCSVs). */
export function annotationCsv(object: unknown, key: string): string[] {
  const value = (object as { metadata?: { annotations?: Record<string, unknown> } })?.metadata?.annotations?.[key];
  return typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '')
    : [];
}

/** syncwaves.Wave(): the annotation if strconv.Atoi accepts it, else 0 (no Helm weights here). */
export function waveOf(object: unknown): number {
  const text = (object as { metadata?: { annotations?: Record<string, unknown> } })?.metadata?.annotations?.[SYNC_WAVE_ANNOTATION];
  return typeof text === 'string' && /^[+-]?[0-9]+$/.test(text) ? Number.parseInt(text, 10) : 0;
}

/** sync_phase.go syncPhases(): [] for `Skip`, each named phase for a hook, else [Sync]. */
export function syncPhasesOf(object: unknown): { hook: boolean; phases: SyncPhase[] } {
  const types = annotationCsv(object, HOOK_ANNOTATION);
  if (types.length === 0) return { hook: false, phases: ['Sync'] };
  if (types.includes('Skip') && types.length === 1) return { hook: false, phases: [] };
  const phases = (['PreSync', 'Sync', 'PostSync', 'SyncFail'] as const).filter((p) => types.includes(p));
  return { hook: true, phases: [...phases] };
}

export interface SyncTaskOptions {
  /** Live objects git no longer has: Argo CD prunes them in this sync. */
  readonly pruned?: readonly ManifestObject[];
  /** The Application's `PruneLast=true` sync option. */
  readonly pruneLast?: boolean;
}

/** getSyncTasks(): one task per object and phase, prune waves reordered, then sorted. */
export function syncTasksOf(objects: readonly ManifestObject[], options: SyncTaskOptions = {}): SyncTask[] {
  const tasks: SyncTask[] = [];
  for (const manifest of objects) {
    const { hook, phases } = syncPhasesOf(manifest.object);
    for (const phase of phases) tasks.push({ manifest, phase, wave: waveOf(manifest.object), hook, prune: false });
  }
  const prunes: SyncTask[] = (options.pruned ?? []).map((manifest) => ({
    manifest,
    phase: 'Sync',
    wave: waveOf(manifest.object),
    hook: false,
    prune: true,
  }));

  // "for prune tasks, modify the waves for proper cleanup i.e reverse of sync wave": a
  // symmetric swap of the distinct prune waves.
  const pruneWaves = [...new Set(prunes.map((t) => t.wave))].sort((a, b) => a - b);
  const swapped = new Map(pruneWaves.map((wave, i) => [wave, pruneWaves[pruneWaves.length - 1 - i]]));
  for (const task of prunes) task.wave = swapped.get(task.wave) as number;
  tasks.push(...prunes);

  // "for pruneLast tasks, modify the wave to sync phase last wave of tasks + 1" (the
  // maximum starts at 0, as in the Go code), per Application or per object annotation.
  const syncPhaseLastWave = Math.max(0, ...tasks.filter((t) => t.phase === 'Sync').map((t) => t.wave)) + 1;
  for (const task of prunes) {
    if (options.pruneLast || annotationCsv(task.manifest.object, SYNC_OPTIONS_ANNOTATION).includes('PruneLast=true')) {
      task.wave = syncPhaseLastWave;
    }
  }
  return sortTasks(tasks);
}

function compareTasks(a: SyncTask, b: SyncTask): number {
  const phase = PHASE_ORDER[a.phase] - PHASE_ORDER[b.phase];
  if (phase !== 0) return phase;
  if (a.wave !== b.wave) return a.wave - b.wave;
  const kind = (KIND_ORDER.get(a.manifest.object?.kind) ?? 0) - (KIND_ORDER.get(b.manifest.object?.kind) ?? 0);
  if (kind !== 0) return kind;
  const [nameA, nameB] = [nameOf(a.manifest.object), nameOf(b.manifest.object)];
  return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
}

/** syncTasks.Sort(): Less(), then a Namespace moves up to (and into the step of) its first namespaced object. */
function sortTasks(tasks: SyncTask[]): SyncTask[] {
  const sorted = [...tasks].sort(compareTasks);
  const firstIndex = new Map<string, number>();
  for (let i = 0; i < sorted.length; i++) {
    const task = sorted[i];
    if (task.prune) continue; // adjustDeps skips tasks without a target object
    const object = task.manifest.object;
    if (object?.kind === 'Namespace' && groupOf(object.apiVersion) === '') {
      const index = firstIndex.get(nameOf(object));
      if (index !== undefined) {
        task.wave = sorted[index].wave;
        task.phase = sorted[index].phase;
        sorted.splice(i, 1);
        sorted.splice(index, 0, task);
        for (const [ns, first] of firstIndex) if (first >= index) firstIndex.set(ns, first + 1);
      }
    } else {
      const namespace = object?.metadata?.namespace;
      if (typeof namespace === 'string' && namespace !== '' && !firstIndex.has(namespace)) firstIndex.set(namespace, i);
    }
  }
  return sorted;
}

export function describeTask(task: SyncTask): string {
  const object = task.manifest.object;
  return `${groupOf(object?.apiVersion)}/${object?.kind}/${nameOf(object)}`;
}

export interface SyncOutcome {
  /** Where the operation stands after the simulated reconciliations. */
  readonly phase: 'Running' | 'Succeeded' | 'Failed';
  /** The operation message Argo CD would show, e.g. "waiting for healthy state of argoproj.io/Rollout/api". */
  readonly message: string;
  /** Each reconciliation: the (phase, wave) applied or the message while waiting. */
  readonly trace: readonly string[];
}

export interface SimulationOptions {
  /** Health of an applied non-hook object at a given reconciliation. */
  readonly health: (task: SyncTask, round: number) => HealthStatus;
  /** Outcome of a running hook (Job); it succeeds by default. */
  readonly hook?: (task: SyncTask, round: number) => 'Running' | 'Succeeded' | 'Failed';
  /** Reconciliations to simulate; the controller re-runs Sync() every few seconds. @default 50 */
  readonly rounds?: number;
}

/**
 * Runs gitops-engine's Sync() loop over the tasks: each round is one call of Sync() by
 * the application controller. Stops when the operation completes.
 */
export function simulateSync(input: readonly SyncTask[], options: SimulationOptions): SyncOutcome {
  const tasks = input.map((task): { task: SyncTask; state: OperationPhase } => ({ task, state: '' }));
  const trace: string[] = [];
  const first = input[0];
  const last = input[input.length - 1];
  // multiStep() is computed over every task, SyncFail ones included.
  const multiStep = input.length > 0 && (first.wave !== last.wave || first.phase !== last.phase);
  const running = (message: string): SyncOutcome => ({ phase: 'Running', message, trace });

  for (let round = 0; round < (options.rounds ?? 50); round++) {
    // "update status of any tasks that are running" (pruned tasks are never running).
    for (const entry of tasks.filter((e) => e.state === 'Running')) {
      if (entry.task.hook) entry.state = options.hook ? options.hook(entry.task, round) : 'Succeeded';
      else {
        const health = options.health(entry.task, round);
        if (health === undefined || health === 'Healthy') entry.state = 'Succeeded';
        else if (health === 'Degraded') entry.state = 'Failed';
      }
    }
    // "if (a) we are multi-step and we have any running tasks, or (b) there are any running hooks, then wait..."
    const waiting = tasks.filter((e) => (multiStep || e.task.hook) && e.state === 'Running');
    if (waiting.length > 0) {
      const head = waiting[0].task;
      const what = head.hook ? 'completion of hook' : 'healthy state of';
      const more = waiting.length > 1 ? ` and ${waiting.length - 1} more ${head.hook ? 'hooks' : 'resources'}` : '';
      trace.push(`waiting for ${what} ${describeTask(head)}${more}`);
      continue;
    }
    // SyncFail tasks run only on failure; they are split off before judging the rest.
    const regular = tasks.filter((e) => e.task.phase !== 'SyncFail');
    if (regular.some((e) => e.state === 'Failed')) {
      trace.push('failed');
      return { phase: 'Failed', message: 'one or more synchronization tasks completed unsuccessfully', trace };
    }
    const pending = regular.filter((e) => e.state === '');
    if (pending.length === 0) return { phase: 'Succeeded', message: 'successfully synced (no more tasks)', trace };
    const { phase, wave } = pending[0].task;
    const remaining = pending.filter((e) => e.task.phase !== phase || e.task.wave !== wave || e.task.hook);
    const step = pending.filter((e) => e.task.phase === phase && e.task.wave === wave);
    // runTasks(): a prune is Pruned → Succeeded at once; an apply is Synced → Running (operationPhases).
    for (const entry of step) entry.state = entry.task.prune ? 'Succeeded' : 'Running';
    trace.push(`applied ${phase} wave ${wave}: ${step.map((e) => `${e.task.prune ? 'prune ' : ''}${describeTask(e.task)}`).join(', ')}`);
    // "if it is the last phase/wave and the only remaining tasks are non-hooks, then we are
    // successful EVEN if those objects subsequently degraded"
    if (remaining.length === 0) return { phase: 'Succeeded', message: 'successfully synced (all tasks run)', trace };
  }
  return running(trace[trace.length - 1] ?? '');
}

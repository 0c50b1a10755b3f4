import { podTemplatesOf, type PodTemplate, describeObject, groupOf, nameOf, namespaceOf, type ManifestObject } from '../manifest';
import { type Finding } from './types';

/**
 * Least privilege for secrets (issue 11, point 10): a Secret belongs to one kind of
 * workload. The api's runtime Secret (read by its Rollout) carries the session key,
 * payment and API tokens; a Job, CronJob or analysis Job has no business with them, and
 * a second reader of a Secret is a second place a key leaks from and a second thing to
 * restart on rotation. So:
 *
 * - `job-reads-runtime-secret`: a run-to-completion pod (Job, CronJob, analysis Job)
 *   reads a Secret that a long-running workload (Rollout, Deployment, ...) also reads;
 * - `secret-shared`: the Secret an ExternalSecret writes is read by workloads of more
 *   than one kind (e.g. a Rollout and a Job);
 * - `secret-unused`: nothing reads it (an image pull secret is read by ServiceAccounts
 *   and pods through `imagePullSecrets`, never as data, and is exempt).
 *
 * - `secret-reload`: a long-running workload that reads Secrets must carry Reloader's
 *   `secret.reloader.stakater.com/reload` naming exactly those Secrets (and, for a
 *   Rollout, `reloader.stakater.com/rollout-strategy: restart`), or a rotated value never
 *   reaches its running pods (env vars are read once, at container start). Jobs and
 *   CronJobs are exempt: each run starts new pods that read the current Secret, and
 *   Reloader would start a CronJob's job out of schedule.
 *
 * "Reads" means what the kubelet resolves into the container: env `secretKeyRef`,
 * `envFrom.secretRef`, `secret` and projected `secret` volumes.
 */
/** Secrets the notifications controllers read by name (charts/constructs/notifications). */
const CONTROLLER_READ_SECRETS = new Set(['argocd-notifications-secret', 'argo-rollouts-notification-secret']);

export function checkSecretConsumers(objects: readonly ManifestObject[]): Finding[] {
  const readers = secretReaders(objects);
  const findings: Finding[] = [];
  for (const [key, pods] of readers) {
    const longRunning = pods.filter((p) => p.longRunning);
    if (longRunning.length === 0) continue;
    for (const job of pods.filter((p) => !p.longRunning)) {
      findings.push({
        check: 'policy',
        rule: 'job-reads-runtime-secret',
        file: job.manifest.file,
        message:
          `${job.where}: reads Secret "${key.split('/')[1]}", the runtime Secret of ${describeObject(longRunning[0].manifest.object)}; ` +
          'give the job a Secret of its own with only the keys it needs',
      });
    }
  }
  findings.push(...reloadFindings(objects));
  for (const { file, object } of objects) {
    if (object?.kind !== 'ExternalSecret' || groupOf(object.apiVersion) !== 'external-secrets.io') continue;
    const target = object.spec?.target?.name ?? nameOf(object);
    if (object.spec?.target?.template?.type === 'kubernetes.io/dockerconfigjson') continue;
    // Read by a controller, by this fixed name, not by a pod (argo-rollouts utils/record/record.go
    // NotificationSecret; Argo CD's notifications controller, argocd-notifications-secret).
    if (CONTROLLER_READ_SECRETS.has(target)) continue;
    const pods = readers.get(`${namespaceOf(object)}/${target}`) ?? [];
    const kinds = [...new Set(pods.map((p) => String(p.manifest.object?.kind)))].sort();
    if (kinds.length === 0) {
      findings.push({
        check: 'policy',
        rule: 'secret-unused',
        file,
        message: `${describeObject(object)}: no workload reads Secret "${target}"`,
      });
    } else if (kinds.length > 1) {
      const who = [...new Set(pods.map((p) => describeObject(p.manifest.object)))].join(', ');
      findings.push({
        check: 'policy',
        rule: 'secret-shared',
        file,
        message: `${describeObject(object)}: Secret "${target}" is read by ${kinds.join(' and ')} workloads (${who}); each ExternalSecret serves exactly one workload kind`,
      });
    }
  }
  return findings;
}

export const RELOAD_ANNOTATION = 'secret.reloader.stakater.com/reload';
export const ROLLOUT_STRATEGY_ANNOTATION = 'reloader.stakater.com/rollout-strategy';

function reloadFindings(objects: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const pod of objects.flatMap(podTemplatesOf).filter((p) => p.longRunning)) {
    const reads = secretsReadBy(pod);
    if (reads.length === 0) continue;
    const annotations = pod.manifest.object?.metadata?.annotations ?? {};
    const named = String(annotations[RELOAD_ANNOTATION] ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean)
      .sort();
    const fail = (message: string) =>
      findings.push({
        check: 'policy',
        rule: 'secret-reload',
        file: pod.manifest.file,
        message: `${describeObject(pod.manifest.object)}: ${message}`,
      });
    if (named.join(',') !== reads.join(',')) {
      fail(
        `reads Secret(s) ${reads.join(', ')} but annotation ${RELOAD_ANNOTATION} is ${named.length > 0 ? `"${named.join(',')}"` : 'missing'}; ` +
          'a rotated Secret would never reach the running pods',
      );
    }
    if (pod.manifest.object?.kind === 'Rollout' && annotations[ROLLOUT_STRATEGY_ANNOTATION] !== 'restart') {
      fail(
        `must set ${ROLLOUT_STRATEGY_ANNOTATION}: restart, so Reloader sets spec.restartAt instead of changing the pod template (a new canary, and drift against git)`,
      );
    }
  }
  return findings;
}

/** `namespace/secret` → the pod templates that read it. */
function secretReaders(objects: readonly ManifestObject[]): Map<string, PodTemplate[]> {
  const readers = new Map<string, PodTemplate[]>();
  for (const pod of objects.flatMap(podTemplatesOf)) {
    for (const name of secretsReadBy(pod)) {
      const key = `${pod.namespace}/${name}`;
      const list = readers.get(key) ?? [];
      if (!list.includes(pod)) list.push(pod);
      readers.set(key, list);
    }
  }
  return readers;
}

/** Names of the Secrets a pod template reads as data (not `imagePullSecrets`). */
export function secretsReadBy(pod: PodTemplate): string[] {
  const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);
  const names = new Set<string>();
  const add = (name: unknown) => typeof name === 'string' && name !== '' && names.add(name);
  for (const container of [...list(pod.spec.initContainers), ...list(pod.spec.containers)]) {
    for (const env of list(container?.env)) add(env?.valueFrom?.secretKeyRef?.name);
    for (const source of list(container?.envFrom)) add(source?.secretRef?.name);
  }
  for (const volume of list(pod.spec.volumes)) {
    add(volume?.secret?.secretName);
    for (const source of list(volume?.projected?.sources)) add(source?.secret?.name);
  }
  return [...names].sort();
}

/**
 * Labels and ports shared by the constructs (docs/contracts.md, "Kubernetes object
 * names" and "Process and image"). Kept in one place so a selector and the pods it
 * selects cannot drift apart.
 */
export const APP_NAME = 'course-companion';

/**
 * The ports each role listens on; the metrics port is never routed by the gateway.
 * The app's own constants (app/src/contract.ts), so the pods and their probes,
 * Services and NetworkPolicies cannot disagree with what the app listens on.
 */
export { METRICS_PORT, ROLE_PORTS } from '../../app/src/contract';
export const HTTP_PORT_NAME = 'http';
export const METRICS_PORT_NAME = 'metrics';

/** UID and GID baked into the image (app/Dockerfile). */
export const APP_UID = 10001;

/** Labels every pod of a component carries; selectors use exactly these. */
export function componentLabels(component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': APP_NAME,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': APP_NAME,
  };
}

/**
 * Argo CD sync waves of an environment's objects. Argo CD applies one wave, waits until
 * everything in it is Healthy, then applies the next (gitops-engine
 * pkg/sync/sync_context.go, Sync(), at 5baed560). The one exception is the last wave:
 * once it is applied the operation is Succeeded at once, "EVEN if those objects
 * subsequently degraded". So the Rollouts, and only they (with the HPAs that scale
 * them), are the last wave: a canary (Progressing, then Suspended at each pause) never
 * holds the release's sync operation open, a rollback sync is accepted at any moment,
 * and an aborted canary shows as a Degraded app, not a failed, retried sync (issue 11,
 * point 4; the rule `argocd/rollout-last-wave` in charts/checks/argocd.ts keeps it so).
 *
 * - namespace (-3): the Namespace.
 * - config (-2): ExternalSecrets, ConfigMaps, ServiceAccounts, the Certificate: Healthy
 *   only once the Secret or certificate exists.
 * - migration (-1): the migration Job, a Sync hook, after the database Secret exists
 *   (even on the first sync of a new namespace).
 * - supporting (0, the default of objects without the annotation): Services, the
 *   Gateway and HTTPRoutes, AnalysisTemplates, NetworkPolicies, PDBs and the monitoring
 *   objects, so the canary is scraped and alerted on from its first step. (A PDB is
 *   Healthy before its pods exist: argo-cd's PodDisruptionBudget health.lua accepts
 *   `InsufficientPods`, argo-cd#20171.)
 * - rollout (1, last): the Rollouts and their HPAs. Nothing may follow them: no later
 *   wave, no PostSync hook, no PruneLast.
 * - scheduled (1, last): the CronJobs. argo-cd's CronJob health.lua turns Degraded
 *   after a failed run; in an earlier wave one failed backup would fail the sync of
 *   every release until a run succeeds (rule `argocd/cronjob-wave`).
 */
export const SYNC_WAVE = {
  namespace: '-3',
  config: '-2',
  migration: '-1',
  supporting: '0',
  monitoring: '0',
  rollout: '1',
  scheduled: '1',
} as const;

export function syncWave(wave: (typeof SYNC_WAVE)[keyof typeof SYNC_WAVE]): Record<string, string> {
  return { 'argocd.argoproj.io/sync-wave': wave };
}

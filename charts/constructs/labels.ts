/**
 * Labels and ports shared by the constructs (docs/contracts.md, "Kubernetes object
 * names" and "Process and image"). Kept in one place so a selector and the pods it
 * selects cannot drift apart.
 */
export const APP_NAME = 'course-companion';

/** The ports each role listens on; the metrics port is never routed by the gateway. */
export const ROLE_PORTS = { web: 3000, api: 8000 } as const;
export const METRICS_PORT = 9464;
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

/** Argo CD applies lower waves first: namespace, then secrets and config, then workloads. */
// Argo CD applies each wave, and waits for it to be healthy, before the next:
// the namespace, then secrets and config, then the migration (a Sync hook, so it
// runs after the ExternalSecrets have produced the database Secret, even on the
// first sync of a new namespace), then workloads, then monitoring.
export const SYNC_WAVE = {
  namespace: '-3',
  config: '-2',
  migration: '-1',
  workload: '0',
  monitoring: '1',
} as const;

export function syncWave(wave: (typeof SYNC_WAVE)[keyof typeof SYNC_WAVE]): Record<string, string> {
  return { 'argocd.argoproj.io/sync-wave': wave };
}

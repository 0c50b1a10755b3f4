/**
 * Argo CD's sync-wave annotation. Lower waves are applied (and must be healthy)
 * before higher ones. Inside argocd/: the AppProject (-1) before the Applications (0).
 * The environment objects carry their own waves (charts/constructs/labels.ts).
 */
export function syncWave(wave: string): Record<string, string> {
  return { 'argocd.argoproj.io/sync-wave': wave };
}

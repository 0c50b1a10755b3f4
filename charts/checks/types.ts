/**
 * `cluster`: rules across an environment and the cluster pieces it relies on (secret
 * stores, the Rollouts plugin, signed-image admission); run them over dist/<env>/ and
 * dist/cluster/ together.
 */
export type CheckName =
  | 'schema'
  | 'policy'
  | 'reference'
  | 'cluster'
  /** `analysis`: what Argo Rollouts would decide from the AnalysisTemplates (charts/checks/analysis-run.ts). */
  | 'analysis'
  /** `argocd`: how Argo CD's sync would treat the objects (waves, hooks, prune/delete options). */
  | 'argocd'
  /**
   * `delivery`: how traffic reaches a canary, and what runs before users do
   * (charts/checks/delivery.ts), and whether analysis Jobs reach what they test (analysis-jobs.ts).
   */
  | 'delivery';

/** Something wrong with a manifest, phrased for the person who has to fix it. */
export interface Finding {
  readonly check: CheckName;
  /** A short stable id of the rule that fired (e.g. `image-digest`), for tests and filters. */
  readonly rule: string;
  readonly file: string;
  readonly message: string;
}

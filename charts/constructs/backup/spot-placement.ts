/**
 * Where the backup jobs may run: spot (preemptible) nodes, which are cheaper and fine for
 * a batch job that is retried (issue 17, item 5; the specification's "spot instances for
 * non-critical batch jobs"). Spot node pools are usually tainted so that only workloads
 * that say they can be interrupted land there; the jobs tolerate that taint and, by node
 * affinity, prefer (or require) the nodes' spot label. A dump interrupted by a reclaimed
 * node fails its pod, and the Job's backoffLimit starts another within maxRunMinutes.
 *
 * Kubernetes semantics relied on: a toleration only permits scheduling on a tainted
 * node, it does not attract the pod there, hence the affinity as well
 * (https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/);
 * `preferredDuringScheduling…` still schedules elsewhere when no spot node fits
 * (https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#node-affinity).
 */
import type { Affinity, Toleration } from 'cdk8s-plus-28/lib/imports/k8s';

export interface SpotPlacement {
  /** The spot nodes' taints the jobs accept, e.g. `karpenter.sh/capacity-type=spot:NoSchedule`. */
  readonly tolerations: readonly Toleration[];
  /** Labels that mark a spot node, e.g. `{ "karpenter.sh/capacity-type": "spot" }`. */
  readonly nodeLabels: Readonly<Record<string, string>>;
  /**
   * `preferred`: spot when one is free, any node otherwise (a backup that waits for
   * capacity is later than one that costs more). `required`: spot nodes only.
   */
  readonly affinity: 'preferred' | 'required';
}

/** The pod spec fields for `placement`; nothing at all without one. */
export function spotPodFields(placement: SpotPlacement | undefined): { tolerations?: Toleration[]; affinity?: Affinity } {
  if (!placement) return {};
  const matchExpressions = Object.keys(placement.nodeLabels)
    .sort()
    .map((key) => ({ key, operator: 'In', values: [placement.nodeLabels[key]] }));
  const nodeAffinity =
    placement.affinity === 'required'
      ? { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] } }
      : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions } }] };
  return {
    tolerations: placement.tolerations.map((t) => ({ ...t })),
    ...(matchExpressions.length > 0 ? { affinity: { nodeAffinity } } : {}),
  };
}

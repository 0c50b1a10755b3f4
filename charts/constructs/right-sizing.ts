/**
 * Right-sizing (issue 17, item 5): a VerticalPodAutoscaler per role that only
 * recommends. `updateMode: "Off"` makes the VPA compute requests from observed use
 * without ever evicting or resizing a pod, so it cannot fight the HPA, which scales the
 * same pods on CPU utilisation relative to their requests (the VPA project's README:
 * "Vertical Pod autoscaler should not be used with the Horizontal Pod Autoscaler (HPA)
 * on CPU or memory at this moment"; kubernetes/autoscaler, vertical-pod-autoscaler).
 * Operators read the recommendation in the regular review (`kubectl describe vpa`,
 * docs/operating.md "Right-size a role") and change `resources` in the environment file;
 * `npm run diff` then flags the change with its before and after.
 *
 * The target is the Rollout: the VPA accepts any controller with a scale subresource
 * and reads only its label selector from it, never the replica count (the CRD's
 * `targetRef` documentation), and the Rollout CRD has one.
 */
import { Construct } from 'constructs';
import {
  VerticalPodAutoscaler,
  VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesControlledValues,
  VerticalPodAutoscalerSpecUpdatePolicyUpdateMode,
} from '../imports/verticalpodautoscalers-autoscaling.k8s.io';
import { SYNC_WAVE, syncWave } from './labels';

export interface RolloutRightSizingProps {
  /** The Rollout whose pods are measured; the VPA takes its name. */
  readonly rolloutName: string;
  /** The container to recommend for (the role's one app container). */
  readonly containerName: string;
}

export class RolloutRightSizing extends Construct {
  readonly vpa: VerticalPodAutoscaler;

  constructor(scope: Construct, id: string, props: RolloutRightSizingProps) {
    super(scope, id);
    this.vpa = new VerticalPodAutoscaler(this, 'vpa', {
      metadata: { name: props.rolloutName, annotations: syncWave(SYNC_WAVE.rollout) },
      spec: {
        targetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: props.rolloutName },
        updatePolicy: { updateMode: VerticalPodAutoscalerSpecUpdatePolicyUpdateMode.OFF },
        resourcePolicy: {
          containerPolicies: [
            {
              containerName: props.containerName,
              controlledResources: ['cpu', 'memory'],
              controlledValues: VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesControlledValues.REQUESTS_AND_LIMITS,
            },
          ],
        },
      },
    });
  }
}

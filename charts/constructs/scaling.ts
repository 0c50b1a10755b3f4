/**
 * How many pods a role runs: the HorizontalPodAutoscaler of its Rollout (the only writer
 * of the replica count) and the PodDisruptionBudget that bounds voluntary evictions.
 * Built from the generated `KubeHorizontalPodAutoscalerV2`: cdk8s-plus's HPA targets only
 * its own workloads, not an Argo Rollout.
 */
import { Construct } from 'constructs';
import { IntOrString, KubeHorizontalPodAutoscalerV2, KubePodDisruptionBudget } from 'cdk8s-plus-28/lib/imports/k8s';
import { SYNC_WAVE, syncWave } from './labels';

export interface RolloutAutoscalerProps {
  /** The Rollout to scale; the HPA takes its name. */
  readonly rolloutName: string;
  readonly min: number;
  readonly max: number;
  /** Average CPU use, in percent of the requests, the HPA aims for. */
  readonly targetCPUUtilization: number;
}

export class RolloutAutoscaler extends Construct {
  constructor(scope: Construct, id: string, props: RolloutAutoscalerProps) {
    super(scope, id);
    const where = `RolloutAutoscaler ${props.rolloutName}`;
    if (!Number.isInteger(props.min) || props.min < 1) throw new Error(`${where}: 'scaling.min' must be an integer >= 1, got ${props.min}`);
    if (!Number.isInteger(props.max) || props.max < props.min) {
      throw new Error(`${where}: 'scaling.max' must be an integer >= scaling.min (${props.min}), got ${props.max}`);
    }
    new KubeHorizontalPodAutoscalerV2(this, 'hpa', {
      // With its Rollout: before it, the HPA is Degraded (FailedGetScale) on a first sync.
      metadata: { name: props.rolloutName, annotations: syncWave(SYNC_WAVE.rollout) },
      spec: {
        scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: props.rolloutName },
        minReplicas: props.min,
        maxReplicas: props.max,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: props.targetCPUUtilization } },
          },
        ],
        // Scale down slowly: a canary step that briefly drops load should not shrink
        // the stable version just before traffic returns to it.
        behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
      },
    });
  }
}

export interface RoleDisruptionBudgetProps {
  readonly name: string;
  readonly podLabels: Readonly<Record<string, string>>;
  /** Pods a node drain may evict at once. @default 1 */
  readonly maxUnavailable?: number;
}

export class RoleDisruptionBudget extends Construct {
  constructor(scope: Construct, id: string, props: RoleDisruptionBudgetProps) {
    super(scope, id);
    new KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: props.name },
      spec: {
        // maxUnavailable rather than minAvailable: with a single replica (staging) a
        // node drain can still proceed instead of blocking forever.
        maxUnavailable: IntOrString.fromNumber(props.maxUnavailable ?? 1),
        selector: { matchLabels: { ...props.podLabels } },
      },
    });
  }
}

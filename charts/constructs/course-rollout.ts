/**
 * The Argo Rollout of one role: its pod template (charts/constructs/pod-template.ts) and
 * the strategy its Delivery produces (charts/constructs/delivery.ts).
 */
import { Construct } from 'constructs';
import { Rollout, RolloutSpecStrategy } from '../imports/rollouts-argoproj.io';
import { SYNC_WAVE, syncWave } from './labels';
import { CoursePodTemplateProps, coursePodTemplate } from './pod-template';

/**
 * Seconds without progress before Argo Rollouts marks a Rollout timed out (and, with
 * progressDeadlineAbort, aborts it). A pre-promotion analysis makes no progress while it
 * runs (utils/conditions/conditions.go, RolloutTimedOut measures from the Progressing
 * condition's last update), so its Jobs must end well within it (LoadCheckAnalysis).
 */
export const PROGRESS_DEADLINE_SECONDS = 600;

export interface CourseRolloutProps extends CoursePodTemplateProps {
  /** How new versions reach users: `Delivery.canary(...).strategy(...)` or blue-green. */
  readonly strategy: RolloutSpecStrategy;
  /** Extra annotations, e.g. notification subscriptions. @default none */
  readonly annotations?: Readonly<Record<string, string>>;
}

export class CourseRollout extends Construct {
  /** The Rollout's name, which is the role's. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: CourseRolloutProps) {
    super(scope, id);
    this.name = props.role;
    new Rollout(this, 'rollout', {
      metadata: {
        name: props.role,
        labels: { ...props.podLabels },
        annotations: { ...syncWave(SYNC_WAVE.rollout), ...reloadAnnotations([props.secret.name]), ...props.annotations },
      },
      spec: {
        // No `replicas`, on purpose, from the first commit on. The HPA (RolloutAutoscaler)
        // is the only writer of the replica count: with `replicas` in git, every Argo CD
        // sync would reset what the HPA chose (argo-cd#5105: pods flap between the two
        // numbers). Removing the field from an object that already had it makes Argo
        // Rollouts fall back to 1 replica (argo-rollouts#3689), which is why it is never
        // committed here. Every Rollout therefore has an HPA, even at min = max = 1,
        // and since the output never sets the field, Argo CD neither reports the HPA's
        // count as drift nor resets it.
        revisionHistoryLimit: 3,
        progressDeadlineSeconds: PROGRESS_DEADLINE_SECONDS,
        progressDeadlineAbort: true,
        selector: { matchLabels: { ...props.podLabels } },
        template: coursePodTemplate(props),
        strategy: props.strategy,
      },
    });
  }
}

/**
 * Secrets reach the pods as env vars, which never change after a container starts, so a
 * rotated Secret must restart the pods. Stakater Reloader (run with
 * `--is-Argo-Rollouts=true`, v1.3.0 or later) watches the Secrets named here (comma-separated,
 * each an anchored regex: pkg/common/common.go) and, with the `restart` strategy, patches
 * the Rollout's `spec.restartAt` (internal/pkg/callbacks/rolling_upgrade.go `UpdateRollout`,
 * stakater/Reloader@655a2b38) instead of changing the pod template: no new ReplicaSet, no
 * canary, no drift against git. Argo Rollouts then evicts the old pods (Eviction API, so PDBs
 * hold) a few at a time (rollout/restart.go, argo-rollouts@9f8d111d).
 */
export function reloadAnnotations(secretNames: readonly string[]): Record<string, string> {
  return {
    'secret.reloader.stakater.com/reload': [...secretNames].sort().join(','),
    'reloader.stakater.com/rollout-strategy': 'restart',
  };
}

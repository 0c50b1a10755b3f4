/**
 * Staging's performance validation (issue 17, item 4): before a blue-green release is
 * promoted, a Job sends each role's preview Service a bounded load
 * (`node app/build/load-check.js`, the app's own image) and fails the promotion when
 * p95 or the error rate misses the environment file's thresholds.
 *
 * How Argo Rollouts treats it (argoproj/argo-rollouts@9f8d111d):
 * - metricproviders/job/job.go: Run creates the Job, owned by the AnalysisRun (so it is
 *   deleted with it); Resume reads the Job's conditions: Complete is a Successful
 *   measurement, Failed (a non-zero exit with backoffLimit 0, or activeDeadlineSeconds
 *   passed) a Failed one; a pod stuck on ErrImagePull is Inconclusive (the rollout
 *   pauses for a person). Terminate deletes the Job and records Inconclusive.
 * - rollout/analysis.go, reconcilePrePromotionAnalysisRun: the run starts once the new
 *   ReplicaSet is saturated, with the preview Service already switched to it, and ends
 *   with the measurement; a Failed or Error run aborts the rollout (pauseContext.AddAbort).
 * - On abort the active Service stays on the stable ReplicaSet (rollout/service.go,
 *   reconcileActiveService: `if Status.Abort { newPodHash = StableRS }`), so users never
 *   see the failed version, and the preview ReplicaSet is scaled down after
 *   abortScaleDownDelaySeconds, 30 s by default (utils/defaults/defaults.go,
 *   GetAbortScaleDownDelaySecondsOrDefault; rollout/replicaset.go, reconcileNewReplicaSet).
 *
 * Least privilege: one Job and one NetworkPolicy per role, so the api's check may reach
 * the api's pods on its HTTP port and nothing else (DNS aside); no Secret, no
 * ServiceAccount token, no Service environment variables, the restricted security context.
 */
import { Construct } from 'constructs';
import { AnalysisTemplate, AnalysisTemplateSpecMetricsFailureLimit } from '../imports/analysistemplates-argoproj.io';
import type { LoadCheckSettings } from '../config/load-check';
import { ANALYSIS_ARGS } from './analysis';
import { PROGRESS_DEADLINE_SECONDS } from './course-rollout';
import { componentLabels, ROLE_PORTS } from './labels';
import { NetworkPeer, WorkloadNetworkPolicy } from './network-policy';
import {
  imageReference,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  tmpVolume,
  tmpVolumeMount,
} from './pod-security';

export type LoadCheckRole = 'web' | 'api';

export interface LoadCheckAnalysisProps {
  /** The app's image by digest: the same build as the release under test. */
  readonly image: { readonly repository: string; readonly digest: string };
  /** Bounds of the load and the thresholds, from the environment file. */
  readonly settings: LoadCheckSettings;
  /** Roles whose previews are tested. @default ['api', 'web'] */
  readonly roles?: readonly LoadCheckRole[];
  /**
   * Seconds the Job may take beyond the load's own bound (image pull, start), after
   * which Kubernetes fails it, and so the analysis. @default 120
   */
  readonly startupAllowanceSeconds?: number;
}

/** One AnalysisTemplate (Job metric) and one NetworkPolicy per role. */
export class LoadCheckAnalysis extends Construct {
  readonly roles: readonly LoadCheckRole[];

  constructor(scope: Construct, id: string, props: LoadCheckAnalysisProps) {
    super(scope, id);
    this.roles = props.roles ?? ['api', 'web'];
    if (this.roles.length === 0) throw new Error("LoadCheckAnalysis: 'roles' must name at least one role");
    const allowance = props.startupAllowanceSeconds ?? 120;
    if (!(Number.isInteger(allowance) && allowance > 0)) {
      throw new Error(`LoadCheckAnalysis: 'startupAllowanceSeconds' must be a positive integer, got ${allowance}`);
    }
    // The Job's deadline must come before the Rollout's progress deadline, or a slow
    // check would time the whole Rollout out instead of failing the analysis.
    if (props.settings.durationSeconds + allowance >= PROGRESS_DEADLINE_SECONDS) {
      throw new Error(
        `LoadCheckAnalysis: 'settings.durationSeconds' (${props.settings.durationSeconds}) plus 'startupAllowanceSeconds' (${allowance}) ` +
          `must stay under the Rollout's progressDeadlineSeconds (${PROGRESS_DEADLINE_SECONDS})`,
      );
    }
    for (const role of this.roles) {
      this.template(role, props, props.settings.durationSeconds + allowance);
      new WorkloadNetworkPolicy(this, `${role}-network-policy`, {
        name: this.componentOf(role),
        podLabels: this.podLabels(role),
        egress: [{ peer: NetworkPeer.pods(componentLabels(role)), ports: [{ port: ROLE_PORTS[role] }] }],
      });
    }
  }

  /** The AnalysisTemplate a role's prePromotionAnalysis names; none when the role is not tested. */
  templateFor(role: LoadCheckRole): string | undefined {
    return this.roles.includes(role) ? this.componentOf(role) : undefined;
  }

  /** Labels of the role's load-check pods, for the role's ingress rule. */
  podLabels(role: LoadCheckRole): Record<string, string> {
    return componentLabels(this.componentOf(role));
  }

  /** Who may call the role's HTTP port for its load check: none when not tested. */
  peersFor(role: LoadCheckRole): NetworkPeer[] {
    return this.roles.includes(role) ? [NetworkPeer.pods(this.podLabels(role))] : [];
  }

  private componentOf(role: LoadCheckRole): string {
    return `load-check-${role}`;
  }

  private template(role: LoadCheckRole, props: LoadCheckAnalysisProps, deadlineSeconds: number): void {
    const labels = this.podLabels(role);
    const s = props.settings;
    const env = {
      LOAD_CHECK_REQUESTS: s.requests,
      LOAD_CHECK_DURATION_SECONDS: s.durationSeconds,
      LOAD_CHECK_CONCURRENCY: s.concurrency,
      LOAD_CHECK_LATENCY_P95_MAX_SECONDS: s.latencyP95MaxSeconds,
      LOAD_CHECK_ERROR_RATE_MAX: s.errorRateMax,
    };
    new AnalysisTemplate(this, `${role}-template`, {
      metadata: { name: this.componentOf(role) },
      spec: {
        args: [{ name: ANALYSIS_ARGS.url }],
        metrics: [
          {
            name: 'load-check',
            // One run; the Job's exit status is the verdict.
            failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(0),
            provider: {
              job: {
                metadata: { labels },
                spec: {
                  backoffLimit: 0,
                  activeDeadlineSeconds: deadlineSeconds,
                  template: {
                    metadata: { labels },
                    spec: {
                      restartPolicy: 'Never',
                      automountServiceAccountToken: false,
                      enableServiceLinks: false,
                      securityContext: restrictedPodSecurityContext(),
                      volumes: [tmpVolume()],
                      containers: [
                        {
                          name: 'load-check',
                          image: imageReference(props.image),
                          command: ['node', 'app/build/load-check.js', `{{args.${ANALYSIS_ARGS.url}}}`, role],
                          env: Object.entries(env).map(([name, value]) => ({ name, value: String(value) })),
                          resources: { requests: { cpu: '100m', memory: '96Mi' }, limits: { cpu: '500m', memory: '192Mi' } },
                          securityContext: restrictedContainerSecurityContext(),
                          volumeMounts: [tmpVolumeMount()],
                        },
                      ],
                    },
                  },
                },
              },
            },
          },
        ],
      },
    });
  }
}

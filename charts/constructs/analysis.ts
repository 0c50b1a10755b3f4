/**
 * AnalysisTemplates (Argo Rollouts) that decide whether a new version may take more
 * traffic: success rate and p95 latency of the new pods from Prometheus, and a smoke
 * test Job that runs the image's own smoke command.
 *
 * "No data" must never pass. An empty query result or NaN (0/0 when the new pods got
 * no requests yet) matches neither the success nor the failure condition, so Argo
 * Rollouts records the measurement as Inconclusive; past `inconclusiveLimit` the
 * rollout pauses for a person instead of promoting.
 */
import { Construct } from 'constructs';
import {
  AnalysisTemplate,
  AnalysisTemplateSpecMetrics,
  AnalysisTemplateSpecMetricsFailureLimit,
  AnalysisTemplateSpecMetricsInconclusiveLimit,
} from '../imports/analysistemplates-argoproj.io';
import { componentLabels } from './labels';
import {
  imageReference,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  tmpVolume,
  tmpVolumeMount,
} from './pod-security';

/** Argument names the Rollouts pass; exported so the caller cannot misspell them. */
export const ANALYSIS_ARGS = {
  role: 'role',
  /** rollouts-pod-template-hash of the new ReplicaSet (valueFrom podTemplateHashValue: Latest). */
  canaryHash: 'canary-hash',
  /** Base URL the smoke test calls. */
  url: 'url',
} as const;

/** Labels of smoke-test pods, so NetworkPolicies can let them reach web and api. */
export const SMOKE_COMPONENT = 'smoke';

export interface CourseAnalysisTemplatesProps {
  /** Namespace the app runs in; queries only look at its series. */
  readonly namespace: string;
  /** Prometheus HTTP address reachable from the Argo Rollouts controller. */
  readonly prometheusAddress: string;
  /** Lowest ratio of non-5xx answers, e.g. 0.999. */
  readonly successRateMin: number;
  /** Highest p95 request latency in seconds. */
  readonly latencyP95MaxSeconds: number;
  /** Time between measurements, e.g. '1m'. */
  readonly interval: string;
  /** Failed measurements tolerated before the analysis fails. */
  readonly failureLimit: number;
  /** Measurements without data tolerated before the rollout pauses. */
  readonly inconclusiveLimit: number;
  /** Window of `rate()`; at least two scrape intervals. @default '5m' */
  readonly rateWindow?: string;
  /**
   * Wait before the first measurement, so new pods have been scraped a few times
   * and an empty first result does not use up the inconclusive budget. @default '2m'
   */
  readonly initialDelay?: string;
  /** Image (by digest) whose smoke command the Job runs. */
  readonly image: { readonly repository: string; readonly digest: string };
}

export class CourseAnalysisTemplates extends Construct {
  readonly successRateTemplateName = 'success-rate';
  readonly latencyTemplateName = 'latency-p95';
  readonly smokeTemplateName = 'smoke';

  constructor(scope: Construct, id: string, props: CourseAnalysisTemplatesProps) {
    super(scope, id);
    if (!(props.successRateMin > 0 && props.successRateMin <= 1)) {
      throw new Error(`CourseAnalysisTemplates: 'successRateMin' must be in (0, 1], got ${props.successRateMin}`);
    }
    if (!(props.latencyP95MaxSeconds > 0)) {
      throw new Error(`CourseAnalysisTemplates: 'latencyP95MaxSeconds' must be above 0, got ${props.latencyP95MaxSeconds}`);
    }
    const window = props.rateWindow ?? '5m';
    // Only the new ReplicaSet's pods: the ServiceMonitor copies the pod label
    // rollouts-pod-template-hash onto every series (podTargetLabels). Probe and
    // metrics endpoints are left out so kubelet traffic cannot mask real failures.
    const selector =
      `namespace="${props.namespace}", role="{{args.${ANALYSIS_ARGS.role}}}", ` +
      `rollouts_pod_template_hash="{{args.${ANALYSIS_ARGS.canaryHash}}}", route!~"/livez|/readyz|/health|/metrics"`;
    const hasValue = 'len(result) > 0 && !isNaN(result[0])';
    const prometheusMetric = (
      name: string,
      query: string,
      success: string,
      failure: string,
    ): AnalysisTemplateSpecMetrics => ({
      name,
      initialDelay: props.initialDelay ?? '2m',
      interval: props.interval,
      failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(props.failureLimit),
      inconclusiveLimit: AnalysisTemplateSpecMetricsInconclusiveLimit.fromNumber(props.inconclusiveLimit),
      successCondition: `${hasValue} && ${success}`,
      failureCondition: `${hasValue} && ${failure}`,
      provider: { prometheus: { address: props.prometheusAddress, query } },
    });
    const hashArgs = [{ name: ANALYSIS_ARGS.role }, { name: ANALYSIS_ARGS.canaryHash }];

    new AnalysisTemplate(this, 'success-rate', {
      metadata: { name: this.successRateTemplateName },
      spec: {
        args: hashArgs,
        metrics: [
          prometheusMetric(
            'success-rate',
            `sum(rate(http_requests_total{${selector}, status!~"5.."}[${window}]))\n` +
              `/\nsum(rate(http_requests_total{${selector}}[${window}]))`,
            `result[0] >= ${props.successRateMin}`,
            `result[0] < ${props.successRateMin}`,
          ),
        ],
      },
    });

    new AnalysisTemplate(this, 'latency-p95', {
      metadata: { name: this.latencyTemplateName },
      spec: {
        args: hashArgs,
        metrics: [
          prometheusMetric(
            'latency-p95',
            `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${selector}}[${window}])))`,
            `result[0] <= ${props.latencyP95MaxSeconds}`,
            `result[0] > ${props.latencyP95MaxSeconds}`,
          ),
        ],
      },
    });

    const smokeLabels = componentLabels(SMOKE_COMPONENT);
    new AnalysisTemplate(this, 'smoke', {
      metadata: { name: this.smokeTemplateName },
      spec: {
        args: [{ name: ANALYSIS_ARGS.url }, { name: ANALYSIS_ARGS.role }],
        metrics: [
          {
            name: 'smoke',
            // One run; the Job's exit status is the verdict (a failed Job is a failed
            // measurement, which aborts the rollout).
            failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(0),
            provider: {
              job: {
                metadata: { labels: smokeLabels },
                spec: {
                  backoffLimit: 0,
                  activeDeadlineSeconds: 300,
                  template: {
                    metadata: { labels: smokeLabels },
                    spec: {
                      restartPolicy: 'Never',
                      automountServiceAccountToken: false,
                      securityContext: restrictedPodSecurityContext(),
                      volumes: [tmpVolume()],
                      containers: [
                        {
                          name: 'smoke',
                          image: imageReference(props.image),
                          command: ['node', 'app/build/smoke.js', `{{args.${ANALYSIS_ARGS.url}}}`, `{{args.${ANALYSIS_ARGS.role}}}`],
                          resources: {
                            requests: { cpu: '50m', memory: '96Mi' },
                            limits: { cpu: '200m', memory: '192Mi' },
                          },
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

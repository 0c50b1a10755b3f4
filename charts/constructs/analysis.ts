/**
 * AnalysisTemplates (Argo Rollouts) that decide whether a new version may take more
 * traffic: success rate and p95 latency of the new pods from Prometheus, and a smoke
 * test Job that runs the image's own smoke command.
 *
 * Each measurement gets one of three verdicts, and "no data" is never a pass:
 * - enough requests (at least `minimumRequests` in the rate window) and within the
 *   threshold: Successful;
 * - enough requests and beyond it: Failed; a canary whose every answer is a 5xx has
 *   no non-5xx series at all, so the success query defaults that side to 0 (`or
 *   vector(0)`) and yields 0 instead of an empty result;
 * - too few requests, none, or no series yet: the traffic guard (`and sum(increase(…))
 *   >= minimumRequests`) empties the result, neither condition holds and Argo Rollouts
 *   records Inconclusive; past `inconclusiveLimit` the rollout pauses for a person.
 * The conditions test `len(result) == 1` before reading `result[0]`: indexing an empty
 * result is an expr-lang runtime error, i.e. phase Error, not Inconclusive.
 * test/ops/analysis-templates.test.ts runs these exact queries with promtool and
 * judges them as Argo Rollouts does (charts/checks/argo-expr.ts).
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

/** Names of the AnalysisTemplates, for the Rollouts and the tests that read them. */
export const ANALYSIS_TEMPLATE_NAMES = {
  successRate: 'success-rate',
  latency: 'latency-p95',
  smoke: 'smoke',
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
  /**
   * Window of `rate()`, e.g. '2m'. One bad minute stays in it, and fails every
   * measurement taken while it does: ceil((1m + rateWindow) / interval) of them, which
   * `failureLimit` must absorb (charts/config/environment.ts enforces it). A short window
   * keeps that number, and so the time to abort a truly broken canary, small.
   */
  readonly rateWindow: string;
  /** Requests the new pods must answer within `rateWindow` before a measurement decides anything. */
  readonly minimumRequests: number;
  /** Failed measurements tolerated (over the whole run, not in a row) before the analysis fails. */
  readonly failureLimit: number;
  /** Measurements without enough data tolerated before the rollout pauses. */
  readonly inconclusiveLimit: number;
  /**
   * Wait before the first measurement, so it sees a whole window of the new pods'
   * requests. @default rateWindow
   */
  readonly initialDelay?: string;
  /** Image (by digest) whose smoke command the Job runs. */
  readonly image: { readonly repository: string; readonly digest: string };
}

export class CourseAnalysisTemplates extends Construct {
  readonly successRateTemplateName = ANALYSIS_TEMPLATE_NAMES.successRate;
  readonly latencyTemplateName = ANALYSIS_TEMPLATE_NAMES.latency;
  readonly smokeTemplateName = ANALYSIS_TEMPLATE_NAMES.smoke;

  constructor(scope: Construct, id: string, props: CourseAnalysisTemplatesProps) {
    super(scope, id);
    validate(props);
    const queries = new CanaryQueries(props);
    const hashArgs = [{ name: ANALYSIS_ARGS.role }, { name: ANALYSIS_ARGS.canaryHash }];

    new AnalysisTemplate(this, 'success-rate', {
      metadata: { name: this.successRateTemplateName },
      spec: {
        args: hashArgs,
        metrics: [
          queries.metric(
            'success-rate',
            // Share of non-5xx answers. When every answer is a 5xx there is no non-5xx
            // series: `or vector(0)` makes that side 0 (so the share is 0, a failure),
            // and only that side: with no requests at all the divisor stays empty.
            `(\n  sum(rate(http_requests_total{${queries.selector}, status!~"5.."}[${props.rateWindow}]))\n  or vector(0)\n)\n` +
              `/ sum(rate(http_requests_total{${queries.selector}}[${props.rateWindow}]))\n` +
              `and ${queries.enoughTraffic('http_requests_total')}`,
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
          queries.metric(
            'latency-p95',
            `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${queries.selector}}[${props.rateWindow}])))\n` +
              `and ${queries.enoughTraffic('http_request_duration_seconds_count')}`,
            `result[0] <= ${props.latencyP95MaxSeconds}`,
            `result[0] > ${props.latencyP95MaxSeconds}`,
          ),
        ],
      },
    });

    new AnalysisTemplate(this, 'smoke', {
      metadata: { name: this.smokeTemplateName },
      spec: { args: [{ name: ANALYSIS_ARGS.url }, { name: ANALYSIS_ARGS.role }], metrics: [smokeMetric(props.image)] },
    });
  }
}

function validate(props: CourseAnalysisTemplatesProps): void {
  if (!(props.successRateMin > 0 && props.successRateMin <= 1)) {
    throw new Error(`CourseAnalysisTemplates: 'successRateMin' must be in (0, 1], got ${props.successRateMin}`);
  }
  if (!(props.latencyP95MaxSeconds > 0)) {
    throw new Error(`CourseAnalysisTemplates: 'latencyP95MaxSeconds' must be above 0, got ${props.latencyP95MaxSeconds}`);
  }
  if (!(Number.isInteger(props.minimumRequests) && props.minimumRequests >= 1)) {
    throw new Error(`CourseAnalysisTemplates: 'minimumRequests' must be an integer of at least 1, got ${props.minimumRequests}`);
  }
}

/** The series of the new pods and the Prometheus metrics judged on them. */
class CanaryQueries {
  /**
   * Only the new ReplicaSet's pods: the ServiceMonitor copies the pod label
   * rollouts-pod-template-hash onto every series (podTargetLabels). Probe and
   * metrics endpoints are left out so kubelet traffic cannot mask real failures,
   * nor count as traffic.
   */
  readonly selector: string;

  constructor(private readonly props: CourseAnalysisTemplatesProps) {
    this.selector =
      `namespace="${props.namespace}", role="{{args.${ANALYSIS_ARGS.role}}}", ` +
      `rollouts_pod_template_hash="{{args.${ANALYSIS_ARGS.canaryHash}}}", route!~"/livez|/readyz|/health|/metrics"`;
  }

  /**
   * Empty unless the new pods answered enough requests in the window (PromQL `and`
   * keeps the left side only where the right side has a sample).
   */
  enoughTraffic(counter: string): string {
    return `sum(increase(${counter}{${this.selector}}[${this.props.rateWindow}])) >= ${this.props.minimumRequests}`;
  }

  metric(name: string, query: string, success: string, failure: string): AnalysisTemplateSpecMetrics {
    const { props } = this;
    // Guards the index: result[0] of an empty result is an error (phase Error).
    const hasValue = 'len(result) == 1 && !isNaN(result[0])';
    return {
      name,
      initialDelay: props.initialDelay ?? props.rateWindow,
      interval: props.interval,
      failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(props.failureLimit),
      inconclusiveLimit: AnalysisTemplateSpecMetricsInconclusiveLimit.fromNumber(props.inconclusiveLimit),
      successCondition: `${hasValue} && ${success}`,
      failureCondition: `${hasValue} && ${failure}`,
      provider: { prometheus: { address: props.prometheusAddress, query } },
    };
  }
}

/**
 * One run; the Job's exit status is the verdict (a failed Job is a failed
 * measurement, which aborts the rollout).
 */
function smokeMetric(image: CourseAnalysisTemplatesProps['image']): AnalysisTemplateSpecMetrics {
  const smokeLabels = componentLabels(SMOKE_COMPONENT);
  return {
    name: 'smoke',
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
                  image: imageReference(image),
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
  };
}

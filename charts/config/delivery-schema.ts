/**
 * How a new version reaches users (canary steps or blue-green) and the analysis that
 * judges it, with the rule that ties the analysis' timing to the scrapes and the steps.
 */
import { z } from 'zod';
import { duration, ratio } from './primitives';
import { durationSeconds, measurementsSeeing } from '../checks/analysis-run';
import { loadCheck } from './load-check';

const canaryStep = z
  .object({
    weight: z.number().int().min(1, 'a weight of 1 to 99 percent').max(99, 'a weight of 1 to 99 percent'),
    pause: duration,
  })
  .strict();

export const delivery = z.discriminatedUnion(
  'kind',
  [
    z
      .object({
        kind: z.literal('canary'),
        /** Each step sets the canary's share of requests, then pauses under analysis. */
        steps: z
          .array(canaryStep)
          .min(1, 'at least one step')
          .refine((steps) => steps.every((s, i) => i === 0 || s.weight > steps[i - 1].weight), {
            message: 'weights that increase from step to step',
          }),
      })
      .strict(),
    z
      .object({
        kind: z.literal('blueGreen'),
        /** Seconds after a passing pre-promotion analysis before the preview goes live. */
        autoPromotionSeconds: z.number().int().min(0).default(0),
        /** Seconds the old ReplicaSet keeps running after promotion, for a quick roll back. */
        scaleDownDelaySeconds: z.number().int().min(0).default(30),
        /** A load test of each role's preview before promotion. @default none */
        loadCheck: loadCheck.optional(),
      })
      .strict(),
  ],
  { errorMap: () => ({ message: 'kind "canary" or "blueGreen"' }) },
);

export const analysis = z
  .object({
    prometheusAddress: z.string().url('a URL such as "http://prometheus.monitoring:9090"'),
    /** Lowest share of non-5xx answers the new version may show. */
    successRateMin: ratio,
    latencyP95MaxSeconds: z.number().gt(0, 'a number of seconds above 0'),
    /** Time between measurements. */
    interval: duration,
    /**
     * Window of the queries' rate(); also the wait before the first measurement, so
     * that one sees a whole window. At least four scrape intervals.
     */
    rateWindow: duration,
    /**
     * Requests the new pods must have answered within `rateWindow` before a
     * measurement may pass or fail; fewer make it inconclusive, so a handful of
     * requests cannot decide a release either way.
     */
    minimumRequests: z.number().int().min(1, 'at least 1 request'),
    /**
     * Failed measurements tolerated before the rollout aborts. Argo Rollouts counts
     * every failed measurement of the run, not consecutive ones, and one bad minute
     * fails every measurement whose window it falls in: at least
     * ceil((1m + rateWindow) / interval).
     */
    failureLimit: z.number().int().min(0),
    /** Measurements without (enough) data tolerated before the rollout pauses for a person. */
    inconclusiveLimit: z.number().int().min(0).default(2),
  })
  .strict();

// --- rules across sections -------------------------------------------------------------

/**
 * The analysis' timing must fit the scrapes, one noisy minute and the canary's length
 * (the counting is modelled in charts/checks/analysis-run.ts, from Argo Rollouts'
 * analysis/analysis.go).
 */
export function analysisTiming(
  env: {
    analysis: { interval: string; rateWindow: string; failureLimit: number; inconclusiveLimit: number };
    monitoring: { scrapeInterval: string };
    delivery: { kind: string; steps?: readonly { pause: string }[] };
  },
  ctx: z.RefinementCtx,
): void {
  const { interval, rateWindow, failureLimit, inconclusiveLimit } = env.analysis;
  const window = durationSeconds(rateWindow);
  const every = durationSeconds(interval);
  const scrape = durationSeconds(env.monitoring.scrapeInterval);
  // rate() needs two samples in the window; four scrapes leave room for a missed one.
  if (window < 4 * scrape) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['analysis', 'rateWindow'],
      message: `at least 4 scrape intervals (monitoring.scrapeInterval ${env.monitoring.scrapeInterval}): ${4 * scrape}s or more`,
    });
  }
  const noisyMinute = measurementsSeeing(60, window, every);
  if (failureLimit < noisyMinute) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['analysis', 'failureLimit'],
      message: `at least ${noisyMinute} (one bad minute fails every measurement whose ${rateWindow} window holds it: ${noisyMinute} at a ${interval} interval)`,
    });
  }
  // Background analysis is terminated, and a still-running metric counted Successful,
  // when the canary reaches its last step: a verdict must come before that, or a canary
  // without data would be promoted.
  if (env.delivery.kind === 'canary' && env.delivery.steps) {
    const paused = env.delivery.steps.reduce((sum, step) => sum + durationSeconds(step.pause), 0);
    const verdict = window + Math.max(failureLimit, inconclusiveLimit) * every;
    if (paused < verdict) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['delivery', 'steps'],
        message: `pauses adding up to at least ${verdict}s (analysis.rateWindow + max(failureLimit, inconclusiveLimit) × interval), so the analysis decides before the canary ends`,
      });
    }
  }
}

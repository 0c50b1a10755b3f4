/**
 * `delivery.loadCheck` of a blue-green environment file: the bounded load the
 * pre-promotion analysis sends to each role's preview Service, and the thresholds it
 * must meet (README "Staging performance validation"). The Job passes them to
 * `node app/build/load-check.js` as LOAD_CHECK_* variables.
 */
import { z } from 'zod';

export const loadCheck = z
  .object({
    /** The most requests sent in all. */
    requests: z.number().int().min(1).max(100_000),
    /**
     * The longest the load runs, in seconds. The Job's deadline adds 120 s for the pod to
     * start, and the whole must end within the Rollout's progress deadline (600 s).
     */
    durationSeconds: z.number().int().min(1).max(300, 'at most 300 seconds, so the Job ends within the Rollout progress deadline'),
    /** Requests in flight at once. */
    concurrency: z.number().int().min(1).max(256),
    /** Highest acceptable 95th percentile latency, seconds. */
    latencyP95MaxSeconds: z.number().gt(0, 'a number of seconds above 0'),
    /** Highest acceptable share of failed requests (any 4xx or 5xx, timeouts, refused). */
    errorRateMax: z.number().min(0, 'a share from 0 up to (not including) 1').lt(1, 'a share from 0 up to (not including) 1'),
  })
  .strict()
  .refine((c) => c.concurrency <= c.requests, { message: 'at most as many as requests', path: ['concurrency'] });

export type LoadCheckSettings = z.infer<typeof loadCheck>;

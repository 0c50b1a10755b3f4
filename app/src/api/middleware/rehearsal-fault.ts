import type { Middleware } from 'koa';
import type { RehearsalFault } from '../../config';

/**
 * How long `REHEARSAL_FAULT=latency` holds each request: far above any p95 threshold an
 * analysis would accept for this app, and under the smoke test's 5 s per-request timeout,
 * so the smoke test still passes and the latency analysis is what must catch it.
 */
export const REHEARSAL_LATENCY_MS = 2_000;

/**
 * The kubelet's probes keep answering under every fault: the pod stays Running and Ready,
 * as a broken release does, and only the analysis can tell it is broken.
 */
const PROBE_PATHS = new Set(['/livez', '/readyz']);

/**
 * A canary's injected fault (`npm run rehearse -- --fault …`). Sits inside requestContext,
 * so the faulty answers are counted and timed like real ones; `errors` lets the route run
 * first, so the metrics carry the route's real pattern, not `unmatched`.
 * `crash` never gets here: server.ts exits before listening.
 */
export function rehearsalFault(fault: RehearsalFault | undefined): Middleware | undefined {
  if (fault === 'errors') {
    return async (ctx, next) => {
      await next();
      if (PROBE_PATHS.has(ctx.path)) return;
      ctx.status = 500;
      ctx.body = { code: 'rehearsal_fault', message: 'REHEARSAL_FAULT=errors: every request fails' };
    };
  }
  if (fault === 'latency') {
    return async (ctx, next) => {
      if (!PROBE_PATHS.has(ctx.path)) await new Promise((resolve) => setTimeout(resolve, REHEARSAL_LATENCY_MS));
      await next();
    };
  }
  return undefined;
}

import type { Middleware } from 'koa';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimited } from '../../errors';
import type { ApiState } from '../state';

export interface RateLimitOptions {
  points: number;
  durationSeconds: number;
  /** Shared store when several api pods run; memory otherwise. */
  redis?: Redis;
  keyPrefix: string;
}

export function createLimiter(opts: RateLimitOptions): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ points: opts.points, duration: opts.durationSeconds, keyPrefix: opts.keyPrefix });
  if (!opts.redis) return memory;
  return new RateLimiterRedis({
    storeClient: opts.redis,
    points: opts.points,
    duration: opts.durationSeconds,
    keyPrefix: `cc:rl:${opts.keyPrefix}`,
    // While Redis is away each pod limits on its own rather than letting everyone through.
    insuranceLimiter: memory,
  });
}

/** Count each request against the visitor's address (see clientAddress); 429 `rate_limited` once spent. */
export function rateLimit(limiter: RateLimiterAbstract): Middleware<ApiState> {
  return async (ctx, next) => {
    try {
      await limiter.consume(ctx.state.clientAddress || 'unknown');
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw new RateLimited(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
      throw rejection;
    }
    await next();
  };
}

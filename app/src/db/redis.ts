import { Redis } from 'ioredis';

/**
 * The Redis client for rate limits and the content cache. Commands fail fast while
 * Redis is away (no offline queue, one retry) so requests degrade instead of piling up.
 */
export function openRedis(url: string): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    lazyConnect: false,
  });
}

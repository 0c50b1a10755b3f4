import type { Redis } from 'ioredis';

/**
 * The cache of course content shared by every api pod: Redis, when REDIS_URL is set.
 * (Each process also keeps what it parsed; see db/content-store.ts.) A cache failure
 * never fails a request: `get` answers null and `set` does nothing.
 */
export interface Cache {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
}

export class RedisCache implements Cache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'cc:cache:',
  ) {}

  async get(key: string): Promise<string | null> {
    try {
      return await this.redis.get(this.prefix + key);
    } catch {
      return null;
    }
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    try {
      await this.redis.set(this.prefix + key, value, 'EX', ttlSeconds);
    } catch {
      /* a cold cache is slower, not broken */
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.redis.del(this.prefix + key);
    } catch {
      /* as above */
    }
  }
}

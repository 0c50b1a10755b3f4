import { BoundedCache } from '../../app/src/bounded-cache';

describe('BoundedCache', () => {
  it('drops the least recently used value when full', () => {
    const cache = new BoundedCache<string, number>({ maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // now b is the least recently used
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
    expect(cache.size).toBe(2);
  });

  it('forgets a value older than its ttl', () => {
    let now = 1_000;
    const cache = new BoundedCache<string, string>({ maxEntries: 10, ttlMs: 500, now: () => now });
    cache.set('k', 'v');
    now += 499;
    expect(cache.get('k')).toBe('v');
    now += 1;
    expect(cache.get('k')).toBeUndefined();
  });

  it('keeps a promise it made, but not one that failed', async () => {
    const cache = new BoundedCache<string, Promise<number>>({ maxEntries: 10 });
    let calls = 0;
    const failing = () => {
      calls += 1;
      return Promise.reject(new Error('down'));
    };
    await expect(cache.getOrSet('k', failing)).rejects.toThrow('down');
    await expect(cache.getOrSet('k', failing)).rejects.toThrow('down');
    expect(calls).toBe(2);
    const ok = cache.getOrSet('k', () => Promise.resolve(7));
    expect(cache.getOrSet('k', () => Promise.resolve(8))).toBe(ok);
  });

  it('refuses a size that is not a positive whole number, naming the field', () => {
    expect(() => new BoundedCache({ maxEntries: 0 })).toThrow(/'maxEntries' must be a positive whole number/);
  });
});

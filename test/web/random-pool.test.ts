import { randomBytesFromPool } from '../../app/src/web/random-pool';

describe('randomBytesFromPool', () => {
  it('hands out the requested sizes, never the same bytes twice, across pool refills', () => {
    const seen = new Set<string>();
    // 3 000 × 16 bytes is about twelve refills of the 4 KiB pool.
    for (let i = 0; i < 3_000; i += 1) {
      const bytes = randomBytesFromPool(16);
      expect(bytes).toHaveLength(16);
      seen.add(bytes.toString('hex'));
    }
    expect(seen.size).toBe(3_000);
  });

  it('returns copies: changing one does not change the pool or the next draw', () => {
    const a = randomBytesFromPool(8);
    a.fill(0);
    expect(randomBytesFromPool(8).equals(Buffer.alloc(8))).toBe(false);
  });

  it('serves a request larger than the pool directly', () => {
    expect(randomBytesFromPool(10_000)).toHaveLength(10_000);
  });
});

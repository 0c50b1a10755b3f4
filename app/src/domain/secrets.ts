import { createHash, timingSafeEqual } from 'node:crypto';

/** Compare secrets in constant time, whatever their lengths. */
export function secretsEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

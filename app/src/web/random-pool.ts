import { randomFillSync } from 'node:crypto';

/**
 * Bytes from the operating system's CSPRNG, fetched 4 KiB at a time and handed out in
 * small pieces. Every page needs a fresh CSP nonce and CSRF salt; asking the kernel
 * for 8 or 16 bytes each time cost more than rendering the page (Node's own
 * randomUUID keeps a pool the same way). No byte is ever handed out twice.
 */
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

export function randomBytesFromPool(size: number): Buffer {
  if (size > POOL_SIZE) return randomFillSync(Buffer.alloc(size));
  if (offset + size > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = Buffer.from(pool.subarray(offset, offset + size));
  offset += size;
  return bytes;
}

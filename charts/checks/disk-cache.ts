import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where derived schema artefacts live between runs: parsed CRDs and compiled ajv
 * validators. node_modules/.cache is the usual home for tool caches (babel, eslint),
 * ignored by git and private to the checkout, unlike a world-writable /tmp whose code
 * we would then execute.
 */
const CACHE_DIR = join(__dirname, '..', '..', 'node_modules', '.cache', 'manifest-checks');

export function contentHash(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

/**
 * The text cached under `name`, or what `produce` returns (then stored). Entries are
 * named by a hash of everything they derive from, so a stale entry is never read; a
 * cache that cannot be written only costs speed.
 */
export function cachedText(name: string, produce: () => string): string {
  const file = join(CACHE_DIR, name);
  try {
    return readFileSync(file, 'utf8');
  } catch {
    const text = produce();
    try {
      mkdirSync(CACHE_DIR, { recursive: true });
      const partial = `${file}.${process.pid}.tmp`;
      writeFileSync(partial, text);
      renameSync(partial, file); // atomic: a parallel test worker never reads half a file
    } catch {
      // read-only checkout: fine, just slower
    }
    return text;
  }
}

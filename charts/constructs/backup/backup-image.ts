/**
 * What the backup image carries, read from its Dockerfile: the image itself is built,
 * scanned, signed and pushed by .github/workflows/backup-image.yml, and its digest is
 * data (`backup.image` in the environment file, moved by `npm run promote --image backup`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const BACKUP_DOCKERFILE = join(__dirname, '..', '..', '..', 'ops', 'backup', 'Dockerfile');

/**
 * The major version of the PostgreSQL client the Dockerfile installs
 * (`postgresql-client-<major>`). pg_dump refuses to dump a server of a newer major
 * version ("aborting because of server version mismatch"), so it must be at least the
 * server's. Throws when the Dockerfile names no versioned client: an unversioned
 * `postgresql-client` follows the distribution and cannot be compared.
 */
export function postgresClientMajorVersion(dockerfile: string, file = 'ops/backup/Dockerfile'): number {
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => /^\s*RUN\b/.test(line));
  const versions = instructions.flatMap((line) => [...line.matchAll(/\bpostgresql-client-(\d+)\b/g)].map((m) => Number(m[1])));
  if (versions.length !== 1) {
    throw new Error(`${file}: expected exactly one "postgresql-client-<major>" in a RUN instruction, found ${versions.length}`);
  }
  return versions[0];
}

export function backupClientMajorVersion(): number {
  return postgresClientMajorVersion(readFileSync(BACKUP_DOCKERFILE, 'utf8'));
}

import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Database } from '../../../app/src/db/database';
import type { Learner } from '../../../app/src/domain/learning-database';
import type { Tier } from '../../../app/src/domain/tiers';

/** Small fixture course: chapters 1–5 (4 and 5 premium), quizzes for 1, 2 and 4. */
export const FIXTURE_CONTENT = path.join(__dirname, 'fixtures', 'content');

/** A learner row written straight to the database (accounts are not under test here). */
export async function insertLearner(db: Database, opts: { tier?: Tier; timezone?: string } = {}): Promise<Learner> {
  const id = randomUUID();
  const now = new Date('2026-01-01T00:00:00Z').toISOString();
  await db.write('users').insert({
    id,
    email: `${id}@example.test`,
    password_hash: 'not-a-real-hash',
    name: null,
    tier: opts.tier ?? 'free',
    timezone: opts.timezone ?? 'UTC',
    created_at: now,
    updated_at: now,
  });
  return { id, tier: opts.tier ?? 'free', timezone: opts.timezone ?? 'UTC' };
}

/** A writable copy of the fixture content, for tests that edit or break files. */
export function copyFixtureContent(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cc-content-'));
  cpSync(FIXTURE_CONTENT, dir, { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

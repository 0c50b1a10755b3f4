import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FixedClock } from '../../../app/src/clock';
import type { Database } from '../../../app/src/db/database';
import { openStores, type Stores } from '../../../app/src/db/stores';
import { loadCourseContent } from '../../../app/src/domain/content-loader';
import type { Learner } from '../../../app/src/domain/learner';
import type { Tier } from '../../../app/src/domain/tiers';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from '../../support/databases';
import { startApi, type TestApi } from '../../support/http';

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
  return { id, email: `${id}@example.test`, tier: opts.tier ?? 'free', timezone: opts.timezone ?? 'UTC' };
}

/** A writable copy of the fixture content, for tests that edit or break files. */
export function copyFixtureContent(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cc-content-'));
  cpSync(FIXTURE_CONTENT, dir, { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The api over a fresh database of `kind` holding the fixture course, its clock at a fixed noon. */
export async function startFixtureApi(kind: DatabaseKind): Promise<TestApi> {
  const api = await startApi(kind, { clock: new FixedClock(new Date('2026-03-02T12:00:00Z')) });
  await loadCourseContent(api.db, FIXTURE_CONTENT, api.clock);
  return api;
}

/** A fresh database of `kind` holding the fixture course, for tests of the domain functions. */
export async function createFixtureDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  const testDb = await createTestDatabase(kind);
  await loadCourseContent(testDb.db, FIXTURE_CONTENT, new FixedClock(new Date('2026-01-01T00:00:00Z')));
  return testDb;
}

/**
 * A fixture database with its stores for one describe block: made before its tests,
 * dropped after them. Read `testDb` and `stores` inside the tests, not at collection.
 */
export function fixtureStores(kind: DatabaseKind): { readonly testDb: TestDatabase; readonly stores: Stores } {
  const fixture = {} as { testDb: TestDatabase; stores: Stores };
  beforeAll(async () => {
    fixture.testDb = await createFixtureDatabase(kind);
    fixture.stores = openStores(fixture.testDb.db);
  });
  afterAll(async () => {
    await fixture.testDb?.drop();
  });
  return fixture;
}

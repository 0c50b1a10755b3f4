import { migrateLatest } from '../../../app/src/db/database';
import { migrationSource } from '../../../app/src/db/migrations';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../../support/databases';
import { insertLearner } from './support';

describe.each(DATABASE_KINDS)('time zones stored before migration 0005 on %s', (kind) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it('are rewritten to their current names; current names and UTC stay as they are', async () => {
    // By name: later migrations (other tables) may be applied on top of it.
    await testDb.db.write.migrate.down({ migrationSource, name: '0005_learning' });
    const calcutta = await insertLearner(testDb.db, { timezone: 'Asia/Calcutta' });
    const kiev = await insertLearner(testDb.db, { timezone: 'Europe/Kiev' });
    const paris = await insertLearner(testDb.db, { timezone: 'Europe/Paris' });
    const utc = await insertLearner(testDb.db, { timezone: 'UTC' });
    await migrateLatest(testDb.db);
    const zoneOf = async (id: string) => (await testDb.db.write('users').where({ id }).first<{ timezone: string }>('timezone')).timezone;
    expect(await Promise.all([calcutta, kiev, paris, utc].map((l) => zoneOf(l.id)))).toEqual([
      'Asia/Kolkata',
      'Europe/Kyiv',
      'Europe/Paris',
      'UTC',
    ]);
  });
});

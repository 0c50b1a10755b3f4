import { randomUUID } from 'node:crypto';
import { batchedLookup, type BatchedLookup } from '../../app/src/db/batched-lookup';
import { openStores } from '../../app/src/db/stores';
import { chapterState, learnerWithChapterState } from '../../app/src/domain/progress';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/databases';
import { createFixtureDatabase, insertLearner } from './learning/support';

const NOTE = batchedLookup<number, { id: number; body: string }>({
  name: 'test_batched_note',
  single: { sql: 'select id, body from batched_notes where id = ? limit 1', params: (id) => [id] },
  batch: {
    sql: `select q.batch_index, n.id, n.body
     from unnest(?::int[]) with ordinality as q(id, batch_index)
     join batched_notes n on n.id = q.id`,
    params: (ids) => [ids],
  },
});

/** Runs `work` and returns the prepared statements it ran, by name, in order. */
async function statementsRunBy(database: TestDatabase, work: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (q: { preparedStatement?: string }) => {
    if (q.preparedStatement) seen.push(q.preparedStatement);
  };
  database.db.write.on('query', listener);
  try {
    await work();
  } finally {
    database.db.write.off('query', listener);
  }
  return seen;
}

describe.each(DATABASE_KINDS)('batchedLookup on %s', (kind) => {
  let database: TestDatabase;
  let notes: BatchedLookup<number, { id: number; body: string }>;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    notes = NOTE.on(database.db.write);
    await database.db.write.schema.createTable('batched_notes', (t) => {
      t.integer('id').primary();
      t.string('body').notNullable();
    });
    await database.db.write('batched_notes').insert(Array.from({ length: 300 }, (_, i) => ({ id: i + 1, body: `note ${i + 1}` })));
  });
  afterAll(() => database.drop());

  it('answers each of many lookups made in the same turn with its own row (missing and repeated keys too)', async () => {
    const keys = [5, 1, 999, 5, 42, 3];
    const rows = await Promise.all(keys.map((id) => notes.load(id)));
    expect(rows).toEqual([
      { id: 5, body: 'note 5' },
      { id: 1, body: 'note 1' },
      undefined,
      { id: 5, body: 'note 5' },
      { id: 42, body: 'note 42' },
      { id: 3, body: 'note 3' },
    ]);
  });

  it('reads every time, never from a cache: a change between two lookups is seen by the second', async () => {
    expect(await notes.load(7)).toEqual({ id: 7, body: 'note 7' });
    await database.db.write('batched_notes').where({ id: 7 }).update({ body: 'edited' });
    expect(await notes.load(7)).toEqual({ id: 7, body: 'edited' });
  });

  it(
    kind === 'postgres'
      ? 'runs the lookups of one turn as one statement, at most 100 keys each'
      : 'runs the single statement per lookup (SQLite has no round trip to save)',
    async () => {
      const ids = Array.from({ length: 250 }, (_, i) => i + 1);
      let rows: unknown[] = [];
      const ran = await statementsRunBy(database, async () => {
        rows = await Promise.all(ids.map((id) => notes.load(id)));
      });
      expect(rows).toHaveLength(250);
      expect(rows[249]).toEqual({ id: 250, body: 'note 250' });
      if (kind === 'postgres') expect(ran).toEqual(['test_batched_note_batch', 'test_batched_note_batch', 'test_batched_note_batch']);
      else expect(ran).toEqual(ids.map(() => 'test_batched_note'));
    },
  );

  it('runs a lookup made alone as the single statement', async () => {
    const ran = await statementsRunBy(database, () => notes.load(9));
    expect(ran).toEqual(['test_batched_note']);
  });

  it('fails every lookup of a batch whose statement fails, and answers the next batch', async () => {
    const broken = batchedLookup<number, { id: number }>({
      name: `test_broken_${kind}`,
      single: { sql: 'select id from missing_table where id = ?', params: (id) => [id] },
      batch: {
        sql: 'select q.batch_index, m.id from unnest(?::int[]) with ordinality as q(id, batch_index) join missing_table m on m.id = q.id',
        params: (ids) => [ids],
      },
    });
    const brokenOnDb = broken.on(database.db.write);
    const outcomes = await Promise.allSettled([1, 2, 3].map((id) => brokenOnDb.load(id)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await Promise.all([1, 2].map((id) => notes.load(id)))).toEqual([
      { id: 1, body: 'note 1' },
      { id: 2, body: 'note 2' },
    ]);
  });
});

describe.each(DATABASE_KINDS)("the signed-in learner's lookups on %s, batched or not", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createFixtureDatabase(kind);
  });
  afterAll(() => database.drop());

  it('give each learner of a busy turn their own row and state of the chapter, as one at a time would', async () => {
    const db = database.db;
    const stores = openStores(db);
    const now = '2026-01-02T00:00:00.000Z';
    const done = await insertLearner(db, { tier: 'premium', timezone: 'Europe/Paris' });
    await db.write('chapter_progress').insert({ user_id: done.id, chapter_number: 2, completed_at: now });
    const attempted = await insertLearner(db);
    await db.write('quiz_attempts').insert({
      id: randomUUID(),
      user_id: attempted.id,
      chapter_number: 2,
      score: 1,
      max_score: 5,
      percentage: 20,
      passed: false,
      answers_json: '{}',
      created_at: now,
    });
    const positioned = await insertLearner(db);
    await db
      .write('chapter_positions')
      .insert({ user_id: positioned.id, chapter_number: 2, section_anchor: null, started_at: now, viewed_at: now });
    const fresh = await insertLearner(db);
    const lockedOut = await insertLearner(db);
    const learners = [done, attempted, positioned, fresh, lockedOut];
    const asks = [...learners.map((l) => ({ id: l.id, chapter: l === lockedOut ? 4 : 2 })), { id: randomUUID(), chapter: 2 }];

    const oneAtATime = [];
    for (const ask of asks) oneAtATime.push(await learnerWithChapterState(stores.learners, ask.id, ask.chapter));
    const together = await Promise.all(asks.map((ask) => learnerWithChapterState(stores.learners, ask.id, ask.chapter)));

    expect(together).toEqual(oneAtATime);
    expect(together.map((r) => r?.state)).toEqual(['done', 'in_progress', 'in_progress', 'not_started', 'locked', undefined]);
    expect(together[0]?.learner).toEqual({ id: done.id, email: `${done.id}@example.test`, tier: 'premium', timezone: 'Europe/Paris' });
    // The chapter view's state is the state every other page shows.
    for (const [index, learner] of learners.entries()) {
      expect(together[index]?.state).toBe(await chapterState(stores, learner, asks[index].chapter));
    }

    const signedIn = await Promise.all([...learners.map((l) => l.id), 'no-such-learner'].map((id) => stores.learners.find(id)));
    expect(signedIn.map((l) => l?.id ?? null)).toEqual([...learners.map((l) => l.id), null]);
    expect(signedIn[0]).toEqual({ id: done.id, email: `${done.id}@example.test`, tier: 'premium', timezone: 'Europe/Paris' });
  });
});

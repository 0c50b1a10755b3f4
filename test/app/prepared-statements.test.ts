import { preparedStatement } from '../../app/src/db/prepared';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/databases';

const NOTE_BY_ID = preparedStatement<{ id: number; body: string }>(
  'test_note_by_id',
  'select id, body from prepared_notes where id = ? limit 1',
);
const NOTE_BY_BODY = preparedStatement<{ id: number }>('test_note_by_body', 'select id from prepared_notes where body = ?');
const NOTES_FROM = preparedStatement<{ id: number }>('test_notes_from', 'select id from prepared_notes where id >= ? order by id');

describe('preparedStatement: SQL checked once, where it is written', () => {
  it('refuses a name that is not a plain identifier', () => {
    expect(() => preparedStatement('Bad Name', 'select 1')).toThrow(/name "Bad Name"/);
  });

  it('refuses quotes, comments and ";", which would hide a "?" that is not a parameter', () => {
    expect(() => preparedStatement('q1', "select 1 where 'a?' = ?")).toThrow(/no quotes/);
    expect(() => preparedStatement('q2', 'select 1 -- ?')).toThrow(/no quotes/);
    expect(() => preparedStatement('q3', 'select 1; drop table users')).toThrow(/no quotes/);
  });
});

describe.each(DATABASE_KINDS)('preparedStatement on %s', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await database.db.write.schema.createTable('prepared_notes', (t) => {
      t.integer('id').primary();
      t.string('body').notNullable();
    });
    await database.db.write('prepared_notes').insert([
      { id: 1, body: 'one' },
      { id: 2, body: 'two' },
      { id: 3, body: 'three' },
    ]);
  });
  afterAll(() => database.drop());

  it('returns the rows, in order, with parameters bound (run twice: the second run reuses the prepared statement)', async () => {
    for (let run = 0; run < 2; run++) {
      expect(await NOTES_FROM.rows(database.db.write, [2])).toEqual([{ id: 2 }, { id: 3 }]);
      expect(await NOTE_BY_ID.first(database.db.write, [3])).toEqual({ id: 3, body: 'three' });
    }
    expect(await NOTE_BY_ID.first(database.db.write, [42])).toBeUndefined();
  });

  it("is reported to knex's query listeners like every other statement (DATABASE_ECHO)", async () => {
    const seen: string[] = [];
    const listener = (q: { sql: string }) => seen.push(q.sql);
    database.db.write.on('query', listener);
    try {
      await NOTE_BY_ID.first(database.db.write, [1]);
    } finally {
      database.db.write.off('query', listener);
    }
    expect(seen).toEqual(['select id, body from prepared_notes where id = ? limit 1']);
  });

  it('treats a parameter as a value, never as SQL', async () => {
    expect(await NOTE_BY_BODY.rows(database.db.write, ["one' or '1' = '1"])).toEqual([]);
    expect(await NOTE_BY_BODY.rows(database.db.write, ['one'])).toEqual([{ id: 1 }]);
  });

  it('refuses the wrong number of parameters before reaching the database', async () => {
    await expect(NOTE_BY_ID.rows(database.db.write, [])).rejects.toThrow(/takes 1 parameters, not 0/);
  });

  it("never runs inside another caller's open transaction: it sees only committed rows", async () => {
    const trx = await database.db.write.transaction();
    await trx('prepared_notes').insert({ id: 4, body: 'uncommitted' });
    // On SQLite the one connection is held by the transaction: the read waits for it.
    const read = NOTE_BY_ID.first(database.db.write, [4]);
    await trx.rollback();
    expect(await read).toBeUndefined();
  });

  it('gives the connection back to the pool, also after an error', async () => {
    const broken = preparedStatement('test_broken', 'select missing_column from prepared_notes where id = ?');
    for (let i = 0; i < 20; i++) {
      const outcome = await broken.rows(database.db.write, [1]).then(
        (rows) => ({ rows }),
        (error: Error) => ({ error: error.message }),
      );
      expect(outcome).toEqual({ error: expect.stringMatching(/missing_column/) });
    }
    expect(await NOTE_BY_ID.first(database.db.write, [1])).toEqual({ id: 1, body: 'one' });
  });

  it('keeps only its own statements: a setting one knex query makes (safeIntegers) never reaches the next', async () => {
    const query = () => database.db.write('prepared_notes').select('id').where({ id: 1 });
    if (kind === 'sqlite') expect(await query().options({ safeIntegers: true })).toEqual([{ id: BigInt(1) }]);
    expect(await query()).toEqual([{ id: 1 }]);
  });
});

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { systemClock } from '../../app/src/clock';
import { openDatabase, type Database } from '../../app/src/db/database';
import { loadCourseContent } from '../../app/src/domain/content-loader';
import { adminQuery as admin, createTestDatabase, type TestDatabase } from '../support/databases';
import { signUp, startApi, type TestApi } from '../support/http';

const CONTENT_DIR = path.resolve(__dirname, '../../app/content');

/**
 * DATABASE_READ_URL: read-only queries go to the replica. A real replica cannot run
 * here, so the "replica" is the same database reached as a role whose every
 * transaction is read-only: a write sent there fails loudly, exactly as on a hot
 * standby, and the read pool's queries are counted.
 */
describe('read replica (DATABASE_READ_URL) on PostgreSQL', () => {
  const role = `cc_replica_${randomBytes(4).toString('hex')}`;
  let primary: TestDatabase;
  let db: Database;
  let api: TestApi;
  const readPoolSql: string[] = [];
  const writePoolSql: string[] = [];

  beforeAll(async () => {
    primary = await createTestDatabase('postgres');
    await admin(`CREATE ROLE ${role} LOGIN`);
    await admin(`ALTER ROLE ${role} SET default_transaction_read_only = on`);
    await admin(`GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`, primary.url);
    const readUrl = new URL(primary.url);
    readUrl.username = role;
    db = openDatabase({ url: primary.url, readUrl: readUrl.toString(), poolSize: 3 });
    db.read.on('query', (q: { sql: string }) => readPoolSql.push(q.sql));
    db.write.on('query', (q: { sql: string }) => writePoolSql.push(q.sql));
    await loadCourseContent(db, CONTENT_DIR, systemClock);
    api = await startApi('postgres', { database: { db, url: primary.url, drop: async () => undefined } });
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await db?.close();
    await primary?.drop();
    await admin(`DROP ROLE IF EXISTS ${role}`);
  });

  it('serves a whole learning session with reads on the replica and every write on the primary', async () => {
    const learner = await signUp(api);
    const token = learner.access_token;
    const calls: [string, string, unknown?][] = [
      ['GET', '/api/v1/course'],
      ['GET', '/api/v1/chapters/1'],
      ['PUT', '/api/v1/progress/position', { chapter_number: 1 }],
      ['POST', '/api/v1/progress/views', { chapter_number: 2 }],
      ['POST', '/api/v1/chapters/1/complete'],
      ['GET', '/api/v1/chapters/1/quiz'],
      ['POST', '/api/v1/chapters/1/quiz/attempts', { answers: {} }],
      ['GET', '/api/v1/chapters/1/quiz/attempts'],
      ['GET', '/api/v1/progress'],
      ['GET', '/api/v1/search?q=drift'],
      ['GET', '/api/v1/me/export'],
    ];
    const statuses: string[] = [];
    for (const [method, url, body] of calls) {
      const res = await api.request(method, url, { token, body });
      statuses.push(`${method} ${url} ${res.status}${res.status >= 400 ? ` ${res.text}` : ''}`);
    }
    expect(statuses.filter((s) => !/ 2\d\d$/.test(s))).toEqual([]);

    // The replica answered reads and was never asked to write (it would have refused).
    expect(readPoolSql.length).toBeGreaterThan(0);
    expect(readPoolSql.filter((sql) => !/^\s*(select|with)\b/i.test(sql))).toEqual([]);
    expect(writePoolSql.some((sql) => /^\s*insert into "quiz_attempts"/i.test(sql))).toBe(true);
  });

  it('shows a learner’s own fresh write on the progress page', async () => {
    const learner = await signUp(api);
    await api.request('POST', '/api/v1/chapters/2/complete', { token: learner.access_token });
    const progress = await api.request('GET', '/api/v1/progress', { token: learner.access_token });
    expect(progress.status).toBe(200);
    expect(progress.body.completed_chapters).toBe(1);
  });
});

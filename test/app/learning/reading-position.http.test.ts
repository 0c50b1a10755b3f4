import { migrationSource } from '../../../app/src/db/migrations';
import { openStores } from '../../../app/src/db/stores';
import { DATABASE_KINDS } from '../../support/databases';
import { signUp, type TestApi } from '../../support/http';
import { insertLearner, startFixtureApi } from './support';

/**
 * Reading positions per chapter (issue 16, defect 4) recorded by a POST that writes only
 * what changed (issue 14), over HTTP and the store, on both databases.
 */
describe.each(DATABASE_KINDS)('reading positions on %s', (kind) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startFixtureApi(kind);
  });
  afterAll(async () => {
    await api.close();
  });

  const stateOf = async (token: string, number: number) =>
    (await api.request('GET', '/api/v1/progress', { token })).body.chapters.find((c: { number: number }) => c.number === number).state;

  it('keeps chapter 1 started after chapter 2 is opened', async () => {
    const { access_token: token } = await signUp(api);
    // The deprecated PUT, so this test also ran against the version before the fix.
    await api.request('PUT', '/api/v1/progress/position', { token, body: { chapter_number: 1 } });
    await api.request('PUT', '/api/v1/progress/position', { token, body: { chapter_number: 2 } });
    expect(await stateOf(token, 1)).toBe('in_progress');
    expect(await stateOf(token, 2)).toBe('in_progress');
    const course = await api.request('GET', '/api/v1/course', { token });
    expect(course.body.chapters.slice(0, 3).map((c: { state: string }) => c.state)).toEqual(['in_progress', 'in_progress', 'not_started']);
  });

  it('resumes at the chapter viewed last, at the section last read in it', async () => {
    const { access_token: token } = await signUp(api);
    const view = async (body: object) => (await api.request('POST', '/api/v1/progress/views', { token, body })).status;
    expect(await view({ chapter_number: 2, section_anchor: 'pod-lifecycle' })).toBe(204);
    api.clock.advance(1000);
    expect(await view({ chapter_number: 1 })).toBe(204);
    expect((await api.request('GET', '/api/v1/progress', { token })).body.resume).toEqual({ chapter_number: 1, section_anchor: null });
    api.clock.advance(1000);
    // A view without a section keeps the section already read in that chapter.
    expect(await view({ chapter_number: 2 })).toBe(204);
    expect((await api.request('GET', '/api/v1/progress', { token })).body.resume).toEqual({
      chapter_number: 2,
      section_anchor: 'pod-lifecycle',
    });
  });

  it('refuses a section the chapter does not have, a locked chapter and a missing token', async () => {
    const { access_token: token } = await signUp(api);
    const bad = await api.request('POST', '/api/v1/progress/views', { token, body: { chapter_number: 2, section_anchor: 'nope' } });
    expect([bad.status, bad.body.code]).toEqual([400, 'bad_request']);
    const locked = await api.request('POST', '/api/v1/progress/views', { token, body: { chapter_number: 4 } });
    expect([locked.status, locked.body.code]).toEqual([403, 'upgrade_required']);
    expect((await api.request('POST', '/api/v1/progress/views', { body: { chapter_number: 1 } })).status).toBe(401);
  });

  describe('a view that changes nothing', () => {
    it('updates no row: the conditional upsert reports none affected', async () => {
      const stores = openStores(api.db);
      const learner = await insertLearner(api.db);
      const view = { chapter_number: 2, section_anchor: 'what-a-pod-is' };
      expect(await stores.progress.recordView(learner.id, view, '2026-03-02T12:00:00.000Z')).toBe(true);
      expect(await stores.progress.recordView(learner.id, view, '2026-03-02T12:00:05.000Z')).toBe(false);
      expect(await stores.progress.recordView(learner.id, { chapter_number: 2, section_anchor: null }, '2026-03-02T12:00:06.000Z')).toBe(
        false,
      );
      const row = await api.db.read('chapter_positions').where({ user_id: learner.id }).first();
      expect(row.viewed_at).toBe('2026-03-02T12:00:00.000Z');
    });

    it('writes again when the section moves or another chapter was viewed since', async () => {
      const stores = openStores(api.db);
      const learner = await insertLearner(api.db);
      const record = (chapter: number, anchor: string | null, at: string) =>
        stores.progress.recordView(learner.id, { chapter_number: chapter, section_anchor: anchor }, at);
      expect(await record(2, null, '2026-03-02T12:00:00.000Z')).toBe(true);
      expect(await record(2, 'pod-lifecycle', '2026-03-02T12:00:01.000Z')).toBe(true);
      expect(await record(1, null, '2026-03-02T12:00:02.000Z')).toBe(true);
      expect(await record(2, null, '2026-03-02T12:00:03.000Z')).toBe(true);
      expect(await record(2, null, '2026-03-02T12:00:04.000Z')).toBe(false);
      const rows = await api.db.read('chapter_positions').where({ user_id: learner.id }).orderBy('chapter_number');
      expect(rows.map((r) => [r.chapter_number, r.section_anchor, r.started_at, r.viewed_at])).toEqual([
        [1, null, '2026-03-02T12:00:02.000Z', '2026-03-02T12:00:02.000Z'],
        [2, 'pod-lifecycle', '2026-03-02T12:00:00.000Z', '2026-03-02T12:00:03.000Z'],
      ]);
    });

    // PostgreSQL locks the row of an ON CONFLICT DO UPDATE even when its WHERE fails.
    (kind === 'postgres' ? it : it.skip)('takes no row lock: a view waits for no other transaction', async () => {
      const stores = openStores(api.db);
      const learner = await insertLearner(api.db);
      const view = { chapter_number: 1, section_anchor: null };
      await stores.progress.recordView(learner.id, view, '2026-03-02T12:00:00.000Z');
      const holder = await api.db.write.transaction();
      try {
        await holder('chapter_positions').where({ user_id: learner.id }).forUpdate();
        const outcome = await Promise.race([
          stores.progress.recordView(learner.id, view, '2026-03-02T12:00:01.000Z'),
          new Promise((resolve) => setTimeout(() => resolve('blocked'), 3000)),
        ]);
        expect(outcome).toBe(false);
      } finally {
        await holder.rollback();
      }
    });

    it('over HTTP leaves the rows as they were, activity day included', async () => {
      const { access_token: token, user } = await signUp(api);
      const body = { chapter_number: 1 };
      await api.request('POST', '/api/v1/progress/views', { token, body });
      const before = await api.db.read('chapter_positions').where({ user_id: user.id });
      api.clock.advance(60_000);
      expect((await api.request('POST', '/api/v1/progress/views', { token, body })).status).toBe(204);
      expect(await api.db.read('chapter_positions').where({ user_id: user.id })).toEqual(before);
      expect(await api.db.read('activity_days').where({ user_id: user.id })).toHaveLength(1);
    });
  });

  it('copies the reading position the previous version kept (migration 0004)', async () => {
    const learner = await insertLearner(api.db);
    await api.db.write.migrate.down({ migrationSource, name: '0004_chapter_positions' });
    try {
      await api.db.write('reading_positions').insert({
        user_id: learner.id,
        chapter_number: 3,
        section_anchor: 'rollback',
        updated_at: '2026-02-01T08:00:00.000Z',
      });
    } finally {
      await api.db.write.migrate.up({ migrationSource, name: '0004_chapter_positions' });
    }
    const rows = await api.db.read('chapter_positions').where({ user_id: learner.id });
    expect(rows.map((r) => [r.chapter_number, r.section_anchor, r.started_at, r.viewed_at])).toEqual([
      [3, 'rollback', '2026-02-01T08:00:00.000Z', '2026-02-01T08:00:00.000Z'],
    ]);
  });
});

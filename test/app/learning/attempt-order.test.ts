import { migrateLatest } from '../../../app/src/db/database';
import { migrationSource } from '../../../app/src/db/migrations';
import { DATABASE_KINDS } from '../../support/databases';
import { fixtureStores, insertLearner } from './support';

const attempt = (id: string, userId: string, score: number) => ({
  id,
  user_id: userId,
  chapter_number: 1,
  score,
  max_score: 4,
  percentage: score * 25,
  passed: score >= 3,
  answers_json: '{}',
  // The same millisecond: only the order of storing can tell them apart.
  created_at: '2026-03-02T12:00:00.000Z',
});

describe.each(DATABASE_KINDS)('the order of quiz attempts on %s', (kind) => {
  const fixture = fixtureStores(kind);

  it('takes the attempt stored last as the last one, even within one millisecond', async () => {
    const learner = await insertLearner(fixture.testDb.db);
    // Ids chosen so that ordering by id would give the opposite answer.
    await fixture.stores.progress.addAttempt(attempt('ffffffff-0000-4000-8000-000000000000', learner.id, 4));
    await fixture.stores.progress.addAttempt(attempt('00000000-0000-4000-8000-000000000000', learner.id, 1));
    await fixture.stores.progress.addAttempt(attempt('88888888-0000-4000-8000-000000000000', learner.id, 2));
    const newestFirst = await fixture.stores.progress.primary.attempts(learner.id, 1);
    expect(newestFirst.map((a) => a.score)).toEqual([2, 1, 4]);
    const oldestFirst = await fixture.stores.progress.primary.attemptScores(learner.id, 1);
    expect(oldestFirst.map((a) => a.score)).toEqual([4, 1, 2]);
  });

  it('numbers attempts stored before the migration in their old order, and later ones after them', async () => {
    const learner = await insertLearner(fixture.testDb.db);
    // By name: later migrations (other tables) may be applied on top of it.
    await fixture.testDb.db.write.migrate.down({ migrationSource, name: '0005_learning' });
    try {
      const at = (minute: number) => `2026-03-02T12:0${minute}:00.000Z`;
      await fixture.testDb.db.write('quiz_attempts').insert([
        { ...attempt('cccccccc-0000-4000-8000-000000000000', learner.id, 1), created_at: at(1) },
        { ...attempt('bbbbbbbb-0000-4000-8000-000000000000', learner.id, 2), created_at: at(2) },
        { ...attempt('aaaaaaaa-0000-4000-8000-000000000000', learner.id, 3), created_at: at(3) },
      ]);
    } finally {
      await migrateLatest(fixture.testDb.db);
    }
    await fixture.stores.progress.addAttempt(attempt('00000000-1111-4000-8000-000000000000', learner.id, 4));
    const oldestFirst = await fixture.stores.progress.primary.attemptScores(learner.id, 1);
    expect(oldestFirst.map((a) => a.score)).toEqual([1, 2, 3, 4]);
  });
});

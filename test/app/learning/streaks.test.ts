import { FixedClock } from '../../../app/src/clock';
import { completeChapter, getProgress } from '../../../app/src/domain/progress';
import { recordChapterView, setReadingPosition } from '../../../app/src/domain/reading';
import { computeStreak, localDate, previousDate } from '../../../app/src/domain/streaks';
import { DATABASE_KINDS } from '../../support/databases';
import { fixtureStores, insertLearner } from './support';

describe('local dates', () => {
  it.each([
    ['2026-03-08T04:59:00Z', 'America/New_York', '2026-03-07'], // 23:59 EST
    ['2026-03-08T05:00:00Z', 'America/New_York', '2026-03-08'], // 00:00 EST, the 23-hour day
    ['2026-03-09T03:59:00Z', 'America/New_York', '2026-03-08'], // 23:59 EDT
    ['2026-11-01T04:00:00Z', 'America/New_York', '2026-11-01'], // 00:00 EDT, the 25-hour day
    ['2026-11-02T04:59:00Z', 'America/New_York', '2026-11-01'], // 23:59 EST
    ['2026-01-01T10:00:00Z', 'Pacific/Kiritimati', '2026-01-02'], // UTC+14
    ['2026-01-01T10:00:00Z', 'Not/A_Zone', '2026-01-01'], // unknown zone counts as UTC
  ])('%s in %s is %s', (instant, zone, expected) => {
    expect(localDate(new Date(instant), zone)).toBe(expected);
  });

  it('agrees with formatToParts in every zone the runtime knows, hour by hour across a year', () => {
    const disagreements: string[] = [];
    for (const zone of Intl.supportedValuesOf('timeZone')) {
      const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
      for (let hour = 0; hour < 366 * 24; hour += 97) {
        const instant = new Date(Date.UTC(2026, 0, 1) + hour * 3_600_000);
        const p = Object.fromEntries(f.formatToParts(instant).map((x) => [x.type, x.value]));
        if (localDate(instant, zone) !== `${p.year}-${p.month}-${p.day}`) disagreements.push(`${zone} ${instant.toISOString()}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('steps back over month, year and leap-day boundaries', () => {
    expect(previousDate('2026-03-01')).toBe('2026-02-28');
    expect(previousDate('2028-03-01')).toBe('2028-02-29');
    expect(previousDate('2026-01-01')).toBe('2025-12-31');
  });
});

describe('computing a streak', () => {
  it('is zero with no activity', () => {
    expect(computeStreak([], '2026-05-10')).toEqual({ current: 0, longest: 0, last_active_date: null });
  });

  it('stays current through today when yesterday had activity', () => {
    expect(computeStreak(['2026-05-08', '2026-05-09'], '2026-05-10')).toMatchObject({ current: 2, longest: 2 });
  });

  it('breaks after a whole day without activity, keeping the longest', () => {
    expect(computeStreak(['2026-05-01', '2026-05-02', '2026-05-03', '2026-05-07', '2026-05-08'], '2026-05-10')).toEqual({
      current: 0,
      longest: 3,
      last_active_date: '2026-05-08',
    });
  });

  it('counts today', () => {
    expect(computeStreak(['2026-05-09', '2026-05-10'], '2026-05-10').current).toBe(2);
  });
});

describe.each(DATABASE_KINDS)('streaks and progress on %s', (kind) => {
  const fixture = fixtureStores(kind);

  // Issue 14: a page view is the hottest write; both of its statements are prepared once
  // per connection (knex.raw and the builder compiled them anew on every view).
  it('records a view with prepared statements only, the repeat writing nothing', async () => {
    const learner = await insertLearner(fixture.testDb.db);
    const clock = new FixedClock(new Date('2026-05-10T14:30:00Z'));
    const seen: { sql: string; preparedStatement?: string }[] = [];
    const listener = (q: { sql: string; preparedStatement?: string }) => seen.push(q);
    fixture.testDb.db.write.on('query', listener);
    try {
      expect(await recordChapterView(fixture.stores, learner, { chapter_number: 1 }, clock)).toEqual({
        position_changed: true,
        activity_day_added: true,
      });
      expect(await recordChapterView(fixture.stores, learner, { chapter_number: 1 }, clock)).toEqual({
        position_changed: false,
        activity_day_added: false,
      });
    } finally {
      fixture.testDb.db.write.off('query', listener);
    }
    const writes = seen.filter((q) => /^\s*insert/i.test(q.sql));
    expect(writes.map((q) => q.preparedStatement)).toEqual([
      'record_chapter_view',
      'record_activity_day',
      'record_chapter_view',
      'record_activity_day',
    ]);
  });

  it("counts activity on the learner's side of midnight, not UTC's", async () => {
    const learner = await insertLearner(fixture.testDb.db, { timezone: 'Asia/Tokyo' });
    // 23:30 and 00:30 in Tokyo (UTC+9): two local days one hour apart, one UTC day.
    const clock = new FixedClock(new Date('2026-05-10T14:30:00Z'));
    await completeChapter(fixture.stores, learner, 1, clock);
    clock.set('2026-05-10T15:30:00Z');
    await completeChapter(fixture.stores, learner, 2, clock);
    const progress = await getProgress(fixture.stores, learner, clock);
    expect(progress.streak).toEqual({ current: 2, longest: 2, last_active_date: '2026-05-11', timezone: 'Asia/Tokyo' });
  });

  it('counts the 23-hour day of the spring DST change as one day (America/New_York, 2026-03-08)', async () => {
    const learner = await insertLearner(fixture.testDb.db, { timezone: 'America/New_York' });
    const clock = new FixedClock(new Date('2026-03-07T05:30:00Z')); // Mar 7 00:30 EST
    await setReadingPosition(fixture.stores, learner, { chapter_number: 1 }, clock);
    clock.set('2026-03-08T05:30:00Z'); // Mar 8 00:30 EST, 24 h later
    await setReadingPosition(fixture.stores, learner, { chapter_number: 1 }, clock);
    clock.set('2026-03-09T04:30:00Z'); // Mar 9 00:30 EDT, only 23 h later: still the next day
    await setReadingPosition(fixture.stores, learner, { chapter_number: 2 }, clock);
    const progress = await getProgress(fixture.stores, learner, clock);
    expect(progress.streak).toMatchObject({ current: 3, longest: 3, last_active_date: '2026-03-09' });
  });

  it('counts the 25-hour day of the autumn DST change as one day (America/New_York, 2026-11-01)', async () => {
    const learner = await insertLearner(fixture.testDb.db, { timezone: 'America/New_York' });
    const clock = new FixedClock(new Date('2026-11-01T04:30:00Z')); // Nov 1 00:30 EDT
    await setReadingPosition(fixture.stores, learner, { chapter_number: 1 }, clock);
    clock.set('2026-11-02T04:45:00Z'); // Nov 1 23:45 EST: 24 h 15 min later, the same day
    await setReadingPosition(fixture.stores, learner, { chapter_number: 1 }, clock);
    let progress = await getProgress(fixture.stores, learner, clock);
    expect(progress.streak).toMatchObject({ current: 1, longest: 1, last_active_date: '2026-11-01' });
    clock.set('2026-11-02T05:15:00Z'); // Nov 2 00:15 EST
    await setReadingPosition(fixture.stores, learner, { chapter_number: 1 }, clock);
    progress = await getProgress(fixture.stores, learner, clock);
    expect(progress.streak).toMatchObject({ current: 2, longest: 2, last_active_date: '2026-11-02' });
  });

  it('keeps the streak current the day after, and drops it the day after that', async () => {
    const learner = await insertLearner(fixture.testDb.db, { timezone: 'America/New_York' });
    const clock = new FixedClock(new Date('2026-06-01T16:00:00Z'));
    await completeChapter(fixture.stores, learner, 1, clock);
    clock.set('2026-06-03T03:59:00Z'); // Jun 2 23:59 EDT: no activity today yet
    expect((await getProgress(fixture.stores, learner, clock)).streak.current).toBe(1);
    clock.set('2026-06-03T04:00:00Z'); // Jun 3 00:00 EDT: yesterday was empty
    expect((await getProgress(fixture.stores, learner, clock)).streak).toMatchObject({ current: 0, longest: 1 });
  });

  it('reports completion, the overall percentage and the resume point', async () => {
    const learner = await insertLearner(fixture.testDb.db);
    const clock = new FixedClock(new Date('2026-04-01T09:00:00Z'));
    await completeChapter(fixture.stores, learner, 1, clock);
    clock.advance(3_600_000);
    const again = await completeChapter(fixture.stores, learner, 1, clock);
    await setReadingPosition(fixture.stores, learner, { chapter_number: 2, section_anchor: 'pod-lifecycle' }, clock);
    const progress = await getProgress(fixture.stores, learner, clock);
    expect(again.completed_chapters).toBe(1);
    expect(progress).toMatchObject({ overall_percentage: 20, completed_chapters: 1, total_chapters: 5 });
    expect(progress.resume).toEqual({ chapter_number: 2, section_anchor: 'pod-lifecycle' });
    expect(progress.chapters.map((c) => c.state)).toEqual(['done', 'in_progress', 'not_started', 'locked', 'locked']);
    expect(progress.chapters[0].completed_at).toBe('2026-04-01T09:00:00.000Z');
  });

  it('refuses a resume point at a section the chapter does not have', async () => {
    const learner = await insertLearner(fixture.testDb.db);
    await expect(
      setReadingPosition(fixture.stores, learner, { chapter_number: 2, section_anchor: 'no-such-section' }, new FixedClock(new Date())),
    ).rejects.toMatchObject({ code: 'bad_request' });
  });
});

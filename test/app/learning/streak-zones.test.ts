import fc from 'fast-check';
import { FixedClock } from '../../../app/src/clock';
import type { Learner } from '../../../app/src/domain/learner';
import { completeChapter, getProgress } from '../../../app/src/domain/progress';
import { computeStreak, localDate, type ActivityDay } from '../../../app/src/domain/streaks';
import { DATABASE_KINDS } from '../../support/databases';
import { fixtureStores, insertLearner } from './support';

/** Issue 16, defect 5: a change of time zone, across the date line above all, never costs an earned streak. */
describe.each(DATABASE_KINDS)('a time-zone change across the date line on %s', (kind) => {
  const fixture = fixtureStores(kind);

  /** A learner who learned at each instant (one chapter each) in `zone`. */
  async function learnedAt(zone: string, instants: readonly string[]): Promise<Learner> {
    const learner = await insertLearner(fixture.testDb.db, { timezone: zone });
    for (const [i, instant] of instants.entries())
      await completeChapter(fixture.stores, learner, (i % 3) + 1, new FixedClock(new Date(instant)));
    return learner;
  }

  async function movedTo(learner: Learner, zone: string): Promise<Learner> {
    await fixture.testDb.db.write('users').where({ id: learner.id }).update({ timezone: zone });
    return { ...learner, timezone: zone };
  }

  it('keeps a 3-day streak when the learner moves west, from UTC+14 to UTC-11', async () => {
    // Kiritimati Dec 1, 2 and 3 at 10:00 local (20:00 UTC the day before).
    const learner = await learnedAt('Pacific/Kiritimati', ['2026-11-30T20:00:00Z', '2026-12-01T20:00:00Z', '2026-12-02T20:00:00Z']);
    const clock = new FixedClock(new Date('2026-12-02T21:00:00Z')); // Dec 3 11:00 in Kiritimati, Dec 2 10:00 in Pago Pago
    const moved = await movedTo(learner, 'Pacific/Pago_Pago');
    const streak = (await getProgress(fixture.stores, moved, clock)).streak;
    expect(streak.current).toBe(3);
    // Never the learner's tomorrow: today in Pago Pago is Dec 2.
    expect(streak.last_active_date).toBe('2026-12-02');
  });

  it('keeps a 2-day streak when the learner moves east, from UTC-11 to UTC+14, and lets it grow', async () => {
    // Pago Pago Nov 29 and 30 at 20:00 local (07:00 UTC the next day).
    const learner = await learnedAt('Pacific/Pago_Pago', ['2026-11-30T07:00:00Z', '2026-12-01T07:00:00Z']);
    // Nov 30 23:30 in Pago Pago is Dec 2 00:30 in Kiritimati: Dec 1 was never the learner's.
    const clock = new FixedClock(new Date('2026-12-01T10:30:00Z'));
    const moved = await movedTo(learner, 'Pacific/Kiritimati');
    expect((await getProgress(fixture.stores, moved, clock)).streak.current).toBe(2);
    clock.set('2026-12-01T22:00:00Z'); // Dec 2 12:00 in Kiritimati
    await completeChapter(fixture.stores, moved, 2, clock);
    expect((await getProgress(fixture.stores, moved, clock)).streak).toMatchObject({ current: 3, last_active_date: '2026-12-02' });
  });

  it('still breaks a streak after a whole missed day in the new zone', async () => {
    const learner = await learnedAt('Pacific/Pago_Pago', ['2026-11-30T07:00:00Z']);
    const moved = await movedTo(learner, 'Pacific/Kiritimati');
    // Nov 29 in Pago Pago; Kiritimati then had Dec 1, 2 (skipped by the move) and 3 with no activity.
    const clock = new FixedClock(new Date('2026-12-03T11:00:00Z')); // Dec 4 01:00 in Kiritimati
    expect((await getProgress(fixture.stores, moved, clock)).streak.current).toBe(0);
  });
});

const ZONES = [
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
  'Pacific/Chatham',
  'Pacific/Auckland',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Europe/Berlin',
  'UTC',
  'America/St_Johns',
  'America/New_York',
  'Pacific/Honolulu',
];
const HOUR = 3_600_000;

/** What the database keeps: one row per local date, the first zone to record it wins. */
function record(days: Map<string, ActivityDay>, instant: number, zone: string): void {
  const day = localDate(new Date(instant), zone);
  if (!days.has(day)) days.set(day, { day, timezone: zone });
}

const streakAt = (days: Map<string, ActivityDay>, instant: number, zone: string) =>
  computeStreak([...days.values()], localDate(new Date(instant), zone), zone);

describe('streaks under any zone change (properties)', () => {
  // Steps under 23 hours never skip a local date, even over a 23-hour DST day.
  const scenario = fc.record({
    from: fc.constantFrom(...ZONES),
    to: fc.constantFrom(...ZONES),
    start: fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }),
    steps: fc.array(fc.integer({ min: 1, max: 22 * HOUR }), { minLength: 1, maxLength: 12 }),
    moveAfter: fc.integer({ min: 0, max: 22 * HOUR }),
    after: fc.array(fc.integer({ min: 1, max: 22 * HOUR }), { minLength: 1, maxLength: 6 }),
  });

  it('never lowers the current streak at the move, nor dates the last activity after today', () => {
    fc.assert(
      fc.property(scenario, ({ from, to, start, steps, moveAfter }) => {
        const days = new Map<string, ActivityDay>();
        let now = start;
        record(days, now, from);
        for (const step of steps) record(days, (now += step), from);
        const moveAt = now + moveAfter;
        const before = streakAt(days, moveAt, from);
        const after = streakAt(days, moveAt, to);
        expect(after.current).toBeGreaterThanOrEqual(before.current);
        expect(after.last_active_date! <= localDate(new Date(moveAt), to)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('keeps growing, never dropping, while the learner learns every day in the new zone', () => {
    fc.assert(
      fc.property(scenario, ({ from, to, start, steps, moveAfter, after }) => {
        const days = new Map<string, ActivityDay>();
        let now = start;
        record(days, now, from);
        for (const step of steps) record(days, (now += step), from);
        now += moveAfter;
        let previous = streakAt(days, now, from).current;
        record(days, now, to);
        for (const step of [0, ...after]) {
          if (step > 0) record(days, (now += step), to);
          const streak = streakAt(days, now, to);
          expect(streak.current).toBeGreaterThanOrEqual(previous);
          expect(streak.last_active_date! <= localDate(new Date(now), to)).toBe(true);
          previous = streak.current;
        }
      }),
      { numRuns: 400 },
    );
  });

  it('counts exactly as before for a learner who never changes zone', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 20 }), (zone, offsets) => {
        const dates = offsets.map((d) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10));
        const tagged = dates.map((day) => ({ day, timezone: zone }));
        expect(computeStreak(tagged, '2026-02-15', zone)).toEqual(computeStreak(dates, '2026-02-15'));
      }),
    );
  });
});

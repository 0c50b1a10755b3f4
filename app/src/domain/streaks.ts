/**
 * Daily streaks on the learner's own calendar. Days are computed with
 * Intl.DateTimeFormat in the learner's IANA zone and stored as `YYYY-MM-DD`; streak
 * arithmetic then works on calendar dates, never on "24 hours ago", so the 23- and
 * 25-hour days of a DST change count as one day each.
 */
import { zoneOffsetMs } from '../zone-offset';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether the runtime knows this IANA zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The learner's calendar date at `instant`, as `YYYY-MM-DD`. An unknown zone counts as UTC. */
export function localDate(instant: Date, timeZone: string): string {
  const formatter = isValidTimeZone(timeZone) ? formatterFor(timeZone) : formatterFor('UTC');
  // en-US with 2-digit month and day formats as "MM/DD/YYYY": slicing it costs a third of
  // formatToParts, and every page view asks (issue 14). A test checks it against formatToParts.
  const us = formatter.format(instant);
  return `${us.slice(6)}-${us.slice(0, 2)}-${us.slice(3, 5)}`;
}

/** The calendar day before `day` (`YYYY-MM-DD`); pure date arithmetic, no time zone. */
export function previousDate(day: string): string {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, date - 1)).toISOString().slice(0, 10);
}

/** Whole calendar days from `earlier` to `later` (`YYYY-MM-DD`), negative when reversed. */
export function daysBetween(earlier: string, later: string): number {
  return Math.round((Date.parse(`${later}T00:00:00Z`) - Date.parse(`${earlier}T00:00:00Z`)) / 86_400_000);
}

/** The zone's offset from UTC in minutes at `instant` (east positive); an unknown zone counts as UTC. */
export function utcOffsetMinutes(timeZone: string, instant: Date): number {
  return Math.round(zoneOffsetMs(isValidTimeZone(timeZone) ? timeZone : 'UTC', instant.getTime()) / 60_000);
}

/** A day of learning and the zone it was counted in (null: recorded before zones were kept). */
export interface ActivityDay {
  readonly day: string;
  readonly timezone: string | null;
}

/**
 * Calendar days a move from zone `from` to zone `to` skips (0 when moving west or not
 * at all): after a move east by 25 hours the learner's date jumps by up to two days, and
 * those dates were never theirs to learn on, so they must not break a streak.
 */
function skippedByMove(from: ActivityDay, to: ActivityDay): number {
  const [fromZone, toZone] = [from.timezone, to.timezone];
  if (fromZone === null || toZone === null || fromZone === toZone) return 0;
  // Offsets at both ends: a daylight-saving change between them must not shrink the allowance.
  const eastward = Math.max(
    ...[from.day, to.day].map((day) => {
      const noon = new Date(`${day}T12:00:00Z`);
      return utcOffsetMinutes(toZone, noon) - utcOffsetMinutes(fromZone, noon);
    }),
  );
  return Math.max(0, Math.ceil(eastward / 1440));
}

export interface Streak {
  readonly current: number;
  readonly longest: number;
  readonly last_active_date: string | null;
}

const asActivityDay = (day: string | ActivityDay): ActivityDay => (typeof day === 'string' ? { day, timezone: null } : day);

/** Whether learning on `later` continues a streak whose previous day was `earlier`. */
function continues(earlier: ActivityDay, later: ActivityDay): boolean {
  return daysBetween(earlier.day, later.day) <= 1 + skippedByMove(earlier, later);
}

/**
 * `days`: the local dates with any activity, each with the zone it was counted in.
 * The current streak runs back from today, or from yesterday when today has no activity
 * yet (the day is not over). A change of zone never costs a streak (issue 16, defect 5):
 * dates a move east skips do not break it, and after a move west the days recorded
 * ahead of the learner's new date count as today (so `last_active_date` is never the
 * learner's tomorrow). `timezone` is the learner's zone now.
 */
export function computeStreak(days: readonly (string | ActivityDay)[], today: string, timezone: string | null = null): Streak {
  const byDay = new Map(days.map((d) => [asActivityDay(d).day, asActivityDay(d)]));
  const ordered = [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  if (ordered.length === 0) return { current: 0, longest: 0, last_active_date: null };

  let longest = 0;
  let run = 0;
  let previous: ActivityDay | null = null;
  for (const day of ordered) {
    run = previous !== null && continues(previous, day) ? run + 1 : 1;
    longest = Math.max(longest, run);
    previous = day;
  }
  const last = ordered[ordered.length - 1];
  const now: ActivityDay = { day: last.day > today ? last.day : today, timezone };
  const current = continues(last, now) ? run : 0;
  return { current, longest, last_active_date: last.day > today ? today : last.day };
}

/**
 * Daily streaks on the learner's own calendar. Days are computed with
 * Intl.DateTimeFormat in the learner's IANA zone and stored as `YYYY-MM-DD`; streak
 * arithmetic then works on calendar dates, never on "24 hours ago", so the 23- and
 * 25-hour days of a DST change count as one day each.
 */
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
  const parts = Object.fromEntries(formatter.formatToParts(instant).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** The calendar day before `day` (`YYYY-MM-DD`); pure date arithmetic, no time zone. */
export function previousDate(day: string): string {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, date - 1)).toISOString().slice(0, 10);
}

export interface Streak {
  readonly current: number;
  readonly longest: number;
  readonly last_active_date: string | null;
}

/**
 * `days`: the local dates with any activity. The current streak runs back from today,
 * or from yesterday when today has no activity yet (the day is not over).
 */
export function computeStreak(days: readonly string[], today: string): Streak {
  const unique = [...new Set(days)].sort();
  if (unique.length === 0) return { current: 0, longest: 0, last_active_date: null };
  const active = new Set(unique);

  let longest = 0;
  let run = 0;
  let previous: string | null = null;
  for (const day of unique) {
    run = previous !== null && previousDate(day) === previous ? run + 1 : 1;
    longest = Math.max(longest, run);
    previous = day;
  }

  let cursor = active.has(today) ? today : previousDate(today);
  let current = 0;
  while (active.has(cursor)) {
    current += 1;
    cursor = previousDate(cursor);
  }
  return { current, longest, last_active_date: unique[unique.length - 1] };
}

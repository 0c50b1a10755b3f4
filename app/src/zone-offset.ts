/**
 * A time zone's offset from UTC at an instant, from the runtime's own zone data: the one
 * implementation behind the streak's day arithmetic and the maintenance window's cron.
 */

// One formatter per zone: building an Intl.DateTimeFormat costs far more than using one,
// and there are a few hundred zones at most.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * The zone's UTC offset at `at`, in ms, east positive (Go's `time.Now().In(loc).Zone()`).
 * No zone, or one the runtime does not know, is UTC: 0 (as Go does, "Using UTC as default").
 */
export function zoneOffsetMs(timeZone: string | undefined, at: number): number {
  if (timeZone === undefined || timeZone === '' || timeZone === 'UTC' || timeZone === 'Etc/UTC') return 0;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = formatterFor(timeZone).formatToParts(new Date(at));
  } catch {
    return 0;
  }
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(at / 1000) * 1000;
}

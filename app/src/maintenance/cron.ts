/**
 * Cron as Argo CD reads a sync window's `schedule`: robfig/cron v3 with
 * `cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)`
 * (argo-cd pkg/apis/application/v1alpha1/types.go, SyncWindows.active).
 *
 * Ported from github.com/robfig/cron at bc59245fe10efaed9d51b56900192527ed733435
 * (v3): parser.go (getField, getRange, parseIntOrName: exactly five fields, `*` and
 * `?` set the star bit, `N/step` means N-max, a step above 1 drops the star bit,
 * day-of-week 0-6 only, names jan-dec and sun-sat) and spec.go (Next: "the next time
 * this schedule is activated, greater than the given time"; dayMatches: when neither
 * day-of-month nor day-of-week is a star, a day matches if EITHER matches).
 *
 * Times are UTC epoch milliseconds: Argo CD converts the time to UTC before calling
 * Next, and a schedule without `CRON_TZ=` (refused here) keeps the time's location.
 */

interface Bounds {
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
};
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

/** One field: the values it allows, and whether it was written with `*` or `?` (robfig's starBit). */
export interface CronField {
  readonly values: ReadonlySet<number>;
  readonly star: boolean;
}

export interface CronSchedule {
  readonly spec: string;
  readonly minute: CronField;
  readonly hour: CronField;
  readonly dayOfMonth: CronField;
  readonly month: CronField;
  readonly dayOfWeek: CronField;
}

export class CronParseError extends Error {}

/** robfig parser.Parse with the five standard fields; throws what robfig would refuse. */
export function parseCron(spec: string): CronSchedule {
  if (spec.length === 0) throw new CronParseError('empty spec string');
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    throw new CronParseError('a time zone prefix; give the window its timeZone instead');
  }
  if (spec.startsWith('@')) throw new CronParseError(`parser does not accept descriptors: ${spec}`);
  const fields = spec.trim().split(/\s+/);
  if (fields.length !== 5) throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  return {
    spec,
    minute: field(fields[0], MINUTES),
    hour: field(fields[1], HOURS),
    dayOfMonth: field(fields[2], DOM),
    month: field(fields[3], MONTHS),
    dayOfWeek: field(fields[4], DOW),
  };
}

function field(text: string, bounds: Bounds): CronField {
  const values = new Set<number>();
  let star = false;
  for (const expr of text.split(',').filter((e) => e !== '')) {
    const range = rangeOf(expr, bounds);
    range.values.forEach((v) => values.add(v));
    star ||= range.star;
  }
  return { values, star };
}

function rangeOf(expr: string, bounds: Bounds): CronField {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    [start, end, star] = [bounds.min, bounds.max, true];
  } else {
    start = intOrName(lowAndHigh[0], bounds);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = intOrName(lowAndHigh[1], bounds);
    else throw new CronParseError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = positiveInt(rangeAndStep[1]);
    if (lowAndHigh.length === 1) end = bounds.max; // "N/step" means "N-max/step"
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) throw new CronParseError(`too many slashes: ${expr}`);
  if (start < bounds.min) throw new CronParseError(`beginning of range (${start}) below minimum (${bounds.min}): ${expr}`);
  if (end > bounds.max) throw new CronParseError(`end of range (${end}) above maximum (${bounds.max}): ${expr}`);
  if (start > end) throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  const values = new Set<number>();
  for (let v = start; v <= end; v += step) values.add(v);
  return { values, star };
}

function intOrName(expr: string, bounds: Bounds): number {
  const named = bounds.names?.[expr.toLowerCase()];
  return named ?? positiveInt(expr);
}

// strconv.Atoi, then "negative number not allowed".
function positiveInt(expr: string): number {
  if (!/^[+-]?[0-9]+$/.test(expr)) throw new CronParseError(`failed to parse int from ${expr}`);
  const n = Number.parseInt(expr, 10);
  if (n < 0) throw new CronParseError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

/** spec.go dayMatches: AND when either day field is a star, OR when both are restricted. */
export function dayMatches(schedule: CronSchedule, date: Date): boolean {
  const domMatch = schedule.dayOfMonth.values.has(date.getUTCDate());
  const dowMatch = schedule.dayOfWeek.values.has(date.getUTCDay());
  return schedule.dayOfMonth.star || schedule.dayOfWeek.star ? domMatch && dowMatch : domMatch || dowMatch;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** One field of robfig's search in spec.go Next, from the largest unit down. */
interface FieldSearch {
  readonly matches: (schedule: CronSchedule, t: Date) => boolean;
  /** Truncates to this field's unit, the first time any field moves `t` ("added"). */
  readonly truncate: (t: Date) => Date;
  /** One unit later. */
  readonly advance: (t: Date) => Date;
  /** The advance carried into the next larger unit: Go's `goto WRAP`, start over. */
  readonly wrapped: (t: Date) => boolean;
}

const SEARCH: readonly FieldSearch[] = [
  {
    matches: (s, t) => s.month.values.has(t.getUTCMonth() + 1),
    truncate: (t) => new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1)),
    advance: (t) =>
      new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds())),
    wrapped: (t) => t.getUTCMonth() === 0,
  },
  {
    matches: dayMatches,
    truncate: (t) => new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate())),
    advance: (t) => new Date(t.getTime() + 24 * HOUR), // AddDate(0, 0, 1); UTC has no DST
    wrapped: (t) => t.getUTCDate() === 1,
  },
  {
    matches: (s, t) => s.hour.values.has(t.getUTCHours()),
    truncate: (t) => new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours())),
    advance: (t) => new Date(t.getTime() + HOUR),
    wrapped: (t) => t.getUTCHours() === 0,
  },
  {
    matches: (s, t) => s.minute.values.has(t.getUTCMinutes()),
    truncate: (t) => new Date(Math.floor(t.getTime() / MINUTE) * MINUTE),
    advance: (t) => new Date(t.getTime() + MINUTE),
    wrapped: (t) => t.getUTCMinutes() === 0,
  },
  {
    // Seconds field "0": only second 0 matches.
    matches: (_s, t) => t.getUTCSeconds() === 0,
    truncate: (t) => new Date(Math.floor(t.getTime() / 1000) * 1000),
    advance: (t) => new Date(t.getTime() + 1000),
    wrapped: (t) => t.getUTCSeconds() === 0,
  },
];

/**
 * spec.go Next in UTC: the first activation strictly after `after`, or undefined when
 * none within five years (robfig returns the zero time). Seconds are always 0 (the
 * five-field parser fills the seconds field with "0").
 */
export function nextActivation(schedule: CronSchedule, after: number): number | undefined {
  // "Start at the earliest possible time (the upcoming second)."
  const search = { t: new Date(Math.floor(after / 1000) * 1000 + 1000), added: false };
  const yearLimit = search.t.getUTCFullYear() + 5;
  for (;;) {
    // WRAP:
    if (search.t.getUTCFullYear() > yearLimit) return undefined;
    if (SEARCH.every((field) => settle(field, schedule, search))) return search.t.getTime();
  }
}

/** Moves `t` on until the field matches; false when that wrapped into a larger unit (start over). */
function settle(field: FieldSearch, schedule: CronSchedule, search: { t: Date; added: boolean }): boolean {
  while (!field.matches(schedule, search.t)) {
    if (!search.added) {
      search.added = true;
      search.t = field.truncate(search.t);
    }
    search.t = field.advance(search.t);
    if (field.wrapped(search.t)) return false;
  }
  return true;
}

export { zoneOffsetMs } from '../zone-offset';

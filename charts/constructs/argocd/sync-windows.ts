import type { AppProjectSpecSyncWindows } from '../../imports/appprojects-argoproj.io';
import { parseCron, zoneOffsetMs } from './cron';

/**
 * An environment's maintenance window, as its environment file states it, e.g. the
 * first Sunday of every month, 02:00–04:00 UTC:
 *
 *   maintenanceWindow: { schedule: "0 2 * * 0", weekOfMonth: 1, durationMinutes: 120, timeZone: Etc/UTC }
 */
export interface MaintenanceWindow {
  /**
   * When the window opens: a five-field cron naming one minute, one hour and one
   * weekday, every day of the month and every month, e.g. `0 2 * * 0` (Sundays 02:00).
   */
  readonly schedule: string;
  /**
   * Which of those weekdays in the month: 1 = the first (days 1–7), … 4 = the fourth
   * (days 22–28). Omitted: every week.
   * @default every week
   */
  readonly weekOfMonth?: 1 | 2 | 3 | 4;
  readonly durationMinutes: number;
  /** IANA time zone the schedule is read in, e.g. `Etc/UTC`. */
  readonly timeZone: string;
}

/** `120` → `2h`, `90` → `1h30m`: the Go duration Argo CD parses. */
export function goDuration(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < 1) {
    throw new Error(`'durationMinutes' must be a whole number of minutes above 0, got ${minutes}`);
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `${hours > 0 ? `${hours}h` : ''}${rest > 0 || hours === 0 ? `${rest}m` : ''}`;
}

/** The parts of a window's schedule: the one minute, hour and weekday it opens at. */
export interface WindowStart {
  readonly minute: number;
  readonly hour: number;
  /** 0 = Sunday … 6 = Saturday. */
  readonly weekday: number;
}

/**
 * Reads `schedule` as "minute hour * * weekday" and refuses anything else: the deny
 * window below covers the unwanted weeks exactly only for a window that opens once on
 * one weekday. The message names the rule; the environment loader adds file and field.
 */
export function windowStartOf(schedule: string): WindowStart {
  const cron = parseCron(schedule); // throws robfig's own complaint for an invalid cron
  const single = (values: ReadonlySet<number>) => (values.size === 1 ? [...values][0] : undefined);
  const [minute, hour, weekday] = [single(cron.minute.values), single(cron.hour.values), single(cron.dayOfWeek.values)];
  if (minute === undefined || hour === undefined || weekday === undefined || !cron.dayOfMonth.star || !cron.month.star) {
    throw new Error(`a cron "minute hour * * weekday" that opens once a week, such as "0 2 * * 0" (schedule "${schedule}")`);
  }
  return { minute, hour, weekday };
}

/** Days of the month outside week `n` (days 7n-6 … 7n): `8-31` for the first week. */
function daysOutsideWeek(n: number): string {
  const [first, last] = [7 * n - 6, 7 * n];
  return [first > 1 ? `1-${first - 1}` : '', `${last + 1}-31`].filter((r) => r !== '').join(',');
}

/**
 * The sync windows in which Argo CD may sync one Application on its own.
 *
 * An allow window opens on every matching weekday. Argo CD reads schedules with
 * robfig/cron, which ORs day-of-month and day-of-week when both are restricted, so
 * "the first Sunday" cannot be one cron ("0 2 1-7 * 0" opens on days 1-7 AND on every
 * Sunday). With `weekOfMonth`, a deny window with the same start and duration, on the
 * days of the month outside that week (`0 2 8-31 * *` for the first), closes the other
 * weeks: a deny beats an allow (argo-cd SyncWindows.CanSync).
 *
 * Both windows have `manualSync: true`: a person with sync rights can sync at any time
 * (a watched release, a rollback, an emergency fix). Only automated sync and self-heal
 * wait for the window. The allow window's `syncOverrun` lets a sync that started inside
 * the window finish after it closes instead of being cut off half-applied.
 */
export function maintenanceSyncWindows(application: string, window: MaintenanceWindow): AppProjectSpecSyncWindows[] {
  const start = windowStartOf(window.schedule);
  const duration = goDuration(window.durationMinutes);
  const when = window.weekOfMonth === undefined ? 'every week' : `only in week ${window.weekOfMonth} of the month`;
  const allow: AppProjectSpecSyncWindows = {
    kind: 'allow',
    schedule: window.schedule,
    duration,
    timeZone: window.timeZone,
    applications: [application],
    manualSync: true,
    syncOverrun: true,
    description: `maintenance window of ${application} (${when}): automated sync and self-heal only inside it; manual sync at any time`,
  };
  if (window.weekOfMonth === undefined) return [allow];
  const deny: AppProjectSpecSyncWindows = {
    kind: 'deny',
    schedule: `${start.minute} ${start.hour} ${daysOutsideWeek(window.weekOfMonth)} * *`,
    duration,
    timeZone: window.timeZone,
    applications: [application],
    manualSync: true,
    description: `closes the maintenance window of ${application} outside week ${window.weekOfMonth} of the month (robfig cron cannot say "first Sunday"); manual sync at any time`,
  };
  return [allow, deny];
}

export interface WindowOccurrence {
  readonly start: Date;
  readonly end: Date;
}

/**
 * The next maintenance window that has not ended at `from` (it may be open already),
 * read from the environment data: the `weekOfMonth`-th matching weekday of the month
 * (or the next matching weekday), at the schedule's time in `timeZone`. Used by the
 * tests as the expected answer, and by anything that announces the window (e.g. a
 * banner 48 hours ahead).
 */
export function nextMaintenanceWindow(window: MaintenanceWindow, from: Date): WindowOccurrence {
  const start = windowStartOf(window.schedule);
  const durationMs = window.durationMinutes * 60_000;
  const local = new Date(from.getTime() + zoneOffsetMs(window.timeZone, from.getTime()));
  // Walk local calendar days from one week before `from` (a window may still be open).
  for (let day = -8; day < 400; day++) {
    const date = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + day));
    if (date.getUTCDay() !== start.weekday) continue;
    if (window.weekOfMonth !== undefined && Math.ceil(date.getUTCDate() / 7) !== window.weekOfMonth) continue;
    const wall = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), start.hour, start.minute);
    const startMs = wall - zoneOffsetMs(window.timeZone, wall);
    if (startMs + durationMs > from.getTime()) return { start: new Date(startMs), end: new Date(startMs + durationMs) };
  }
  throw new Error(`no maintenance window within a year of ${from.toISOString()}`);
}


import type { AppProjectSpecSyncWindows } from '../../imports/appprojects-argoproj.io';
import { windowStartOf, type MaintenanceWindow } from '../../../app/src/maintenance/window';

// The window's arithmetic is shared with the app, which announces the same window 48
// hours ahead (issue 17, item 3): one copy in app/src/maintenance/window.ts.
export { nextMaintenanceWindow, windowStartOf, type MaintenanceWindow, type WindowOccurrence, type WindowStart } from '../../../app/src/maintenance/window';

/** `120` → `2h`, `90` → `1h30m`: the Go duration Argo CD parses. */
export function goDuration(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < 1) {
    throw new Error(`'durationMinutes' must be a whole number of minutes above 0, got ${minutes}`);
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `${hours > 0 ? `${hours}h` : ''}${rest > 0 || hours === 0 ? `${rest}m` : ''}`;
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

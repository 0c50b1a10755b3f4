import type { AppProjectSpecSyncWindows } from '../../imports/appprojects-argoproj.io';

/** An environment's maintenance window, as its environment file states it. */
export interface MaintenanceWindow {
  /** Five-field cron of the window's start, e.g. `0 2 * * 0` (Sundays 02:00). */
  readonly schedule: string;
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

/**
 * The allow window in which Argo CD may sync one Application on its own.
 *
 * An allow window that matches an Application blocks its automated syncs (and
 * self-heal) whenever the window is closed; `manualSync: true` still lets a person
 * with sync rights run a sync at any time, which is both the watched release and the
 * emergency path. `syncOverrun` lets a sync that started inside the window finish
 * after it closes instead of being cut off half-applied.
 *
 * Argo CD reads the schedule with robfig/cron, which ORs day-of-month and
 * day-of-week, so "first Sunday of the month" cannot be written as one cron: the
 * window opens every Sunday, and the monthly maintenance (announced 48 hours ahead)
 * is one of those Sundays.
 */
export function maintenanceAllowWindow(application: string, window: MaintenanceWindow): AppProjectSpecSyncWindows {
  return {
    kind: 'allow',
    schedule: window.schedule,
    duration: goDuration(window.durationMinutes),
    timeZone: window.timeZone,
    applications: [application],
    manualSync: true,
    syncOverrun: true,
    description: `maintenance window of ${application}: automated sync and self-heal only inside it; manual sync at any time`,
  };
}

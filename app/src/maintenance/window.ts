import { z } from 'zod';
import { parseCron, zoneOffsetMs } from './cron';

/*
 * The maintenance window's arithmetic, in one place for both halves (issue 17, item 3):
 * the charts turn it into Argo CD's sync windows (charts/constructs/argocd/sync-windows.ts),
 * and the app announces the same window to learners 48 hours ahead. The environment file
 * is the one source; the charts pass it to the app in the ConfigMap (MAINTENANCE_WINDOW).
 */

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

/** The parts of a window's schedule: the one minute, hour and weekday it opens at. */
export interface WindowStart {
  readonly minute: number;
  readonly hour: number;
  /** 0 = Sunday … 6 = Saturday. */
  readonly weekday: number;
}

/**
 * Reads `schedule` as "minute hour * * weekday" and refuses anything else: the deny
 * window of charts/constructs/argocd/sync-windows.ts covers the unwanted weeks exactly only for a window that opens once on
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

/** True for a zone Intl knows (IANA names such as "Europe/Paris"). */
export const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** MAINTENANCE_WINDOW as the ConfigMap carries it: the environment file's object, as JSON. */
export const MaintenanceWindowSchema = z
  .object({
    schedule: z.string().superRefine((value, ctx) => {
      try {
        windowStartOf(value);
      } catch (err) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message });
      }
    }),
    weekOfMonth: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).optional(),
    durationMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    timeZone: z.string().refine(isTimeZone, { message: 'an IANA time zone such as "Etc/UTC"' }),
  })
  .strict();

/** Reads MAINTENANCE_WINDOW's JSON; the message names what is wrong. */
export function parseMaintenanceWindow(json: string): MaintenanceWindow {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(`expected JSON such as {"schedule":"0 2 * * 0","weekOfMonth":1,"durationMinutes":120,"timeZone":"Etc/UTC"}`);
  }
  const parsed = MaintenanceWindowSchema.safeParse(value);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; '));
  return parsed.data;
}

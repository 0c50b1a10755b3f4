/**
 * Backups stay out of the maintenance window (issue 11, point 11): a `pg_dump` holds
 * ACCESS SHARE locks on every table for its whole run, and a migration's ALTER TABLE
 * waits behind them (and every query queues behind the ALTER), so a dump running into a
 * release stalls the api. `loadEnvironment` refuses a schedule whose run could overlap.
 *
 * Conservatively, only the window's times of day count, on every day: a backup is never
 * scheduled where any day's window could be, whatever the window's day rule ("every
 * Sunday", "first Sunday of the month" through an allow and a deny window, ...). A run
 * occupies the minutes from its scheduled start until the latest it can still be going:
 * the CronJob may start it up to `startingDeadlineSeconds` late, and the Job is killed at
 * `activeDeadlineSeconds` (`backup.maxRunMinutes`, retries included).
 */
import type { Environment } from './environment';

const DAY = 24 * 60;

/** How late the CronJob controller may still start a missed run (its `startingDeadlineSeconds`). */
export const BACKUP_STARTING_DEADLINE_MINUTES = 15;

/** The values one cron field stands for (`*`, `a`, `a-b`, `*\/n`, `a-b/n`, lists). */
export function cronFieldValues(field: string, min: number, max: number): number[] {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!match) throw new Error(`cannot read cron field "${field}"`);
    const from = match[1] === '*' ? min : Number(match[2]);
    const to = match[1] === '*' ? max : match[3] !== undefined ? Number(match[3]) : match[4] !== undefined ? max : from;
    const step = match[4] !== undefined ? Number(match[4]) : 1;
    if (from < min || to > max || from > to || step < 1) throw new Error(`cron field "${field}" is outside ${min}-${max}`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

/** Minutes of the day at which a five-field cron expression can fire (any day). */
export function startsOfDay(cron: string): number[] {
  const [minute, hour] = cron.trim().split(/\s+/);
  return cronFieldValues(hour, 0, 23).flatMap((h) => cronFieldValues(minute, 0, 59).map((m) => h * 60 + m));
}

const clock = (minutes: number) => {
  const m = ((minutes % DAY) + DAY) % DAY;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};

/** Problems for the environment file, `[]` when no backup run can touch the window. */
export function backupWindowProblems(env: Environment): { path: string; message: string }[] {
  const window = env.maintenanceWindow;
  if (env.backup.timeZone !== window.timeZone) {
    return [
      {
        path: 'backup.timeZone',
        message: `expected the maintenance window's time zone "${window.timeZone}" (the overlap check compares times of day), got "${env.backup.timeZone}"`,
      },
    ];
  }
  const inWindow = new Array<boolean>(DAY).fill(false);
  for (const start of startsOfDay(window.schedule)) {
    for (let i = 0; i < window.durationMinutes; i++) inWindow[(start + i) % DAY] = true;
  }
  const span = BACKUP_STARTING_DEADLINE_MINUTES + env.backup.maxRunMinutes;
  const problems: { path: string; message: string }[] = [];
  for (const field of ['schedule', 'weeklySchedule'] as const) {
    for (const start of startsOfDay(env.backup[field])) {
      const hit = Array.from({ length: span }, (_, i) => start + i).find((m) => inWindow[m % DAY]);
      if (hit !== undefined) {
        problems.push({
          path: `backup.${field}`,
          message:
            `expected runs outside the maintenance window (${clock(startsOfDay(window.schedule)[0])} for ${window.durationMinutes} min, ` +
            `"${window.schedule}", treated as possible on any day): a run starting at ${clock(start)} overlaps it at ${clock(hit)} ` +
            `(up to ${BACKUP_STARTING_DEADLINE_MINUTES} min late + backup.maxRunMinutes ${env.backup.maxRunMinutes}), got "${env.backup[field]}"`,
        });
        break;
      }
    }
  }
  return problems;
}

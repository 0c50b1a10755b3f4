/**
 * The maintenance window as Argo CD will enforce it (issue 11, point 5): the generated
 * AppProject's sync windows, evaluated minute by minute over whole years with Argo CD's
 * own rules (charts/checks/argocd-windows.ts) and robfig/cron's
 * (charts/constructs/argocd/cron.ts), against the specification: production syncs on
 * its own on the first Sunday of each month, 02:00-04:00 UTC, and at no other time;
 * a person may sync production at any time; staging is never blocked.
 */
import { join } from 'node:path';
import { loadManifestFile } from '../../charts/checks';
import { SyncWindows, type SyncWindowSpec } from '../../charts/checks/argocd-windows';
import { CronParseError, nextActivation, parseCron } from '../../charts/constructs/argocd/cron';
import { maintenanceSyncWindows, nextMaintenanceWindow } from '../../charts/constructs/argocd/sync-windows';
import { loadEnvironment, parseEnvironment } from '../../charts/config/environment';

const ROOT = join(__dirname, '..', '..');
const production = loadEnvironment(join(ROOT, 'charts', 'environments', 'production.yaml'));
const staging = loadEnvironment(join(ROOT, 'charts', 'environments', 'staging.yaml'));
const project = loadManifestFile(join(ROOT, 'argocd', 'appproject-course-companion.yaml'))[0].object;
const committedWindows: SyncWindowSpec[] = project.spec.syncWindows;

const app = (env: typeof production) => ({
  name: `course-companion-${env.name}`,
  namespace: env.namespace,
  server: 'https://kubernetes.default.svc',
});

const MINUTE = 60_000;
const utc = (text: string) => Date.parse(`${text}Z`);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);

interface Walk {
  /** Days (YYYY-MM-DD) on which automated sync was allowed, with the minutes it was. */
  readonly autoSyncDays: Map<string, string[]>;
  readonly manualBlocked: string[];
}

/** Every minute of `year`, sampled at hh:mm:30 (the window is open strictly between its start and end). */
function walkYear(windows: SyncWindows, year: number): Walk {
  const autoSyncDays = new Map<string, string[]>();
  const manualBlocked: string[] = [];
  for (let t = Date.UTC(year, 0, 1) + 30_000; t < Date.UTC(year + 1, 0, 1); t += MINUTE) {
    if (windows.canSync(false, t)) {
      const day = iso(t).slice(0, 10);
      autoSyncDays.set(day, [...(autoSyncDays.get(day) ?? []), iso(t).slice(11)]);
    }
    if (!windows.canSync(true, t)) manualBlocked.push(iso(t));
  }
  return { autoSyncDays, manualBlocked };
}

/** The specification, computed by hand: the first Sunday (day 1-7) of each month. */
function firstSundays(year: number): string[] {
  return Array.from({ length: 12 }, (_, month) => {
    const day = Array.from({ length: 7 }, (__, i) => i + 1).find((d) => new Date(Date.UTC(year, month, d)).getUTCDay() === 0)!;
    return new Date(Date.UTC(year, month, day)).toISOString().slice(0, 10);
  });
}

const TWO_HOURS = Array.from(
  { length: 120 },
  (_, i) => `${String(2 + Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`,
);

describe('production maintenance window, walked minute by minute', () => {
  // 2027: first Sundays fall on the 1st (August) and the 7th (February, March, November);
  // 2028 is a leap year whose February 29 is not a Sunday but shifts March.
  it.each([2027, 2028])(
    '%i: automated sync only on the first Sunday of each month, 02:00-04:00 UTC',
    (year) => {
      const windows = new SyncWindows(committedWindows).matching(app(production));
      const { autoSyncDays, manualBlocked } = walkYear(windows, year);
      expect([...autoSyncDays.keys()]).toEqual(firstSundays(year));
      for (const [day, minutes] of autoSyncDays) expect([day, minutes]).toEqual([day, TWO_HOURS]);
      expect(manualBlocked).toEqual([]);
      if (year === 2027)
        expect(firstSundays(2027).filter((d) => d.endsWith('-01') || d.endsWith('-07'))).toEqual([
          '2027-02-07',
          '2027-03-07',
          '2027-08-01',
          '2027-11-07',
        ]);
    },
    120_000,
  );

  it('agrees with the window announced from the environment data (nextMaintenanceWindow)', () => {
    const windows = new SyncWindows(committedWindows).matching(app(production));
    const starts: string[] = [];
    let from = new Date(utc('2027-01-01T00:00'));
    for (let i = 0; i < 12; i++) {
      const next = nextMaintenanceWindow(production.maintenanceWindow, from);
      expect(next.end.getTime() - next.start.getTime()).toBe(2 * 60 * MINUTE);
      expect(windows.canSync(false, next.start.getTime() + 30_000)).toBe(true);
      expect(windows.canSync(false, next.end.getTime() + 30_000)).toBe(false);
      starts.push(iso(next.start.getTime()));
      from = next.end;
    }
    expect(starts).toEqual(firstSundays(2027).map((d) => `${d}T02:00`));
  });

  it('opens strictly after 02:00:00 and closes at 04:00:00, as Argo CD computes it', () => {
    const windows = new SyncWindows(committedWindows).matching(app(production));
    expect(windows.canSync(false, utc('2027-02-07T02:00:00'))).toBe(false);
    expect(windows.canSync(false, utc('2027-02-07T02:00:01'))).toBe(true);
    expect(windows.canSync(false, utc('2027-02-07T03:59:59'))).toBe(true);
    expect(windows.canSync(false, utc('2027-02-07T04:00:00'))).toBe(false);
  });

  it('lets an automated sync started inside the window finish after it closes (syncOverrun)', () => {
    const windows = new SyncWindows(committedWindows).matching(app(production));
    expect(windows.canSync(false, utc('2027-02-07T04:20:00'), utc('2027-02-07T03:58:00'))).toBe(true);
    expect(windows.canSync(false, utc('2027-02-14T02:30:00'), utc('2027-02-14T02:10:00'))).toBe(false);
  });

  it('fails for a weekly allow window alone (the output before issue 11): it opens on every Sunday', () => {
    const weekly = new SyncWindows(committedWindows.filter((w) => w.kind === 'allow')).matching(app(production));
    const days = [...walkYear(weekly, 2027).autoSyncDays.keys()];
    expect(days.length).toBe(52);
    expect(days).not.toEqual(firstSundays(2027));
  }, 60_000);
});

describe('staging', () => {
  it('is never blocked: no window matches its Application', () => {
    const windows = new SyncWindows(committedWindows).matching(app(staging));
    for (let t = Date.UTC(2027, 0, 1); t < Date.UTC(2028, 0, 1); t += MINUTE) {
      if (!windows.canSync(false, t)) throw new Error(`staging blocked at ${iso(t)}`);
    }
  });
});

describe('the windows made from the environment data', () => {
  it('are an allow window on every Sunday and a deny window on days 8-31 at the same time', () => {
    expect(maintenanceSyncWindows('app', production.maintenanceWindow).map((w) => [w.kind, w.schedule, w.duration, w.manualSync])).toEqual([
      ['allow', '0 2 * * 0', '2h', true],
      ['deny', '0 2 8-31 * *', '2h', true],
    ]);
  });

  it.each([
    [2, '0 2 1-7,15-31 * *', ['2027-02-14', '2027-03-14']],
    [4, '0 2 1-21,29-31 * *', ['2027-02-28', '2027-03-28']],
  ] as const)(
    'week %i of the month: deny "%s"',
    (weekOfMonth, deny, firstTwo) => {
      const windows = maintenanceSyncWindows('app', { ...production.maintenanceWindow, weekOfMonth });
      expect(windows[1].schedule).toBe(deny);
      const days = [...walkYear(new SyncWindows(windows as SyncWindowSpec[]), 2027).autoSyncDays.keys()];
      expect(days.length).toBe(12);
      expect(days.slice(1, 3)).toEqual(firstTwo);
    },
    60_000,
  );

  it('refuse a schedule the allow/deny pair cannot narrow to one week', () => {
    const bad = (maintenanceWindow: object) => () =>
      parseEnvironment(
        { ...structuredClone(production), maintenanceWindow: { ...production.maintenanceWindow, ...maintenanceWindow } },
        'charts/environments/production.yaml',
      );
    expect(bad({ schedule: '0 2 1-7 * 0' })).toThrow(
      'maintenanceWindow.schedule: expected a cron "minute hour * * weekday" that opens once a week, such as "0 2 * * 0"',
    );
    expect(bad({ schedule: '0 2 * * 7' })).toThrow(
      'maintenanceWindow.schedule: expected end of range (7) above maximum (6): 7, got "0 2 * * 7"',
    );
    expect(bad({ weekOfMonth: 5 })).toThrow(
      'maintenanceWindow.weekOfMonth: expected a week of the month from 1 (days 1-7) to 4 (days 22-28)',
    );
    expect(bad({ timeZone: 'Mars/Olympus' })).toThrow('maintenanceWindow.timeZone: expected an IANA time zone such as "Etc/UTC"');
  });
});

describe('robfig/cron semantics', () => {
  it('ORs day-of-month and day-of-week when both are restricted (why one cron cannot say "first Sunday")', () => {
    const firstSundayAttempt = parseCron('0 2 1-7 * 0');
    // 2027-02-01 is a Monday, 2027-02-14 a Sunday outside days 1-7: both fire.
    expect(iso(nextActivation(firstSundayAttempt, utc('2027-01-31T03:00'))!)).toBe('2027-02-01T02:00');
    expect(iso(nextActivation(firstSundayAttempt, utc('2027-02-07T03:00'))!)).toBe('2027-02-14T02:00');
  });

  it('ANDs them when one is a star, and returns only times strictly after the given one', () => {
    const deny = parseCron('0 2 8-31 * *');
    expect(iso(nextActivation(deny, utc('2027-02-01T00:00'))!)).toBe('2027-02-08T02:00');
    expect(iso(nextActivation(deny, utc('2027-02-08T02:00'))!)).toBe('2027-02-09T02:00');
    expect(iso(nextActivation(parseCron('*/15 * * * *'), utc('2027-02-08T02:00'))!)).toBe('2027-02-08T02:15');
  });

  it('refuses what robfig refuses', () => {
    expect(() => parseCron('0 2 * * 7')).toThrow(CronParseError);
    expect(() => parseCron('0 2 * *')).toThrow('expected exactly 5 fields, found 4');
    expect(() => parseCron('@weekly')).toThrow('parser does not accept descriptors');
  });
});

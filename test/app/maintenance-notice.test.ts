/**
 * The 48-hour maintenance notice (issue 17, item 3): the window Argo CD syncs in,
 * passed to the app through the generated ConfigMap, announced from 48 hours before it
 * opens until it ends, and described in the learner's own zone.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../app/src/config';
import { describeWindow, maintenanceStatus } from '../../app/src/maintenance/notice';
import type { MaintenanceWindow } from '../../app/src/maintenance/window';
import { loadEnvironment } from '../../charts/config/environment';
import { problemsOf } from '../support/config';
import { startApi, type TestApi } from '../support/http';
import { FixedClock } from '../../app/src/clock';

const ROOT = path.join(__dirname, '..', '..');
const FIRST_SUNDAY: MaintenanceWindow = { schedule: '0 2 * * 0', weekOfMonth: 1, durationMinutes: 120, timeZone: 'Etc/UTC' };
const at = (iso: string) => new Date(iso);

describe('the window the app announces', () => {
  it.each(['production', 'staging'])("is the %s environment file's, read back from the generated ConfigMap", (env) => {
    const configMap = parse(readFileSync(path.join(ROOT, 'dist', env, 'configmap-web-config.yaml'), 'utf8'));
    const config = loadConfig({ APP_ENV: 'test', ROLE: 'web', MAINTENANCE_WINDOW: configMap.data.MAINTENANCE_WINDOW });
    expect(config.maintenanceWindow).toEqual(loadEnvironment(path.join(ROOT, 'charts', 'environments', `${env}.yaml`)).maintenanceWindow);
  });

  it('refuses a window Argo CD could not express, naming the variable', () => {
    const bad = JSON.stringify({ ...FIRST_SUNDAY, schedule: '0 2 1-7 * 0' });
    expect(problemsOf({ APP_ENV: 'test', MAINTENANCE_WINDOW: bad })).toEqual([
      expect.stringMatching(/^MAINTENANCE_WINDOW: schedule: a cron/),
    ]);
    expect(problemsOf({ APP_ENV: 'test', MAINTENANCE_WINDOW: 'first Sunday' })).toEqual([
      expect.stringMatching(/^MAINTENANCE_WINDOW: expected JSON/),
    ]);
  });
});

describe('maintenanceStatus', () => {
  // 2027-08-01 is a Sunday, the first of the month: the notice starts in July.
  it('announces across a month boundary: from 48 hours before the window until it ends', () => {
    expect(maintenanceStatus(FIRST_SUNDAY, at('2027-07-30T01:59:59Z'))).toMatchObject({
      start: at('2027-08-01T02:00:00Z'),
      end: at('2027-08-01T04:00:00Z'),
      announceFrom: at('2027-07-30T02:00:00Z'),
      announced: false,
    });
    expect(maintenanceStatus(FIRST_SUNDAY, at('2027-07-30T02:00:00Z')).announced).toBe(true);
    expect(maintenanceStatus(FIRST_SUNDAY, at('2027-07-31T23:59:00Z')).announced).toBe(true);
    expect(maintenanceStatus(FIRST_SUNDAY, at('2027-08-01T03:59:59Z'))).toMatchObject({ announced: true, inProgress: true });
    // Once it ends, the next one is September's first Sunday, not yet announced.
    expect(maintenanceStatus(FIRST_SUNDAY, at('2027-08-01T04:00:00Z'))).toMatchObject({
      start: at('2027-09-05T02:00:00Z'),
      announced: false,
      inProgress: false,
    });
  });

  it('announces nothing in the weeks between windows', () => {
    expect(maintenanceStatus(FIRST_SUNDAY, at('2027-07-15T12:00:00Z')).announced).toBe(false);
  });

  it('follows a window kept in a zone with daylight saving (Europe/Paris: 02:00 local is 00:00 UTC in summer)', () => {
    const paris: MaintenanceWindow = { ...FIRST_SUNDAY, timeZone: 'Europe/Paris' };
    expect(maintenanceStatus(paris, at('2027-07-01T00:00:00Z')).start).toEqual(at('2027-07-04T00:00:00Z'));
    expect(maintenanceStatus(paris, at('2027-12-01T00:00:00Z')).start).toEqual(at('2027-12-05T01:00:00Z'));
  });
});

describe("describeWindow in the learner's zone", () => {
  // Sydney leaves daylight saving on 2027-04-04 at 03:00 local (2027-04-03T16:00Z),
  // after the notice starts (2027-04-02T02:00Z) and before the window (02:00-04:00Z).
  it('uses the offset in force at the window, not the one in force when the notice shows', () => {
    const status = maintenanceStatus(FIRST_SUNDAY, at('2027-04-02T03:00:00Z'));
    expect(status.announced).toBe(true);
    expect(describeWindow(status, 'Australia/Sydney')).toBe('Sunday 4 April 2027, 12:00–14:00 (Australia/Sydney)');
  });

  it("names both days when the window crosses midnight in the learner's zone", () => {
    const status = maintenanceStatus(FIRST_SUNDAY, at('2027-11-05T12:00:00Z'));
    // New York is still on daylight time (UTC-4) until 06:00Z that Sunday.
    expect(describeWindow(status, 'America/New_York')).toBe(
      'Saturday 6 November 2027, 22:00–Sunday 7 November 2027, 00:00 (America/New_York)',
    );
  });
});

describe('GET /api/v1/status', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi('sqlite', { clock: new FixedClock(at('2027-07-31T12:00:00Z')), config: { maintenanceWindow: FIRST_SUNDAY } });
  });
  afterAll(() => api?.close());

  it('gives the next window without a session', async () => {
    const res = await api.request('GET', '/api/v1/status?tz=Europe/London');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      maintenance: {
        start: '2027-08-01T02:00:00.000Z',
        end: '2027-08-01T04:00:00.000Z',
        announce_from: '2027-07-30T02:00:00.000Z',
        announced: true,
        in_progress: false,
        time_zone: 'Europe/London',
        description: 'Sunday 1 August 2027, 03:00–05:00 (Europe/London)',
      },
    });
  });

  it('refuses a zone it does not know with a 400 naming the field', async () => {
    const res = await api.request('GET', '/api/v1/status?tz=Mars/Olympus');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'bad_request', details: { field: 'tz' } });
  });
});

/**
 * Backups never run into the maintenance window (issue 11, point 11), and their
 * deadlines and scratch space come from the environment file.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { backupWindowProblems, cronFieldValues, startsOfDay } from '../../charts/config/backup-window';
import { EnvironmentConfigError, parseEnvironment, type Environment } from '../../charts/config/environment';
import { synthesize } from '../../charts/main';

const REPO = resolve(__dirname, '../..');
const FILE = 'charts/environments/production.yaml';
const productionData = () => parse(readFileSync(join(REPO, FILE), 'utf8'));
const production = (): Environment => parseEnvironment(productionData(), FILE);

function refusal(change: (env: any) => void): EnvironmentConfigError {
  const data = productionData();
  change(data);
  try {
    parseEnvironment(data, FILE);
  } catch (err) {
    if (err instanceof EnvironmentConfigError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('cron times of day', () => {
  it('reads numbers, ranges, steps and lists', () => {
    expect(cronFieldValues('*/15', 0, 59)).toEqual([0, 15, 30, 45]);
    expect(cronFieldValues('1-3,7', 0, 23)).toEqual([1, 2, 3, 7]);
    expect(cronFieldValues('2/10', 0, 23)).toEqual([2, 12, 22]);
    expect(startsOfDay('47 4 * * *')).toEqual([4 * 60 + 47]);
    expect(() => cronFieldValues('61', 0, 59)).toThrow('outside 0-59');
  });
});

describe('backup schedules and the maintenance window', () => {
  it('accept the shipped environments', () => {
    expect(backupWindowProblems(production())).toEqual([]);
  });

  it('refuse the old daily schedule, 03:17 inside the Sunday 02:00-04:00 window', () => {
    const error = refusal((env) => (env.backup.schedule = '17 3 * * *'));
    expect(error.message).toContain(
      '  - backup.schedule: expected runs outside the maintenance window (02:00 for 120 min, "0 2 * * 0", treated as possible on any day): ' +
        'a run starting at 03:17 overlaps it at 03:17',
    );
  });

  it('refuse a weekly copy that starts before the window and runs into it', () => {
    const error = refusal((env) => (env.backup.weeklySchedule = '17 1 * * 0'));
    expect(error.problems).toEqual([
      expect.objectContaining({
        path: 'backup.weeklySchedule',
        message: expect.stringContaining('a run starting at 01:17 overlaps it at 02:00'),
      }),
    ]);
  });

  it('count the longest run: 00:30 fits with 60 minutes, not with 120', () => {
    expect(() =>
      parseEnvironment({ ...productionData(), backup: { ...productionData().backup, schedule: '30 0 * * *' } }, FILE),
    ).not.toThrow();
    const error = refusal((env) => Object.assign(env.backup, { schedule: '30 0 * * *', maxRunMinutes: 120 }));
    expect(error.problems.map((p) => p.path)).toEqual(['backup.schedule']);
  });

  it('refuse a schedule in another time zone than the window', () => {
    const error = refusal((env) => (env.backup.timeZone = 'Europe/Berlin'));
    expect(error.problems[0]).toEqual({
      path: 'backup.timeZone',
      message: expect.stringContaining('expected the maintenance window\'s time zone "Etc/UTC"'),
    });
  });
});

describe('the backup CronJobs', () => {
  it('take their deadlines and scratch space from the environment file', () => {
    const env = production();
    const objects = synthesize({ environments: [{ ...env, backup: { ...env.backup, scratchSize: '20Gi', maxRunMinutes: 45 } }] }).objects;
    const cronJob = objects.find((o) => o.path === 'dist/production/cronjob-backup.yaml')!.manifest;
    const job = cronJob.spec.jobTemplate.spec;
    expect(job.activeDeadlineSeconds).toBe(45 * 60);
    expect(cronJob.spec.startingDeadlineSeconds).toBe(15 * 60);
    expect(job.template.spec.volumes.find((v: any) => v.name === 'tmp').emptyDir.sizeLimit).toBe('20Gi');
  }, 120_000);
});

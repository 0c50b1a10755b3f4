import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createDatabase, snapshotDatabase, withClient } from './support/postgres';

// The backup CronJob's script, run here exactly as the cluster runs it (the chart mounts
// this file from a ConfigMap): pg_dump → age → rclone, and back. The only difference is
// the rclone remote, which is a local directory here instead of Cloudflare R2.
const SCRIPT = resolve(__dirname, '../../ops/backup/backup.sh');
const run = promisify(execFile);

// Each case runs pg_dump, age and rclone for real; on a busy machine that takes a while.
const SLOW = 180_000;

const TOOLS = ['pg_dump', 'pg_restore', 'psql', 'age', 'age-keygen', 'rclone'];

async function requireTools(): Promise<void> {
  const missing: string[] = [];
  for (const tool of TOOLS) {
    await run('sh', ['-c', `command -v ${tool}`]).catch(() => missing.push(tool));
  }
  if (missing.length > 0) {
    throw new Error(`backup tests need ${missing.join(', ')} on PATH: apt-get install -y age rclone postgresql-client-15`);
  }
}

let work: string;
let bucket: string;
let identityFile: string;
let recipient: string;
const dropLater: Array<() => Promise<void>> = [];

function scriptEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: work,
    TMPDIR: work,
    // The remote is configured by environment only, as in the CronJob.
    RCLONE_CONFIG: '/dev/null',
    RCLONE_CONFIG_OFFSITE_TYPE: 'local',
    BACKUP_REMOTE: `offsite:${bucket}`,
    ...extra,
  };
}

async function backupSh(args: string[], extra: Record<string, string> = {}) {
  return run('bash', [SCRIPT, ...args], { env: scriptEnv(extra), maxBuffer: 16 * 1024 * 1024 });
}

/** Runs the script and returns its failure, or throws when it unexpectedly succeeds. */
async function backupShFails(args: string[], extra: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
  try {
    await backupSh(args, extra);
  } catch (error) {
    const { code, stderr } = error as { code: number; stderr: string };
    return { code, stderr };
  }
  throw new Error(`backup.sh ${args.join(' ')} succeeded but should have failed`);
}

async function newDatabase(prefix: string) {
  const db = await createDatabase(prefix);
  dropLater.push(db.drop);
  return db;
}

/** A schema with the kinds of data the app stores: keys, foreign keys, json, timestamps, bytes, a sequence. */
async function seed(url: string): Promise<void> {
  await withClient(url, async (c) => {
    await c.query(`
      create table users (id serial primary key, email text not null unique, tier text not null,
                          profile jsonb, created_at timestamptz not null default now());
      create table attempts (id bigserial primary key, user_id int not null references users(id) on delete cascade,
                             chapter int not null, score numeric(5,2), answers jsonb, raw bytea);
      create schema audit;
      create table audit.events (at timestamptz not null, kind text not null, detail text);
      create table empty_table (id int);
      insert into users (email, tier, profile, created_at)
        select 'learner' || g || '@example.test', (array['free','premium','pro','team'])[1 + g % 4],
               jsonb_build_object('name', 'Learner ' || g, 'tz', 'Europe/Berlin'),
               timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute'
          from generate_series(1, 500) g;
      insert into attempts (user_id, chapter, score, answers, raw)
        select 1 + g % 500, 1 + g % 8, (g % 10000) / 100.0, jsonb_build_object('q1', g % 3), decode(md5(g::text), 'hex')
          from generate_series(1, 3000) g;
      insert into audit.events select timestamptz '2026-02-01 00:00:00+00' + g * interval '1 second', 'sign_in',
                                      'marker-plaintext-secret-' || g from generate_series(1, 200) g;
    `);
  });
}

/** Tests that only read a stored backup reuse the first test's one (each run of rclone costs seconds). */
async function ensureStoredBackup(): Promise<void> {
  if (storedObjects('daily').length > 0) return;
  const source = await newDatabase('cc_backup_src');
  await backupSh(['backup'], { DATABASE_URL: source.url, BACKUP_RECIPIENT: recipient });
}

function storedObjects(kind: 'daily' | 'weekly'): string[] {
  try {
    return readdirSync(join(bucket, kind)).sort();
  } catch {
    return [];
  }
}

beforeAll(async () => {
  await requireTools();
  work = mkdtempSync(join(tmpdir(), 'cc-backup-'));
  bucket = join(work, 'bucket');
  mkdirSync(bucket);
  identityFile = join(work, 'identity.txt');
  await run('age-keygen', ['-o', identityFile]);
  recipient = (await run('age-keygen', ['-y', identityFile])).stdout.trim();
}, SLOW);

afterAll(async () => {
  await Promise.all(dropLater.map((drop) => drop()));
  if (work) rmSync(work, { recursive: true, force: true });
}, SLOW);

describe('backup and restore (ops/backup/backup.sh on the real PostgreSQL server)', () => {
  it(
    'restores the newest backup into a new database with every table and row intact',
    async () => {
      const source = await newDatabase('cc_backup_src');
      await seed(source.url);

      await backupSh(['backup'], { DATABASE_URL: source.url, BACKUP_RECIPIENT: recipient });

      const [object] = storedObjects('daily');
      expect(object).toMatch(/^course-companion-\d{8}T\d{6}Z\.dump\.age$/);
      const ciphertext = readFileSync(join(bucket, 'daily', object));
      expect(ciphertext.subarray(0, 21).toString()).toBe('age-encryption.org/v1');
      expect(ciphertext.includes('marker-plaintext-secret')).toBe(false);
      expect(ciphertext.includes('learner1@example.test')).toBe(false);

      const target = await newDatabase('cc_backup_restore');
      await backupSh(['restore', 'latest', target.url], { AGE_IDENTITY_FILE: identityFile });

      const [expected, actual] = await Promise.all([snapshotDatabase(source.url), snapshotDatabase(target.url)]);
      expect(Object.keys(expected)).toEqual(['audit.events', 'public.attempts', 'public.empty_table', 'public.users']);
      expect(expected['public.attempts'].rows).toBe(3000);
      expect(actual).toEqual(expected);

      // Sequences come back too: the next learner does not collide with a restored one.
      const next = await withClient(target.url, (c) =>
        c.query<{ id: number }>(`insert into users (email, tier) values ('new@example.test', 'free') returning id`),
      );
      expect(next.rows[0].id).toBe(501);

      // The comparison can fail: one changed score is a different checksum with the same count.
      await withClient(target.url, (c) => c.query(`delete from users where email = 'new@example.test'`));
      await withClient(target.url, (c) => c.query(`update attempts set score = score + 1 where id = 42`));
      const changed = await snapshotDatabase(target.url);
      expect(changed['public.attempts'].rows).toBe(expected['public.attempts'].rows);
      expect(changed['public.attempts'].checksum).not.toBe(expected['public.attempts'].checksum);
      expect(changed['public.users']).toEqual(expected['public.users']);
    },
    SLOW,
  );

  it(
    'refuses to restore over a database that already holds tables',
    async () => {
      const occupied = await newDatabase('cc_backup_occupied');
      await withClient(occupied.url, (c) => c.query(`create table keep_me (id int); insert into keep_me values (1)`));
      await ensureStoredBackup();

      const failure = await backupShFails(['restore', 'latest', occupied.url], { AGE_IDENTITY_FILE: identityFile });

      expect(failure.stderr).toMatch(/already holds 1 tables; restore into a new, empty database/);
      const kept = await withClient(occupied.url, (c) => c.query(`select count(*)::int as n from keep_me`));
      expect(kept.rows[0].n).toBe(1);
    },
    SLOW,
  );

  it(
    'cannot restore with the wrong private key, and leaves the target empty',
    async () => {
      const otherIdentity = join(work, 'other-identity.txt');
      await run('age-keygen', ['-o', otherIdentity]);
      await ensureStoredBackup();
      const target = await newDatabase('cc_backup_restore');

      const failure = await backupShFails(['restore', 'latest', target.url], { AGE_IDENTITY_FILE: otherIdentity });

      expect(failure.stderr).toMatch(/no identity matched any of the recipients/);
      expect(await snapshotDatabase(target.url)).toEqual({});
    },
    SLOW,
  );

  it(
    'keeps the newest 30 daily copies and copies the newest one to weekly, keeping 26',
    async () => {
      // Older objects as the bucket would hold them after a month and more of nightly runs.
      const stamp = (at: Date) =>
        at
          .toISOString()
          .replace(/[-:]/g, '')
          .replace(/\.\d{3}/, '');
      mkdirSync(join(bucket, 'daily'), { recursive: true });
      mkdirSync(join(bucket, 'weekly'), { recursive: true });
      for (let day = 0; day < 35; day += 1) {
        const at = new Date(Date.UTC(2025, 0, 1 + day, 1));
        writeFileSync(join(bucket, 'daily', `course-companion-${stamp(at)}.dump.age`), 'old');
      }
      for (let week = 0; week < 30; week += 1) {
        const at = new Date(Date.UTC(2024, 0, 7 + 7 * week, 1));
        writeFileSync(join(bucket, 'weekly', `course-companion-${stamp(at)}.dump.age`), 'old');
      }
      const before = new Set(storedObjects('daily'));
      const source = await newDatabase('cc_backup_src');

      await backupSh(['backup'], { DATABASE_URL: source.url, BACKUP_RECIPIENT: recipient });
      const daily = storedObjects('daily');
      expect(daily).toHaveLength(30);
      const created = daily.filter((name) => !before.has(name));
      expect(created).toHaveLength(1);
      const newest = daily[daily.length - 1];
      expect(newest).toBe(created[0]);
      expect(daily).not.toContain('course-companion-20250101T010000Z.dump.age');

      await backupSh(['weekly']);
      const weekly = storedObjects('weekly');
      expect(weekly).toHaveLength(26);
      expect(weekly[weekly.length - 1]).toBe(newest);
      expect(readFileSync(join(bucket, 'weekly', newest))).toEqual(readFileSync(join(bucket, 'daily', newest)));
    },
    SLOW,
  );

  it(
    'fails naming the missing setting instead of uploading nothing',
    async () => {
      const failure = await backupShFails(['backup'], { DATABASE_URL: 'postgres://127.0.0.1:1/none' });
      expect(failure.stderr).toMatch(/BACKUP_RECIPIENT is not set/);
    },
    SLOW,
  );

  it(
    'fails when the database cannot be dumped, without storing a partial object',
    async () => {
      const before = storedObjects('daily');
      const failure = await backupShFails(['backup'], {
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/cc_backup_does_not_exist',
        BACKUP_RECIPIENT: recipient,
      });
      expect(failure.stderr).toMatch(/cc_backup_does_not_exist/);
      expect(storedObjects('daily')).toEqual(before);
    },
    SLOW,
  );
});

/**
 * The staging pre-promotion load check (app/src/load-check.ts), run as the analysis Job
 * runs it: its own process, exit status as the verdict. Against the real server it
 * passes; against a slow, an erroring or a hanging server it fails and says why.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrateLatest, openDatabase } from '../../app/src/db/database';
import { percentile } from '../../app/src/load/load-run';
import { FixedClock } from '../../app/src/clock';
import { loadCourseContent } from '../../app/src/domain/content-loader';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { startApi, type TestApi } from '../support/http';
import { spawnApiServer, type ServerProcess } from '../support/server-process';
import { startWeb, type TestWeb } from '../web/support';

const root = path.resolve(__dirname, '../..');

const SETTINGS = {
  LOAD_CHECK_REQUESTS: '200',
  LOAD_CHECK_DURATION_SECONDS: '20',
  LOAD_CHECK_CONCURRENCY: '8',
  LOAD_CHECK_LATENCY_P95_MAX_SECONDS: '1',
  LOAD_CHECK_ERROR_RATE_MAX: '0.01',
};

function loadCheck(
  url: string,
  role: string,
  env: Record<string, string> = SETTINGS,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'app/src/load-check.ts', url, role],
      { cwd: root, env: { PATH: process.env.PATH, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A stand-in server: `handler` decides each answer. */
async function fakeServer(handler: (respond: (status: number) => void) => void): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => handler((status) => res.writeHead(status, { 'content-type': 'text/plain' }).end('x')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('load check against the real server', () => {
  let dir: string;
  let api: ServerProcess;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cc-load-check-'));
    const url = `sqlite:${path.join(dir, 'db.sqlite')}`;
    const db = openDatabase({ url });
    await migrateLatest(db);
    await db.close();
    api = await spawnApiServer({ DATABASE_URL: url, LOG_LEVEL: 'info' }, { keepOutput: false });
  }, 90_000);
  afterAll(async () => {
    await api?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes a healthy api and prints the summary', async () => {
    const { code, stdout, stderr } = await loadCheck(api.url, 'api');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(
      /^ok {3}load api http:\/\/127\.0\.0\.1:\d+: 200 requests in [\d.]+s, p95 [\d.]+s, errors 0 \(0\.00%\), statuses 200=200\n$/,
    );
  }, 90_000);
});

describe('load check against the web role', () => {
  let database: TestDatabase;
  let api: TestApi;
  let web: TestWeb;
  beforeAll(async () => {
    const clock = new FixedClock(new Date());
    database = await createTestDatabase('sqlite');
    await loadCourseContent(database.db, path.join(root, 'app/content'), clock);
    api = await startApi('sqlite', { database, clock });
    web = await startWeb(api.url);
  }, 90_000);
  afterAll(async () => {
    await web?.close();
    await api?.close();
    await database?.drop();
  });

  it('passes the home page of a healthy web role', async () => {
    const { code, stdout, stderr } = await loadCheck(web.url, 'web', { ...SETTINGS, LOAD_CHECK_REQUESTS: '100' });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^ok {3}load web .*: 100 requests in [\d.]+s, p95 [\d.]+s, errors 0 \(0\.00%\), statuses 200=100\n$/);
  }, 90_000);
});

describe('load check against a bad server', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });

  it('fails when p95 is above the threshold', async () => {
    const { server, url } = await fakeServer((respond) => setTimeout(() => respond(200), 150));
    servers.push(server);
    const { code, stdout } = await loadCheck(url, 'api', {
      ...SETTINGS,
      LOAD_CHECK_REQUESTS: '40',
      LOAD_CHECK_LATENCY_P95_MAX_SECONDS: '0.1',
    });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^FAIL load api .*: 40 requests/);
    // Every answer takes 150 ms or more, so the p95 can only be above 0.1 s.
    expect(stdout).toMatch(/\nFAIL p95 \d+\.\d{3}s is above 0\.1s\n$/);
  }, 60_000);

  it('fails when too many requests fail', async () => {
    let n = 0;
    const { server, url } = await fakeServer((respond) => respond((n += 1) % 10 === 0 ? 500 : 200));
    servers.push(server);
    const { code, stdout } = await loadCheck(url, 'web', { ...SETTINGS, LOAD_CHECK_REQUESTS: '100' });
    expect(code).toBe(1);
    expect(stdout).toContain('statuses 200=90 500=10');
    expect(stdout).toContain('FAIL error rate 10.00% is above 1.00%');
  }, 60_000);

  it('stops a hanging server at the duration bound and fails', async () => {
    const { server, url } = await fakeServer(() => undefined);
    servers.push(server);
    const started = Date.now();
    const { code, stdout } = await loadCheck(url, 'api', { ...SETTINGS, LOAD_CHECK_DURATION_SECONDS: '2' });
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(stdout).toContain('statuses error=8');
    expect(stdout).toContain('FAIL error rate 100.00% is above 1.00%');
  }, 60_000);

  it('refuses missing settings with exit 2', async () => {
    const { code, stderr } = await loadCheck('http://127.0.0.1:1', 'api', { LOAD_CHECK_REQUESTS: '10' });
    expect(code).toBe(2);
    expect(stderr).toContain('LOAD_CHECK_CONCURRENCY: missing');
  }, 60_000);
});

describe('percentile', () => {
  it('is the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 0.95)).toBe(95);
    expect(percentile([1, 2, 3], 0.95)).toBe(3);
    expect(percentile([], 0.95)).toBe(0);
  });
});

/**
 * The chapter page as a signed-in learner, through the web role (cookies, CSRF token,
 * one api call over HTTP, Markdown, TSX render) and the api behind it, beside a bare
 * `node:http` server answering the very same HTML, measured in the same run.
 * 20 connections (autocannon); the two targets take turns, 3 rounds of 5 s each, and
 * each keeps its median round. Everything on 127.0.0.1 port 0.
 * Goals: the web page reaches ≥ 15% of the bare server's requests per second (each page
 * costs a web request and an api request), with p99 under 100 ms.
 *
 * The two roles run as they are deployed: the api is its own process (the real server
 * entry point, on an SQLite file), the web role runs in this process beside the load
 * generator, exactly as the bare server does. Both servers under test so share one
 * event loop with autocannon; the api, like PostgreSQL in the api suite, has the other
 * core. Run in one process, the two roles would take turns on one thread, which no
 * deployment does (they are separate pods).
 *
 *   npx tsx scripts/bench/web.ts      prints the figures of this suite alone
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { close, compareInterleaved, listen, load as loadWith, productionLogger, type LoadResult } from './http-load';
import { requestContext } from '../../app/src/api/middleware/request-context';
import { migrateAndLoad } from '../../app/src/migrate';
import { createMetrics } from '../../app/src/observability/metrics';
import { createWebApp } from '../../app/src/web/app';
import { spawnApiServer } from '../../test/support/server-process';
import { runStandalone, type BenchSuite, type Measurement } from './measurement';

const CONNECTIONS = 20;
const ROUND_SECONDS = 5;
const ROUNDS = 3;
const P99_BUDGET_MS = 100;
const GOAL_RATIO = 0.15;

/** This suite's load shape over the shared harness, so call sites stay short. */
function load(url: string, headers: Record<string, string>, durationSeconds: number): Promise<LoadResult> {
  return loadWith(url, { connections: CONNECTIONS, durationSeconds, headers });
}

/**
 * The api role as its own process on a fresh SQLite file with the course loaded, the
 * web role here (access logs at info into /dev/null, as in production but for the
 * destination), one learner signed in.
 */
export async function startRoles() {
  const dir = mkdtempSync(path.join(tmpdir(), 'cc-bench-web-'));
  const databaseUrl = `sqlite:${path.join(dir, 'bench.sqlite')}`;
  await migrateAndLoad(databaseUrl);
  const api = await spawnApiServer({ DATABASE_URL: databaseUrl }, { keepOutput: false });
  const stopApi = async () => {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const webLogger = productionLogger('web');
    const web = await listen(
      createWebApp({
        apiUrl: api.url,
        sessionSecret: 'bench-session-secret-0123456789abcdef',
        secureCookies: false,
        // A busy machine must not turn the first (cold) page into the "api is down" page.
        apiTimeoutMs: 30_000,
        logger: webLogger,
        instrument: [requestContext(webLogger, createMetrics({ role: 'web', defaultMetrics: false }))],
      }).callback(),
    );
    const signUp = await fetch(`${api.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `bench-web-${Date.now()}@example.com`, password: 'bench password 123' }),
    });
    const session = (await signUp.json()) as { access_token: string; refresh_token: string };
    // A learner re-reading chapter 1: the resume point is already saved (cc_pos), so each
    // view is one api call, as it is for every view after the first.
    const headers = {
      cookie: `cc_access=${session.access_token}; cc_refresh=${session.refresh_token}; cc_csrf=benchcsrfsecret0123456789; cc_pos=1`,
    };
    const target = `${web.url}/chapters/1`;
    const first = await fetch(target, { headers, redirect: 'manual' });
    if (first.status !== 200) throw new Error(`the chapter page answered ${first.status}, not 200`);
    const html = await first.text();
    return {
      target,
      apiUrl: api.url,
      headers,
      html,
      async stop() {
        await close(web.server);
        await stopApi();
      },
    };
  } catch (error) {
    await stopApi();
    throw error;
  }
}

export const webBench: BenchSuite = {
  name: 'web: the chapter page as a signed-in learner',
  async run(progress) {
    progress('web: preparing database, api, web and learner');
    const roles = await startRoles();
    const bare = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(roles.html) });
      res.end(roles.html);
    });
    try {
      progress('web: warming up');
      await load(roles.target, roles.headers, 2);
      const names = ['bare node:http, same HTML', 'GET /chapters/1 through web and api'];
      const [bareResult, webResult] = await compareInterleaved([{ url: bare.url }, { url: roles.target, headers: roles.headers }], {
        connections: CONNECTIONS,
        roundSeconds: ROUND_SECONDS,
        rounds: ROUNDS,
        onRound: (round, target) => progress(`web: round ${round + 1}/${ROUNDS}, ${names[target]} (${CONNECTIONS} connections, ${ROUND_SECONDS} s)`),
      });
      const ratio = webResult.requestsPerSecond / bareResult.requestsPerSecond;
      const name = 'web GET /chapters/1 (web + api, SQLite)';
      const measurements: Measurement[] = [
        {
          name: `${name} (req/s)`,
          value: Math.round(webResult.requestsPerSecond),
          unit: 'req/s',
          baselineName: 'bare node:http, same HTML (req/s)',
          baselineValue: Math.round(bareResult.requestsPerSecond),
          ratio: Math.round(ratio * 1000) / 1000,
          better: 'higher',
          goal: `≥ ${GOAL_RATIO * 100}% of the bare server${webResult.non2xx ? `; ${webResult.non2xx} non-2xx!` : ''}`,
          met: ratio >= GOAL_RATIO && webResult.non2xx === 0,
        },
        {
          name: `${name} (p99 ms)`,
          value: webResult.p99Ms,
          unit: 'ms',
          baselineName: 'bare node:http, same HTML (p99 ms)',
          baselineValue: bareResult.p99Ms,
          ratio: bareResult.p99Ms > 0 ? Math.round((webResult.p99Ms / bareResult.p99Ms) * 100) / 100 : 0,
          better: 'lower',
          goal: `p99 < ${P99_BUDGET_MS} ms`,
          met: webResult.p99Ms < P99_BUDGET_MS,
        },
      ];
      return measurements;
    } finally {
      await close(bare.server);
      await roles.stop();
    }
  },
};

export default webBench;

if (require.main === module) runStandalone(webBench);

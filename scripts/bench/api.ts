/**
 * GET of a chapter as a signed-in learner, through the whole api (auth, database,
 * tier check, JSON), beside two baselines measured in the same run on the same
 * machine: a bare `node:http` server and a bare Koa route, both serialising the very
 * same JSON object on every request. 50 connections (autocannon); the three targets
 * take turns, 3 rounds of 5 s each, and each keeps its median round.
 * Goals: the api reaches ≥ 30% (SQLite) / ≥ 25% (PostgreSQL) of the bare server's
 * requests per second, with p99 under 50 ms.
 *
 *   npx tsx scripts/bench/api.ts      prints the figures of this suite alone
 *
 * Every server listens on 127.0.0.1 port 0; the load generator runs in this process,
 * so all targets share the same handicap.
 */
import path from 'node:path';
import { close, compareInterleaved, listen, load as loadWith, productionLogger, type LoadResult } from './http-load';
import Koa from 'koa';
import { systemClock } from '../../app/src/clock';
import { createApiApp } from '../../app/src/api/app';
import { loadCourseContent } from '../../app/src/domain/content-loader';
import { createMetrics } from '../../app/src/observability/metrics';
import { createTestDatabase, type DatabaseKind } from '../../test/support/databases';
import { testConfig } from '../../test/support/http';
import { runStandalone, type BenchSuite, type Measurement } from './measurement';

const CONNECTIONS = 50;
const ROUND_SECONDS = 5;
const ROUNDS = 3;
const P99_BUDGET_MS = 50;
const GOAL_RATIO: Record<DatabaseKind, number> = { sqlite: 0.3, postgres: 0.25 };
const CONTENT_DIR = path.resolve(__dirname, '../../app/content');

/** This suite's load shape over the shared harness, so call sites stay short. */
function load(url: string, headers: Record<string, string>, durationSeconds: number): Promise<LoadResult> {
  return loadWith(url, { connections: CONNECTIONS, durationSeconds, headers });
}

/** The api over a fresh database of `kind`, course loaded, one learner signed in. */
async function startApp(kind: DatabaseKind) {
  const database = await createTestDatabase(kind, { poolSize: 10 });
  await loadCourseContent(database.db, CONTENT_DIR, systemClock);
  const logger = productionLogger('api');
  const app = createApiApp({
    config: testConfig({ logLevel: 'info' }),
    db: database.db,
    clock: systemClock,
    logger,
    metrics: createMetrics({ role: 'api', defaultMetrics: false }),
  });
  const { server, url } = await listen(app.callback());
  const signUp = await fetch(`${url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `bench-${Date.now()}@example.com`, password: 'bench password 123' }),
  });
  const { access_token: token } = (await signUp.json()) as { access_token: string };
  const headers = { authorization: `Bearer ${token}` };
  // The chapter route belongs to the learning features; fall back to /plans without it.
  let target = `${url}/api/v1/chapters/1`;
  let res = await fetch(target, { headers });
  if (res.status !== 200) {
    target = `${url}/api/v1/plans`;
    res = await fetch(target, { headers });
  }
  const sample = (await res.json()) as unknown;
  return {
    target,
    headers,
    sample,
    async stop() {
      await close(server);
      await database.drop();
    },
  };
}

function ratioMeasurement(name: string, value: LoadResult, baselineName: string, baseline: LoadResult, goal: number): Measurement {
  const ratio = value.requestsPerSecond / baseline.requestsPerSecond;
  return {
    name: `${name} (req/s)`,
    value: Math.round(value.requestsPerSecond),
    unit: 'req/s',
    baselineName: `${baselineName} (req/s)`,
    baselineValue: Math.round(baseline.requestsPerSecond),
    ratio: Math.round(ratio * 1000) / 1000,
    better: 'higher',
    goal: `≥ ${Math.round(goal * 100)}% of the bare server${value.non2xx ? `; ${value.non2xx} non-2xx!` : ''}`,
    met: ratio >= goal && value.non2xx === 0,
  };
}

function latencyMeasurement(name: string, value: LoadResult, baselineName: string, baseline: LoadResult): Measurement {
  return {
    name: `${name} (p99 ms)`,
    value: value.p99Ms,
    unit: 'ms',
    baselineName: `${baselineName} (p99 ms)`,
    baselineValue: baseline.p99Ms,
    ratio: baseline.p99Ms > 0 ? Math.round((value.p99Ms / baseline.p99Ms) * 100) / 100 : 0,
    better: 'lower',
    goal: `p99 < ${P99_BUDGET_MS} ms${value.non2xx ? `; ${value.non2xx} non-2xx or errors!` : ''}`,
    // A run where nothing succeeded has no latency worth the name: that is a miss.
    met: value.p99Ms < P99_BUDGET_MS && value.non2xx === 0 && value.requestsPerSecond > 0,
  };
}

export const apiBench: BenchSuite = {
  name: 'api: GET a chapter as a signed-in learner',
  async run(progress) {
    const measurements: Measurement[] = [];
    for (const kind of ['sqlite', 'postgres'] as const) {
      progress(`${kind}: preparing database and learner`);
      const app = await startApp(kind);
      const routeName = new URL(app.target).pathname;
      // Baselines serialise the same object the api answered, on every request.
      const bare = await listen((_req, res) => {
        const body = JSON.stringify(app.sample);
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
      const koa = new Koa();
      koa.use((ctx) => {
        ctx.body = app.sample;
      });
      const bareKoa = await listen(koa.callback());
      try {
        progress(`${kind}: warming up`);
        await load(app.target, app.headers, 2);
        const names = ['bare node:http', 'bare Koa route', `api GET ${routeName}`];
        const [bareResult, koaResult, apiResult] = await compareInterleaved(
          [{ url: bare.url }, { url: bareKoa.url }, { url: app.target, headers: app.headers }],
          {
            connections: CONNECTIONS,
            roundSeconds: ROUND_SECONDS,
            rounds: ROUNDS,
            onRound: (round, target) => progress(`${kind}: round ${round + 1}/${ROUNDS}, ${names[target]} (${CONNECTIONS} connections, ${ROUND_SECONDS} s)`),
          },
        );
        const label = `api GET ${routeName} on ${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`;
        measurements.push(
          ratioMeasurement(label, apiResult, 'bare node:http, same JSON', bareResult, GOAL_RATIO[kind]),
          latencyMeasurement(label, apiResult, 'bare node:http, same JSON', bareResult),
          ratioMeasurement(`bare Koa route, same JSON [${kind} run]`, koaResult, 'bare node:http, same JSON', bareResult, 0),
        );
      } finally {
        await close(bare.server);
        await close(bareKoa.server);
        await app.stop();
      }
    }
    return measurements;
  },
};

export default apiBench;

if (require.main === module) runStandalone(apiBench);

/**
 * GET of a chapter as a signed-in learner through the whole api (token, learner and
 * tier read from the database, chapter, JSON, access log, metrics), the api role run
 * from the compiled build in its own process on SQLite and on PostgreSQL, beside bare
 * `node:http` and bare Koa serving the very same bytes (see compare.ts).
 * Goals (issue 14): ≥ 30 % (SQLite) / ≥ 25 % (PostgreSQL) of bare node:http, p99 < 50 ms;
 * the api's RSS after the load < 150 MiB.
 *
 *   npx tsx scripts/bench/api.ts      prints the figures of this suite alone
 */
import { compareWithBaselines } from './harness/compare';
import { createBenchDatabase, DATABASE_LABEL, signUpMany, startMailingApi, type DatabaseKind } from './harness/fixture';
import { LoadGenerator } from './harness/load-generator';
import { runStandalone, type BenchOptions, type BenchSuite, type Measurement } from './measurement';
import { perDatabaseSuite } from './harness/database-suite';
import { rssRow, throughputRow } from './harness/rows';

const MIN_RATIO: Record<DatabaseKind, number> = { sqlite: 0.3, postgres: 0.25 };
const P99_BUDGET_MS = 50;
export const RSS_LIMIT_MIB = 150;
const CHAPTER_PATH = '/api/v1/chapters/1';

/** "1 learner on every connection", "50 learners taking turns". */
export const learnersText = (n: number) => (n === 1 ? '1 learner on every connection' : `${n} learners taking turns`);

async function measureOn(
  kind: DatabaseKind,
  generator: LoadGenerator,
  options: BenchOptions,
  progress: (m: string) => void,
): Promise<Measurement[]> {
  const label = DATABASE_LABEL[kind];
  progress(`${label}: database, api role, learner`);
  const database = await createBenchDatabase(kind);
  const api = await startMailingApi(database.url).catch(async (error: unknown) => {
    await database.drop();
    throw error;
  });
  try {
    const sessions = await signUpMany(api, options.learners);
    const learnerHeaders = sessions.map((s) => ({ authorization: `Bearer ${s.access_token}` }));
    const headers = learnerHeaders[0];
    const res = await fetch(`${api.url}${CHAPTER_PATH}`, { headers });
    if (res.status !== 200) throw new Error(`GET ${CHAPTER_PATH} answered ${res.status}: ${await res.text()}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const { compared, bareHttpRssMiB } = await compareWithBaselines(
      generator,
      {
        url: `${api.url}${CHAPTER_PATH}`,
        headers,
        learnerHeaders,
        processes: [api],
        bytes,
        contentType: res.headers.get('content-type') ?? 'application/json',
      },
      options,
      (m) => progress(`${label}: ${m}`),
    );
    const figure = `api GET chapter, signed in (${learnersText(options.learners)}), ${label}`;
    return [
      throughputRow({ figure, unit: 'req/s', requestsPerUnit: 1, minRatio: MIN_RATIO[kind], p99BudgetMs: P99_BUDGET_MS }, compared),
      rssRow(`RSS after load, api role on ${label}, compiled build`, [{ name: 'api', mib: api.rssMiB() }], bareHttpRssMiB, RSS_LIMIT_MIB),
    ];
  } finally {
    await api.stop();
    await database.drop();
  }
}

export const apiBench: BenchSuite = perDatabaseSuite('api: GET a chapter as a signed-in learner', measureOn);

export default apiBench;

if (require.main === module) runStandalone(apiBench);

/**
 * The chapter page as deployed: the web role and the api role from the compiled build,
 * each its own process (two pods), the api on PostgreSQL and on SQLite, a signed-in
 * learner whose every view does what a browser's does (harness/page-view.ts: the GET,
 * and the POST the page's script sends after load when it records views), beside bare
 * `node:http` and bare Koa serving the very same HTML (see compare.ts). Then, on
 * PostgreSQL, the page under load for `soakSeconds` while both roles' RSS is sampled
 * every second: under the limit and flat, or not.
 * Goals (issue 14): ≥ 15 % of bare node:http, p99 < 100 ms; RSS < 150 MiB each role,
 * flat over 60 s.
 *
 *   npx tsx scripts/bench/web.ts      prints the figures of this suite alone
 */
import { compareWithBaselines } from './harness/compare';
import { createBenchDatabase, DATABASE_LABEL, signUpMany, startMailingApi, type DatabaseKind, type MailingApi } from './harness/fixture';
import { LoadGenerator } from './harness/load-generator';
import { runStandalone, type BenchOptions, type BenchSuite, type Measurement } from './measurement';
import { perDatabaseSuite } from './harness/database-suite';
import { pageViewOf, scriptPathOf, type PageView } from './harness/page-view';
import { startWeb, type ServerProcess } from './harness/processes';
import { rssRow, soakRow, throughputRow } from './harness/rows';
import { learnersText, RSS_LIMIT_MIB } from './api';

const MIN_RATIO = 0.15;
const P99_BUDGET_MS = 100;
const PAGE_PATH = '/chapters/1';
// A CSRF secret as the web role sets it in its cookie (16–64 URL-safe characters).
const CSRF_SECRET = 'benchcsrfsecret0123456789';

interface Roles {
  readonly api: ServerProcess;
  readonly web: ServerProcess;
  readonly view: PageView;
  readonly html: Buffer;
  readonly contentType: string;
  readonly learnerHeaders: readonly Record<string, string>[];
}

/** The learner's browser: the session and CSRF cookies the sign-in page would set. */
async function openPage(web: ServerProcess, api: MailingApi, learners: number): Promise<Omit<Roles, 'api' | 'web'>> {
  const cookies = (await signUpMany(api, learners)).map(
    (s) => `cc_access=${s.access_token}; cc_refresh=${s.refresh_token}; cc_csrf=${CSRF_SECRET}`,
  );
  const cookie = cookies[0];
  const res = await fetch(`${web.url}${PAGE_PATH}`, { headers: { cookie }, redirect: 'manual' });
  if (res.status !== 200) throw new Error(`GET ${PAGE_PATH} answered ${res.status}, not 200`);
  const html = Buffer.from(await res.arrayBuffer());
  const scriptPath = scriptPathOf(html.toString('utf8'));
  const script = scriptPath ? await (await fetch(`${web.url}${scriptPath}`)).text() : '';
  const view = pageViewOf(html.toString('utf8'), script, PAGE_PATH, cookie);
  // Every request of a view must succeed once before the load, or the figures would count errors.
  for (const request of view.requests.slice(1)) {
    const answer = await fetch(`${web.url}${request.path}`, { method: request.method, headers: request.headers, body: request.body });
    if (answer.status >= 300) throw new Error(`${request.method} ${request.path} answered ${answer.status}: ${await answer.text()}`);
  }
  return { html, contentType: res.headers.get('content-type') ?? 'text/html', view, learnerHeaders: cookies.map((c) => ({ cookie: c })) };
}

/** The page under load for `seconds` while each role's RSS is read every second. */
async function soak(generator: LoadGenerator, roles: Roles, options: BenchOptions, progress: (m: string) => void) {
  const samples: Record<'api' | 'web', number[]> = { api: [], web: [] };
  const sample = () => {
    samples.api.push(roles.api.rssMiB());
    samples.web.push(roles.web.rssMiB());
    progress(
      `soak: ${samples.api.length}/${options.soakSeconds} s, RSS api ${Math.round(samples.api.at(-1)!)} MiB, web ${Math.round(samples.web.at(-1)!)} MiB`,
    );
  };
  const timer = setInterval(sample, 1000);
  try {
    await generator.load({
      url: roles.web.url,
      connections: options.connections,
      durationSeconds: options.soakSeconds,
      requests: roles.view.requests,
      learnerHeaders: roles.learnerHeaders,
    });
  } finally {
    clearInterval(timer);
  }
  sample();
  return samples;
}

async function measureOn(
  kind: DatabaseKind,
  generator: LoadGenerator,
  options: BenchOptions,
  progress: (m: string) => void,
): Promise<Measurement[]> {
  const label = DATABASE_LABEL[kind];
  const say = (m: string) => progress(`${label}: ${m}`);
  say('database, api and web roles, learner');
  const database = await createBenchDatabase(kind);
  const started: ServerProcess[] = [];
  try {
    const api = await startMailingApi(database.url);
    started.push(api);
    const web = await startWeb(api.url);
    started.push(web);
    const roles: Roles = { api, web, ...(await openPage(web, api, options.learners)) };
    say(`one view: ${roles.view.description}`);
    const perView = roles.view.requests.length;
    const { compared, bareHttpRssMiB } = await compareWithBaselines(
      generator,
      {
        url: web.url,
        requests: roles.view.requests,
        learnerHeaders: roles.learnerHeaders,
        processes: [web, api],
        bytes: roles.html,
        contentType: roles.contentType,
      },
      options,
      say,
    );
    const figure = `chapter page, web + api (two processes), api on ${label}, ${learnersText(options.learners)}: ${roles.view.description}`;
    const rows = [
      throughputRow({ figure, unit: 'views/s', requestsPerUnit: perView, minRatio: MIN_RATIO, p99BudgetMs: P99_BUDGET_MS }, compared),
      rssRow(
        `RSS after page load, api on ${label}, compiled build`,
        [
          { name: 'api', mib: api.rssMiB() },
          { name: 'web', mib: web.rssMiB() },
        ],
        bareHttpRssMiB,
        RSS_LIMIT_MIB,
      ),
    ];
    if (kind === options.databases[0] && options.soakSeconds > 0) {
      const samples = await soak(generator, roles, options, say);
      rows.push(
        soakRow('api', options.soakSeconds, samples.api, bareHttpRssMiB, RSS_LIMIT_MIB),
        soakRow('web', options.soakSeconds, samples.web, bareHttpRssMiB, RSS_LIMIT_MIB),
      );
    }
    return rows;
  } finally {
    for (const server of started.reverse()) await server.stop();
    await database.drop();
  }
}

export const webBench: BenchSuite = perDatabaseSuite('web: the chapter page as deployed, signed in', measureOn);

export default webBench;

if (require.main === module) runStandalone(webBench);

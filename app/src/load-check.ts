/**
 * `node app/build/load-check.js <base-url> <api|web>`: staging's pre-promotion load
 * analysis (README "Staging performance validation"). Sends a bounded load to the
 * role's preview Service, prints a summary and exits 0 when p95 and the error rate meet
 * the thresholds, 1 when they miss, 2 on bad input. The bounds and thresholds come from
 * the environment file through the analysis Job's environment:
 *
 *   LOAD_CHECK_REQUESTS, LOAD_CHECK_DURATION_SECONDS, LOAD_CHECK_CONCURRENCY,
 *   LOAD_CHECK_LATENCY_P95_MAX_SECONDS, LOAD_CHECK_ERROR_RATE_MAX
 *
 * It reads no secret and needs no database: only HTTP to the URL it is given.
 */
import { z } from 'zod';
import { formatLoad, judgeLoad, runLoad, type LoadPlan, type LoadThresholds } from './load/load-run';

/** What the load requests per role: public pages and reads, no sign-in, no writes. */
export const LOAD_PATHS: Readonly<Record<'api' | 'web', readonly string[]>> = {
  api: ['/api/v1/plans', '/health'],
  web: ['/'],
};

/** A number from an environment variable: "missing" when unset, "a number" when not one. */
const numeric = (schema: z.ZodNumber) => z.preprocess((v) => (v === undefined || v === '' ? undefined : Number(v)), schema);
const number = () => z.number({ required_error: 'missing', invalid_type_error: 'a number' });
const count = (max: number) => numeric(number().int().min(1).max(max));
const LoadEnv = z.object({
  LOAD_CHECK_REQUESTS: count(100_000),
  LOAD_CHECK_DURATION_SECONDS: count(3600),
  LOAD_CHECK_CONCURRENCY: count(256),
  LOAD_CHECK_LATENCY_P95_MAX_SECONDS: numeric(number().gt(0)),
  LOAD_CHECK_ERROR_RATE_MAX: numeric(number().min(0).lt(1)),
});

/** The plan and thresholds from the environment, or the problems, one per line. */
export function loadSettings(env: NodeJS.ProcessEnv, role: 'api' | 'web'): { plan: LoadPlan; thresholds: LoadThresholds } | string {
  const parsed = LoadEnv.safeParse(env);
  if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
  const e = parsed.data;
  return {
    plan: {
      requests: e.LOAD_CHECK_REQUESTS,
      durationSeconds: e.LOAD_CHECK_DURATION_SECONDS,
      concurrency: e.LOAD_CHECK_CONCURRENCY,
      paths: LOAD_PATHS[role],
    },
    thresholds: { latencyP95MaxSeconds: e.LOAD_CHECK_LATENCY_P95_MAX_SECONDS, errorRateMax: e.LOAD_CHECK_ERROR_RATE_MAX },
  };
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [baseUrl, role] = argv;
  if (!baseUrl || !URL.canParse(baseUrl) || (role !== 'api' && role !== 'web')) {
    process.stderr.write('usage: load-check <base-url> <api|web>\n');
    return 2;
  }
  const settings = loadSettings(env, role);
  if (typeof settings === 'string') {
    process.stderr.write(`load-check: bad settings\n${settings}\n`);
    return 2;
  }
  const summary = await runLoad(baseUrl, settings.plan);
  const verdict = judgeLoad(summary, settings.thresholds);
  process.stdout.write(formatLoad(`${role} ${baseUrl}`, summary, verdict));
  return verdict.ok ? 0 : 1;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}

import { synthesize } from '../../charts/main';
import type { Environment } from '../../charts/config/environment';
import { evaluateResult, type MeasurementPhase } from '../../charts/checks/argo-expr';
import { durationSeconds, measurementsSeeing, simulateAnalysisRun } from '../../charts/checks/analysis-run';
import { ANALYSIS_TEMPLATE_NAMES } from '../../charts/constructs/analysis';
import { evaluateQueries, resolveArgs, type InstantQuery } from './support/analysis-promtool';
import { CANARY_HASH, ROLE, scrapes, type Minute } from './support/analysis-scenarios';

// The exact AnalysisTemplates synth produces, their queries run by promtool on
// synthetic scrapes and their conditions judged the way Argo Rollouts judges them
// (charts/checks/argo-expr.ts), then the measurements fed through the controller's
// counting (charts/checks/analysis-run.ts). Every number comes from the environment
// objects, so the expectations move with the thresholds.
const SLOW = 180_000;
const synthesis = synthesize();

interface PrometheusMetric {
  readonly name: string;
  readonly interval: string;
  readonly initialDelay?: string;
  readonly failureLimit?: number;
  readonly inconclusiveLimit?: number;
  readonly consecutiveErrorLimit?: number;
  readonly successCondition?: string;
  readonly failureCondition?: string;
  readonly provider: { readonly prometheus: { readonly query: string } };
}

const TEMPLATES = [ANALYSIS_TEMPLATE_NAMES.successRate, ANALYSIS_TEMPLATE_NAMES.latency] as const;
type TemplateName = (typeof TEMPLATES)[number];

/** The template's one metric, its arguments substituted as the Rollout passes them. */
function metricOf(env: Environment, template: TemplateName): PrometheusMetric {
  const found = synthesis.objects.filter(
    (o) => o.group === `dist/${env.name}` && o.manifest.kind === 'AnalysisTemplate' && o.manifest.metadata.name === template,
  );
  if (found.length !== 1) throw new Error(`dist/${env.name}: expected one AnalysisTemplate ${template}, found ${found.length}`);
  const [metric] = found[0].manifest.spec.metrics as PrometheusMetric[];
  return resolveArgs(metric, { role: ROLE, 'canary-hash': CANARY_HASH });
}

/** The rate window the query uses (every range selector in it). */
function rateWindowMinutes(query: string): number {
  const ranges = [...query.matchAll(/\[(\d+[smh])\]/g)].map((m) => durationSeconds(m[1]));
  if (ranges.length === 0 || new Set(ranges).size !== 1) throw new Error(`expected one rate window in ${query}`);
  return ranges[0] / 60;
}

function settings(env: Environment) {
  const window = rateWindowMinutes(metricOf(env, ANALYSIS_TEMPLATE_NAMES.successRate).provider.prometheus.query);
  const minimum = env.analysis.minimumRequests;
  const fast = env.analysis.latencyP95MaxSeconds / 2;
  // Twenty times the minimum traffic in every window.
  const busy = (20 * minimum) / window;
  return { window, minimum, fast, busy, latencyMax: env.analysis.latencyP95MaxSeconds };
}

type Verdicts = Readonly<Record<TemplateName, MeasurementPhase>>;

interface Scenario {
  readonly name: string;
  readonly canary: ((minute: number) => Minute) | undefined;
  readonly expect: Verdicts;
}

function scenarios(env: Environment): Scenario[] {
  const s = settings(env);
  const always = (m: Minute) => () => m;
  const verdicts = (successRate: MeasurementPhase, latency: MeasurementPhase): Verdicts => ({
    [ANALYSIS_TEMPLATE_NAMES.successRate]: successRate,
    [ANALYSIS_TEMPLATE_NAMES.latency]: latency,
  });
  return [
    { name: 'healthy', canary: always({ ok: s.busy, errors: 0, p95Seconds: s.fast }), expect: verdicts('Successful', 'Successful') },
    {
      name: 'every request a 5xx',
      canary: always({ ok: 0, errors: s.busy, p95Seconds: s.fast }),
      expect: verdicts('Failed', 'Successful'),
    },
    {
      name: 'half the requests 5xx',
      canary: always({ ok: s.busy / 2, errors: s.busy / 2, p95Seconds: s.fast }),
      expect: verdicts('Failed', 'Successful'),
    },
    {
      name: 'p95 twice the threshold',
      canary: always({ ok: s.busy, errors: 0, p95Seconds: 2 * s.latencyMax }),
      expect: verdicts('Successful', 'Failed'),
    },
    {
      name: 'one error in 10,000',
      canary: always({ ok: 19_998, errors: 2, p95Seconds: s.fast }),
      expect: verdicts('Successful', 'Successful'),
    },
    {
      name: 'no traffic at all (probes only)',
      canary: always({ ok: 0, errors: 0, p95Seconds: s.fast }),
      expect: verdicts('Inconclusive', 'Inconclusive'),
    },
    { name: 'no canary series scraped yet', canary: undefined, expect: verdicts('Inconclusive', 'Inconclusive') },
    {
      name: 'below the minimum traffic, every request a 5xx and slow',
      canary: always({ ok: 0, errors: s.minimum / 2 / s.window, p95Seconds: 2 * s.latencyMax }),
      expect: verdicts('Inconclusive', 'Inconclusive'),
    },
  ];
}

async function measure(env: Environment, canary: Scenario['canary'], times: readonly string[], minutes: number) {
  const queries: InstantQuery[] = TEMPLATES.flatMap((t) => times.map((at) => ({ expr: metricOf(env, t).provider.prometheus.query, at })));
  const answers = await evaluateQueries(
    scrapes({ namespace: env.namespace, scrapeInterval: env.monitoring.scrapeInterval, minutes }, canary),
    env.monitoring.scrapeInterval,
    queries,
  );
  const byTemplate = {} as Record<TemplateName, { values: number[]; phase: MeasurementPhase }[]>;
  TEMPLATES.forEach((t, i) => {
    byTemplate[t] = answers.slice(i * times.length, (i + 1) * times.length).map((samples) => {
      const values = samples.map((s) => s.value);
      return { values, phase: evaluateResult(values, metricOf(env, t)) };
    });
  });
  return byTemplate;
}

describe.each(synthesis.environments.map((env) => [env.name, env] as const))('analysis of %s', (_name, env) => {
  it.each(scenarios(env).map((s) => [s.name, s] as const))(
    '%s',
    async (_scenario, scenario) => {
      const measured = await measure(env, scenario.canary, ['10m'], 12);
      const got = Object.fromEntries(TEMPLATES.map((t) => [t, measured[t][0].phase]));
      const values = Object.fromEntries(TEMPLATES.map((t) => [t, measured[t][0].values]));
      expect({ verdicts: got, values }).toEqual({ verdicts: scenario.expect, values: expect.anything() });
    },
    SLOW,
  );

  it(
    'reads the p95 that the synthetic histogram was built for',
    async () => {
      const twice = 2 * env.analysis.latencyP95MaxSeconds;
      const measured = await measure(env, () => ({ ok: settings(env).busy, errors: 0, p95Seconds: twice }), ['10m'], 12);
      expect(measured[ANALYSIS_TEMPLATE_NAMES.latency][0].values).toEqual([expect.closeTo(twice, 6)]);
    },
    SLOW,
  );

  describe('the measurement loop', () => {
    const metric = metricOf(env, ANALYSIS_TEMPLATE_NAMES.successRate);
    const interval = durationSeconds(metric.interval) / 60;
    const initialDelay = durationSeconds(metric.initialDelay ?? '0s') / 60;
    // Measurements while the canary pauses (background analysis); 20 when it is not a canary.
    const pauses = env.delivery.kind === 'canary' ? env.delivery.steps.reduce((sum, st) => sum + durationSeconds(st.pause) / 60, 0) : 20;
    const count = Math.floor((pauses - initialDelay) / interval) + 1;
    const limits = TEMPLATES.map((t) => ({ ...metricOf(env, t), name: t }));
    const run = async (canary: (minute: number) => Minute, offsetSeconds: number) => {
      const times = Array.from({ length: count }, (_, i) => `${Math.round((initialDelay + i * interval) * 60 + offsetSeconds)}s`);
      const measured = await measure(env, canary, times, initialDelay + count * interval + 1);
      const phases = Object.fromEntries(TEMPLATES.map((t) => [t, measured[t].map((m) => m.phase)]));
      return { phases, outcome: simulateAnalysisRun(limits, phases, { endOfCanary: true }) };
    };
    const s = settings(env);
    // A trickle of errors, far inside the budget, so the 5xx series exists before the
    // bad minute: a series' first sample is invisible to rate(), which would hide part
    // of the worst case this test is after.
    const healthy: Minute = { ok: s.busy, errors: s.busy / 10_000, p95Seconds: s.fast };
    const broken: Minute = { ok: 0, errors: s.busy, p95Seconds: s.fast };
    const badFrom = 5;

    it.each([0, 30])(
      'one minute of nothing but errors does not fail the run (measured %ss past the minute)',
      async (offset) => {
        const { phases, outcome } = await run((m) => (m === badFrom ? broken : healthy), offset);
        // The bad minute did fail measurements: every one whose window holds part of it
        // (all of ceil((1m + window) / interval) when measured between scrapes' minutes)...
        const failed = phases[ANALYSIS_TEMPLATE_NAMES.successRate].filter((p) => p === 'Failed').length;
        const seeing = measurementsSeeing(60, s.window * 60, interval * 60);
        expect(failed).toBe(offset === 0 ? seeing - 1 : seeing);
        // ...and the run still lets the release through.
        expect(outcome).toMatchObject({ phase: 'Successful', rollout: 'promoted' });
      },
      SLOW,
    );

    it(
      'a sustained failure aborts the rollout within failureLimit + 1 measurements, before the canary ends',
      async () => {
        const { phases, outcome } = await run((m) => (m >= badFrom ? broken : healthy), 0);
        const firstFailed = phases[ANALYSIS_TEMPLATE_NAMES.successRate].indexOf('Failed');
        expect(firstFailed).toBeGreaterThanOrEqual(0);
        expect(outcome).toMatchObject({ phase: 'Failed', rollout: 'aborted', completedAfter: firstFailed + (metric.failureLimit ?? 0) });
      },
      SLOW,
    );

    it(
      'a canary that gets no traffic pauses the rollout and is never promoted',
      async () => {
        const { outcome } = await run(() => ({ ok: 0, errors: 0, p95Seconds: s.fast }), 0);
        expect(outcome).toMatchObject({ phase: 'Inconclusive', rollout: 'paused', completedAfter: metric.inconclusiveLimit ?? 0 });
      },
      SLOW,
    );
  });
});

describe('the promtool read-back', () => {
  const series = [
    { series: 'x{a="1"}', values: '0+60x20' },
    { series: 'x{a="2"}', values: '0+120x20' },
  ];

  it(
    'reads every sample, an empty answer and NaN',
    async () => {
      const [two, none, nan] = await evaluateQueries(series, '1m', [
        { expr: 'rate(x[5m])', at: '10m' },
        { expr: 'rate(y[5m])', at: '10m' },
        { expr: 'sum(rate(x[5m])) * 0 / 0', at: '10m' },
      ]);
      expect(two).toEqual([
        { labels: '{a="1"}', value: 1 },
        { labels: '{a="2"}', value: 2 },
      ]);
      expect(none).toEqual([]);
      expect(nan.map((s) => s.value)).toEqual([NaN]);
    },
    SLOW,
  );

  it(
    'fails on a query promtool cannot run instead of reading it as no data',
    async () => {
      await expect(evaluateQueries(series, '1m', [{ expr: 'sum(rate(x[5m])', at: '10m' }])).rejects.toThrow(
        /expected 1 answers from promtool, read 0/,
      );
    },
    SLOW,
  );

  it('substitutes arguments as Argo Rollouts does, and refuses an unknown one', () => {
    expect(resolveArgs({ q: 'x{h="{{ args.canary-hash }}", r="{{args.role}}"}' }, { 'canary-hash': 'a"b', role: 'api' })).toEqual({
      q: 'x{h="a"b", r="api"}',
    });
    expect(() => resolveArgs({ q: '{{args.nope}}' }, {})).toThrow('failed to resolve {{args.nope}}');
  });
});

import { checkManifests, formatFindings, type ManifestObject } from '../../charts/checks';
import { evalCondition, evaluateResult, ExprError, ExprUnsupported } from '../../charts/checks/argo-expr';
import { simulateAnalysisRun } from '../../charts/checks/analysis-run';
import { expectFinding, type BrokenCase } from './fixtures/expect-finding';
import { plus } from './fixtures/valid-objects';

const guarded = 'len(result) == 1 && !isNaN(result[0])';
const FILE = 'analysistemplate-success-rate.yaml';

function template(metric: Record<string, unknown>): ManifestObject {
  return {
    file: FILE,
    object: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'success-rate', namespace: 'shop' },
      spec: {
        args: [{ name: 'canary-hash' }],
        metrics: [
          {
            name: 'success-rate',
            interval: '1m',
            failureLimit: 3,
            inconclusiveLimit: 2,
            successCondition: `${guarded} && result[0] >= 0.99`,
            failureCondition: `${guarded} && result[0] < 0.99`,
            provider: { prometheus: { address: 'http://prometheus:9090', query: 'sum(rate(x{h="{{args.canary-hash}}"}[2m]))' } },
            ...metric,
          },
        ],
      },
    },
  };
}

const where = 'AnalysisTemplate shop/success-rate metric "success-rate"';

describe('analysis check', () => {
  it('accepts a guarded metric whose failureLimit absorbs a noisy minute', () => {
    expect(formatFindings(checkManifests(plus(template({})), { only: ['analysis'] }))).toBe('');
  });

  const cases: BrokenCase[] = [
    {
      name: 'a condition that indexes an empty result (phase Error)',
      objects: () => plus(template({ successCondition: 'result[0] >= 0.99', failureCondition: 'result[0] < 0.99' })),
      check: 'analysis',
      rule: 'no-data-inconclusive',
      file: FILE,
      message: `${where}: with an empty result (no series, or too little traffic) the measurement is Error`,
    },
    {
      name: 'a failure condition alone (no data counts as success)',
      objects: () => plus(template({ successCondition: undefined, failureCondition: `${guarded} && result[0] < 0.99` })),
      check: 'analysis',
      rule: 'no-data-inconclusive',
      file: FILE,
      message: 'the measurement is Successful; it must be Inconclusive',
    },
    {
      name: 'NaN read as a pass',
      objects: () => plus(template({ successCondition: 'len(result) == 1 && !(result[0] < 0.99)' })),
      check: 'analysis',
      rule: 'no-data-inconclusive',
      file: FILE,
      message: 'with NaN (0/0: series without requests) the measurement is Successful',
    },
    {
      // Today's output before issue 11: 5m window, measured every 1m, failureLimit 1.
      name: 'failureLimit 1 under a 5m window',
      objects: () =>
        plus(
          template({
            failureLimit: 1,
            provider: { prometheus: { address: 'http://p:9090', query: 'sum(rate(x[5m])) / sum(rate(y[5m]))' } },
          }),
        ),
      check: 'analysis',
      rule: 'noisy-minute',
      file: FILE,
      message: `${where}: failureLimit 1 aborts on one bad minute, which fails 6 measurements (300s rate window, measured every 1m)`,
    },
    {
      name: 'a condition outside the modelled expr subset',
      objects: () => plus(template({ successCondition: '"x" in ["x"]' })),
      check: 'analysis',
      rule: 'condition-syntax',
      file: FILE,
      message: 'outside the modelled subset',
    },
  ];
  it.each(cases)('reports $name', (c) => {
    expectFinding(c);
  });
});

describe('conditions, evaluated as Argo Rollouts does (utils/evaluate/evaluate.go, expr-lang)', () => {
  const metric = { successCondition: `${guarded} && result[0] >= 0.999`, failureCondition: `${guarded} && result[0] < 0.999` };

  it.each([
    [[1], 'Successful'],
    [[0], 'Failed'],
    [[0.5], 'Failed'],
    [[0.9999], 'Successful'],
    [[], 'Inconclusive'],
    [[NaN], 'Inconclusive'],
    [[0.5, 1], 'Inconclusive'],
  ] as const)('judges %j as %s', (result, phase) => {
    expect(evaluateResult(result, metric)).toBe(phase);
  });

  it('treats result[0] of an empty result as a runtime error, i.e. phase Error', () => {
    expect(() => evalCondition([], 'result[0] > 1')).toThrow(new ExprError('index out of range: 0 (array length is 0)'));
    expect(evaluateResult([], { successCondition: 'result[0] > 1', failureCondition: 'result[0] <= 1' })).toBe('Error');
  });

  it('short-circuits && and || and reads negative indexes from the end', () => {
    expect(evalCondition([], 'len(result) > 0 && result[0] > 1')).toBe(false);
    expect(evalCondition([], 'len(result) == 0 || result[0] > 1')).toBe(true);
    expect(evalCondition([1, 2, 3], 'result[-1] == 3')).toBe(true);
  });

  it('follows expr-lang precedence: ! before comparison, && before ||, ** right-associative', () => {
    expect(evalCondition([2], '1 + 2 * 3 == 7 && 2 ** 3 ** 2 == 512')).toBe(true);
    expect(evalCondition([2], 'false && false || true')).toBe(true);
    expect(evalCondition([NaN], '!isNaN(result[0]) == false')).toBe(true);
  });

  it('refuses what expr-lang would refuse, and what it does not model', () => {
    expect(() => evalCondition([1], 'result[0]')).toThrow('expected bool, but got float64');
    expect(() => evalCondition([1], 'result[0] && true')).toThrow(ExprError);
    expect(() => evalCondition([1], 'unknown > 1')).toThrow('unknown name unknown');
    expect(() => evalCondition([1], 'result[0] in [1]')).toThrow(ExprUnsupported);
  });

  it('offers the environment functions of EvalCondition', () => {
    expect(evalCondition(2.7, 'asInt(result) == 2 && asFloat(result) > 2.5 && !isInf(result) && !isNil(result)')).toBe(true);
  });
});

describe('the measurement loop (analysis/analysis.go)', () => {
  const limits = [
    { name: 'success-rate', failureLimit: 3, inconclusiveLimit: 2 },
    { name: 'latency-p95', failureLimit: 3, inconclusiveLimit: 2 },
  ];
  const ok = (n: number) => Array<'Successful'>(n).fill('Successful');

  it('counts failures over the whole run, not in a row', () => {
    const phases = [...ok(2), 'Failed', 'Failed', ...ok(3), 'Failed', ...ok(2), 'Failed'] as const;
    const outcome = simulateAnalysisRun(limits, { 'success-rate': phases, 'latency-p95': ok(phases.length) });
    expect(outcome).toMatchObject({
      phase: 'Failed',
      rollout: 'aborted',
      completedAfter: phases.length - 1,
      message: 'metric "success-rate": failed (4) > failureLimit (3)',
    });
  });

  it('lets failureLimit failures through and promotes at the end of the canary', () => {
    const phases = [...ok(2), 'Failed', 'Failed', 'Failed', ...ok(10)] as const;
    expect(simulateAnalysisRun(limits, { 'success-rate': phases, 'latency-p95': ok(15) }, { endOfCanary: true })).toMatchObject({
      phase: 'Successful',
      rollout: 'promoted',
    });
  });

  it('pauses after inconclusiveLimit + 1 measurements without data, even while the other metric passes', () => {
    const outcome = simulateAnalysisRun(
      limits,
      { 'success-rate': ok(10), 'latency-p95': Array(10).fill('Inconclusive') },
      { endOfCanary: true },
    );
    expect(outcome).toMatchObject({ phase: 'Inconclusive', rollout: 'paused', completedAfter: 2 });
  });

  it('ends in Error after more than consecutiveErrorLimit (4) errors in a row, and a success resets the streak', () => {
    const errors = (n: number) => Array<'Error'>(n).fill('Error');
    expect(simulateAnalysisRun(limits, { 'success-rate': [...errors(4), 'Successful', ...errors(4)], 'latency-p95': ok(9) })).toMatchObject(
      { phase: 'Running' },
    );
    expect(simulateAnalysisRun(limits, { 'success-rate': errors(5), 'latency-p95': ok(5) })).toMatchObject({
      phase: 'Error',
      rollout: 'aborted',
      completedAfter: 4,
    });
  });

  it('takes the worst phase of metrics completing together, and the first one to complete otherwise', () => {
    const together = simulateAnalysisRun(limits, {
      'success-rate': Array(4).fill('Failed'),
      'latency-p95': ['Successful', ...Array(3).fill('Inconclusive')],
    });
    expect(together).toMatchObject({ phase: 'Failed', completedAfter: 3 });
    // Once one metric completes the run is terminating and the others stop measuring.
    const first = simulateAnalysisRun(limits, { 'success-rate': Array(4).fill('Failed'), 'latency-p95': Array(4).fill('Inconclusive') });
    expect(first).toMatchObject({ phase: 'Inconclusive', completedAfter: 2 });
  });

  it('promotes a canary whose run ends before enough inconclusive measurements (why synth checks the pauses)', () => {
    expect(
      simulateAnalysisRun(
        limits,
        { 'success-rate': ['Inconclusive', 'Inconclusive'], 'latency-p95': ['Inconclusive', 'Inconclusive'] },
        { endOfCanary: true },
      ),
    ).toMatchObject({
      phase: 'Successful',
      rollout: 'promoted',
    });
  });
});

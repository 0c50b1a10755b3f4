/**
 * The two pieces of Argo Rollouts' controller the rehearsal needs, behind one small
 * interface: how one Prometheus answer becomes a measurement phase (the expr-lang
 * conditions), and how a run's measurements add up to the run's phase.
 *
 * STAND-IN: issue 11 (branch i11-analysis) adds the faithful models,
 * charts/checks/argo-expr.ts `evaluateResult` and charts/checks/analysis-run.ts
 * `simulateAnalysisRun`. Once they are on main, `argoModel` below is built from them
 * and this file's own evaluator goes.
 */

export type MeasurementPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';
export type RunPhase = 'Running' | 'Successful' | 'Failed' | 'Inconclusive' | 'Error';
/** What the prometheus provider hands to the conditions: a vector's values, or a scalar. */
export type ProviderResult = number | readonly number[];

export interface MetricConditions {
  readonly successCondition?: string;
  readonly failureCondition?: string;
}

export interface MetricLimits {
  readonly name: string;
  readonly failureLimit?: number;
  readonly inconclusiveLimit?: number;
  readonly consecutiveErrorLimit?: number;
}

export interface ArgoModel {
  /** utils/evaluate/evaluate.go EvaluateResult. */
  evaluateResult(result: ProviderResult, metric: MetricConditions): MeasurementPhase;
  /**
   * The run's phase after these measurements (analysis/analysis.go assessRunStatus);
   * `endOfCanary`: the Rollout terminated the run, so a metric still running succeeds.
   */
  assess(
    metrics: readonly MetricLimits[],
    measurements: Readonly<Record<string, readonly MeasurementPhase[]>>,
    options?: { readonly endOfCanary?: boolean },
  ): { readonly phase: RunPhase; readonly message: string };
}

/**
 * The conditions our templates use (`len(result) > 0 && !isNaN(result[0]) && …`) read
 * as JavaScript: expr-lang's `and`/`or`/`not` spelled out, `len()` a function, an
 * index out of range an error (expr-lang's runtime panics, argo-rollouts@9f8d111d
 * utils/evaluate/evaluate.go turns that into phase Error).
 */
function evalCondition(result: ProviderResult, condition: string): boolean {
  const source = condition.replace(/\band\b/g, '&&').replace(/\bor\b/g, '||').replace(/\bnot\b/g, '!');
  if (/[^\w\s.()[\]<>=!&|+\-*/%,]/.test(source)) throw new Error(`condition outside the stand-in's subset: ${condition}`);
  const guarded = Array.isArray(result)
    ? new Proxy(result as number[], {
        get(target, key) {
          if (typeof key === 'string' && /^-?\d+$/.test(key)) {
            const i = Number(key) < 0 ? target.length + Number(key) : Number(key);
            if (i < 0 || i >= target.length) throw new Error(`index out of range: ${key} (array length is ${target.length})`);
            return target[i];
          }
          return Reflect.get(target, key);
        },
      })
    : result;
  const fn = new Function('result', 'len', 'isNaN', 'isInf', 'asInt', 'asFloat', `"use strict"; return (${source});`);
  const value = fn(guarded, (x: unknown[]) => x.length, Number.isNaN, (x: number) => !Number.isFinite(x) && !Number.isNaN(x), Math.trunc, Number);
  if (typeof value !== 'boolean') throw new Error(`expected bool, but got ${typeof value}`);
  return value;
}

function evaluateResult(result: ProviderResult, metric: MetricConditions): MeasurementPhase {
  let success = false;
  let failure = false;
  try {
    if (metric.successCondition) success = evalCondition(result, metric.successCondition);
    if (metric.failureCondition) failure = evalCondition(result, metric.failureCondition);
  } catch {
    return 'Error';
  }
  if (!metric.successCondition && !metric.failureCondition) return 'Successful';
  if (metric.successCondition && !metric.failureCondition) failure = !success;
  if (!metric.successCondition && metric.failureCondition) success = !failure;
  if (failure) return 'Failed';
  return success ? 'Successful' : 'Inconclusive';
}

const WORSE: readonly RunPhase[] = ['Successful', 'Running', 'Inconclusive', 'Error', 'Failed'];

/** analysis/analysis.go assessMetricFailureInconclusiveOrError and assessRunStatus. */
function assess(
  metrics: readonly MetricLimits[],
  measurements: Readonly<Record<string, readonly MeasurementPhase[]>>,
  options: { readonly endOfCanary?: boolean } = {},
): { phase: RunPhase; message: string } {
  const messages: string[] = [];
  const phases = metrics.map((m): RunPhase => {
    const taken = measurements[m.name] ?? [];
    let failed = 0;
    let inconclusive = 0;
    let consecutiveError = 0;
    for (const p of taken) {
      consecutiveError = p === 'Error' ? consecutiveError + 1 : 0;
      if (p === 'Failed') failed++;
      if (p === 'Inconclusive') inconclusive++;
      // Once a limit is passed the metric is complete and takes no more measurements.
      if (failed > (m.failureLimit ?? 0) || inconclusive > (m.inconclusiveLimit ?? 0) || consecutiveError > (m.consecutiveErrorLimit ?? 4)) break;
    }
    // Each later check overrides the earlier ones, as in assessMetricFailureInconclusiveOrError.
    let phase: RunPhase = 'Running';
    let message = '';
    if ((m.failureLimit ?? 0) >= 0 && failed > (m.failureLimit ?? 0)) {
      phase = 'Failed';
      message = `failed (${failed}) > failureLimit (${m.failureLimit ?? 0})`;
    }
    if (inconclusive > (m.inconclusiveLimit ?? 0)) {
      phase = 'Inconclusive';
      message = `inconclusive (${inconclusive}) > inconclusiveLimit (${m.inconclusiveLimit ?? 0})`;
    }
    if (consecutiveError > (m.consecutiveErrorLimit ?? 4)) {
      phase = 'Error';
      message = `consecutiveErrors (${consecutiveError}) > consecutiveErrorLimit (${m.consecutiveErrorLimit ?? 4})`;
    }
    if (message) messages.push(`metric "${m.name}": ${message}`);
    return phase;
  });
  const terminating = options.endOfCanary || phases.some((p) => p !== 'Running');
  const final = phases.map((p) => (p === 'Running' && terminating ? 'Successful' : p));
  const worst = final.reduce<RunPhase>((w, p) => (WORSE.indexOf(p) > WORSE.indexOf(w) ? p : w), 'Successful');
  return { phase: terminating ? worst : 'Running', message: messages.join('; ') };
}

export const argoModel: ArgoModel = { evaluateResult, assess };

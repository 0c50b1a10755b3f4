/**
 * Behaviour of Prometheus-backed analysis metrics, judged the way Argo Rollouts judges
 * them (argo-expr.ts, analysis-run.ts):
 *
 * - `no-data-inconclusive`: an empty answer (no series, or too little traffic behind
 *   the query's guard) and a NaN answer (0/0) must give Inconclusive. Successful would
 *   promote a version nobody used; Error (e.g. `result[0]` of an empty result) counts
 *   against consecutiveErrorLimit and then aborts for the wrong reason.
 * - `noisy-minute`: `failureLimit` must absorb every measurement one bad minute fails,
 *   ceil((1m + rate window) / interval), because the run counts all its failures.
 * - `condition-syntax`: a condition this model cannot read is reported, not guessed.
 *
 * What the queries return for real traffic (all 5xx, half, slow, none) needs a PromQL
 * engine; test/ops/analysis-templates.test.ts runs them with promtool.
 */
import { ExprUnsupported, evaluateResult, parseCondition, ExprError } from './argo-expr';
import { durationSeconds, measurementsSeeing } from './analysis-run';
import { describeObject, type ManifestObject } from '../manifest';
import { type Finding } from './types';

const KINDS = new Set(['AnalysisTemplate', 'ClusterAnalysisTemplate']);

function finding(file: string, rule: string, message: string): Finding {
  return { check: 'analysis', rule, file, message };
}

/** Every rate window of a PromQL query, in seconds. */
function rangesOf(query: string): number[] {
  return [...query.matchAll(/\[(\d+[smh])(?::[^\]]*)?\]/g)].map((m) => durationSeconds(m[1]));
}

function checkMetric(file: string, where: string, metric: Record<string, any>): Finding[] {
  const findings: Finding[] = [];
  for (const key of ['successCondition', 'failureCondition'] as const) {
    if (typeof metric[key] !== 'string') continue;
    try {
      parseCondition(metric[key]);
    } catch (error) {
      if (error instanceof ExprUnsupported || error instanceof ExprError) {
        findings.push(finding(file, 'condition-syntax', `${where}: ${key} "${metric[key]}": ${error.message}`));
      } else throw error;
    }
  }
  if (findings.length > 0) return findings;

  for (const [answer, result] of [
    ['an empty result (no series, or too little traffic)', []],
    ['NaN (0/0: series without requests)', [NaN]],
  ] as const) {
    const phase = evaluateResult(result, metric);
    if (phase !== 'Inconclusive') {
      findings.push(
        finding(
          file,
          'no-data-inconclusive',
          `${where}: with ${answer} the measurement is ${phase}; it must be Inconclusive, so that no data never passes nor errors`,
        ),
      );
    }
  }

  const query = metric.provider?.prometheus?.query;
  const ranges = typeof query === 'string' ? rangesOf(query) : [];
  if (ranges.length > 0 && typeof metric.interval === 'string') {
    const window = Math.max(...ranges);
    const seeing = measurementsSeeing(60, window, durationSeconds(metric.interval));
    const failureLimit = typeof metric.failureLimit === 'number' ? metric.failureLimit : 0;
    if (failureLimit >= 0 && failureLimit < seeing) {
      findings.push(
        finding(
          file,
          'noisy-minute',
          `${where}: failureLimit ${failureLimit} aborts on one bad minute, which fails ${seeing} measurements ` +
            `(${window}s rate window, measured every ${metric.interval}); use at least ${seeing} or a shorter window`,
        ),
      );
    }
  }
  return findings;
}

/** Findings for every Prometheus metric of every (Cluster)AnalysisTemplate. */
export function checkAnalysis(objects: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const { file, object } of objects) {
    if (!KINDS.has(object?.kind)) continue;
    const metrics: unknown = object.spec?.metrics;
    if (!Array.isArray(metrics)) continue;
    for (const metric of metrics) {
      if (!metric?.provider?.prometheus) continue;
      findings.push(...checkMetric(file, `${describeObject(object)} metric "${metric.name}"`, metric));
    }
  }
  return findings;
}

import { evaluateResult, type MeasurementPhase, type MetricConditions, type ProviderResult } from '../../charts/checks/argo-expr';
import { simulateAnalysisRun, type MetricLimits, type RunPhase } from '../../charts/checks/analysis-run';

export { ExprUnsupported } from '../../charts/checks/argo-expr';
export type { MeasurementPhase, MetricConditions, MetricLimits, ProviderResult, RunPhase };

/**
 * The two pieces of Argo Rollouts' controller the rehearsal needs, behind one small
 * interface: how one Prometheus answer becomes a measurement phase (the expr-lang
 * conditions), and how a run's measurements add up to the run's phase. Both are the
 * models the manifest checks use (charts/checks/argo-expr.ts, analysis-run.ts), so the
 * rehearsal and the checks cannot disagree about Argo Rollouts.
 */
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

export const argoModel: ArgoModel = { evaluateResult, assess: simulateAnalysisRun };

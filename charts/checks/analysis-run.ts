/**
 * How an AnalysisRun's measurements add up to its phase, and what the Rollout does
 * with that phase: a pure model of the Argo Rollouts controller, fed with sequences
 * of measurement phases (see argo-expr.ts for how one measurement gets its phase).
 *
 * Sources: argoproj/argo-rollouts@9f8d111d
 * - analysis/analysis.go `runMeasurements`: Successful/Failed/Inconclusive add to
 *   their counters (never reset: `failureLimit` counts ALL failed measurements of the
 *   run, not consecutive ones); Error adds to `consecutiveError`, which any completed
 *   non-error measurement resets.
 * - `assessMetricFailureInconclusiveOrError`: Failed when failed > failureLimit,
 *   Inconclusive when inconclusive > inconclusiveLimit, Error when consecutiveError >
 *   consecutiveErrorLimit (default 4, utils/defaults/defaults.go); later checks win.
 * - `assessMetricStatus`: a metric without `count` runs until one of those, or until
 *   the run terminates, which makes a still-running metric Successful.
 * - `assessRunStatus`: the run is Running while any metric is; once one metric has
 *   completed Failed/Error/Inconclusive the run is terminating
 *   (utils/analysis/helpers.go `IsTerminating`), the next reconcile (the status update
 *   requeues it) completes the others and the run takes the worst phase
 *   (Successful < Inconclusive < Error < Failed, `analysisStatusOrder`).
 * - rollout/analysis.go `reconcileBackgroundAnalysisRun`: Inconclusive pauses the
 *   rollout (PauseReasonInconclusiveAnalysis); Error or Failed aborts it. When the
 *   canary reaches its last step the Rollout terminates the background run.
 */
import type { MeasurementPhase } from './argo-expr';

export type RunPhase = 'Running' | 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

export interface MetricLimits {
  readonly name: string;
  /** @default 0 (Argo Rollouts' default) */
  readonly failureLimit?: number;
  /** @default 0 */
  readonly inconclusiveLimit?: number;
  /** @default 4 */
  readonly consecutiveErrorLimit?: number;
}

export interface RunOutcome {
  readonly phase: RunPhase;
  /** Index (0-based) of the measurement after which the run completed. */
  readonly completedAfter?: number;
  readonly message: string;
  /** What the Rollout does with a background run in this phase. */
  readonly rollout: 'continues' | 'paused' | 'aborted' | 'promoted';
}

interface MetricState {
  failed: number;
  inconclusive: number;
  consecutiveError: number;
  measured: number;
  phase: RunPhase;
  message: string;
}

const WORSE: readonly RunPhase[] = ['Successful', 'Running', 'Inconclusive', 'Error', 'Failed'];
const completed = (p: RunPhase) => p !== 'Running';

function count(state: MetricState, phase: MeasurementPhase): void {
  state.measured++;
  if (phase === 'Error') state.consecutiveError++;
  else state.consecutiveError = 0;
  if (phase === 'Failed') state.failed++;
  if (phase === 'Inconclusive') state.inconclusive++;
}

function assessMetric(limits: MetricLimits, state: MetricState, terminating: boolean): void {
  if (completed(state.phase)) return;
  const failureLimit = limits.failureLimit ?? 0;
  const inconclusiveLimit = limits.inconclusiveLimit ?? 0;
  const consecutiveErrorLimit = limits.consecutiveErrorLimit ?? 4;
  let phase: RunPhase = 'Running';
  let message = '';
  if (failureLimit >= 0 && state.failed > failureLimit) {
    phase = 'Failed';
    message = `failed (${state.failed}) > failureLimit (${failureLimit})`;
  }
  if (state.inconclusive > inconclusiveLimit) {
    phase = 'Inconclusive';
    message = `inconclusive (${state.inconclusive}) > inconclusiveLimit (${inconclusiveLimit})`;
  }
  if (state.consecutiveError > consecutiveErrorLimit) {
    phase = 'Error';
    message = `consecutiveErrors (${state.consecutiveError}) > consecutiveErrorLimit (${consecutiveErrorLimit})`;
  }
  if (phase === 'Running' && terminating) phase = 'Successful';
  state.phase = phase;
  state.message = message ? `metric "${limits.name}": ${message}` : '';
}

/** One reconcile's assessment; returns the run's phase. */
function assessRun(metrics: readonly MetricLimits[], states: Map<string, MetricState>, terminate: boolean): RunPhase {
  const terminating = terminate || [...states.values()].some((s) => ['Failed', 'Error', 'Inconclusive'].includes(s.phase));
  for (const m of metrics) assessMetric(m, states.get(m.name)!, terminating);
  const phases = metrics.map((m) => states.get(m.name)!.phase);
  const worst = phases
    .filter(completed)
    .reduce<RunPhase | undefined>((w, p) => (w === undefined || WORSE.indexOf(p) > WORSE.indexOf(w) ? p : w), undefined);
  if (terminating) return worst ?? 'Successful';
  return phases.every(completed) && worst ? worst : 'Running';
}

const ROLLOUT: Record<RunPhase, RunOutcome['rollout']> = {
  Running: 'continues',
  Successful: 'promoted',
  Inconclusive: 'paused',
  Error: 'aborted',
  Failed: 'aborted',
};

/**
 * Feeds the i-th phase of every metric's sequence in as the i-th measurement round.
 * With `endOfCanary`, the Rollout reaches its last step after the sequences and
 * terminates the run (a metric still running then counts as Successful).
 *
 * Error measurements are retried after 10 s instead of `interval`
 * (DefaultErrorRetryInterval); a sequence is a sequence of measurements, not minutes.
 */
export function simulateAnalysisRun(
  metrics: readonly MetricLimits[],
  measurements: Readonly<Record<string, readonly MeasurementPhase[]>>,
  options: { readonly endOfCanary?: boolean } = {},
): RunOutcome {
  const states = new Map<string, MetricState>(
    metrics.map((m) => [m.name, { failed: 0, inconclusive: 0, consecutiveError: 0, measured: 0, phase: 'Running', message: '' }]),
  );
  const rounds = Math.max(0, ...metrics.map((m) => measurements[m.name]?.length ?? 0));
  const outcome = (phase: RunPhase, completedAfter?: number): RunOutcome => ({
    phase,
    completedAfter,
    message: [...states.values()]
      .map((s) => s.message)
      .filter(Boolean)
      .join('; '),
    rollout: ROLLOUT[phase],
  });
  for (let i = 0; i < rounds; i++) {
    for (const m of metrics) {
      const state = states.get(m.name)!;
      const phase = measurements[m.name]?.[i];
      if (phase !== undefined && !completed(state.phase)) count(state, phase);
    }
    // The reconcile that took the measurements, then the one its status update triggers.
    let phase = assessRun(metrics, states, false);
    if (!completed(phase)) phase = assessRun(metrics, states, false);
    if (completed(phase)) return outcome(phase, i);
  }
  if (options.endOfCanary) return outcome(assessRun(metrics, states, true), rounds - 1);
  return outcome('Running');
}

/** Go-style duration of Argo Rollouts ("90s", "2m", "1h") in seconds. */
export function durationSeconds(duration: string): number {
  const m = /^(\d+)(s|m|h)$/.exec(duration);
  if (!m) throw new Error(`not a duration: "${duration}"`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
}

/**
 * How many measurements, taken every `interval`, see a burst of `burst` seconds in a
 * `rate()` window of `window`: every measurement whose window overlaps the burst,
 * i.e. taken within `burst + window` after the burst began. With a 5m window every
 * 1m, one bad minute shows in 6 measurements; with 2m every 1m, in 3.
 */
export function measurementsSeeing(burst: number, window: number, interval: number): number {
  return Math.ceil((burst + window) / interval);
}

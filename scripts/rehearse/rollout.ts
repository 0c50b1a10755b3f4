import type { ArgoModel } from './argo-model';
import { LiveAnalysisRun, type Measure, type Measurement } from './analysis-run';
import type { AnalysisRef, CanaryStep, DeliveryPlan } from './plan';
import type { Pod } from './processes';
import { resolveMetrics } from './providers';
import type { Decision, TimelineEvent } from './timeline';
import { parseDuration, sleep } from './time';
import type { WeightedProxy } from './traffic';

/**
 * The Argo Rollouts canary controller, reduced to what decides a release
 * (argoproj/argo-rollouts@9f8d111d):
 * - rollout/canary.go `completedCurrentCanaryStep`: setCanaryScale and setWeight are
 *   complete only once the canary ReplicaSet is available (here: its pod answers its
 *   readiness probe); a pause with a duration ends after it, one without waits for a
 *   person; an analysis step ends when its run is Successful.
 * - rollout/trafficrouting.go: while the canary is not available the previous weight
 *   stays, so no learner reaches a canary that is not ready.
 * - spec.progressDeadlineSeconds with progressDeadlineAbort: a step that makes no
 *   progress for that long aborts the rollout.
 * - rollout/analysis.go: the background run starts at `startingStep` (default 0) and runs
 *   beside the steps; Failed or Error aborts, Inconclusive pauses
 *   (PauseReasonInconclusiveAnalysis); a step run the same. After the last step the
 *   background run is terminated and the new version is fully promoted.
 * An abort sends every request back to stable.
 */
export interface RolloutContext {
  readonly plan: DeliveryPlan;
  readonly stable: Pod;
  readonly canary: Pod;
  readonly proxy: WeightedProxy;
  readonly model: ArgoModel;
  readonly measure: Measure;
  readonly speed: number;
  readonly now: () => number;
  readonly emit: (event: TimelineEvent) => void;
}

type Stop = Omit<Decision, 'requests' | 'maxWeight'>;

export function describeStep(step: CanaryStep): string {
  const [kind, value] = Object.entries(step)[0] ?? ['?', undefined];
  if (kind === 'setWeight') return `setWeight ${String(value)}`;
  if (kind === 'pause') {
    const duration = (value as { duration?: unknown } | undefined)?.duration;
    return duration !== undefined ? `pause ${String(duration)}` : 'pause (until promoted)';
  }
  if (kind === 'setCanaryScale') return `setCanaryScale ${JSON.stringify(value)}`;
  if (kind === 'analysis') return `analysis ${(value as AnalysisRef).templates.map((t) => t.templateName).join(', ')}`;
  return kind;
}

export async function playRollout(ctx: RolloutContext): Promise<Decision> {
  const { plan, proxy, speed } = ctx;
  const steps = plan.canary.steps;
  const hashes = { stable: ctx.stable.hash, canary: ctx.canary.hash };
  let maxWeight = 0;
  let background: LiveAnalysisRun | undefined;
  const runs: LiveAnalysisRun[] = [];

  const startRun = (name: string, ref: AnalysisRef) => {
    const run = new LiveAnalysisRun(name, resolveMetrics(plan, ref, hashes), {
      measure: ctx.measure,
      model: ctx.model,
      speed,
      now: ctx.now,
      onMeasurement: (m: Measurement) => ctx.emit({ kind: 'measurement', ...m }),
    });
    runs.push(run);
    void run.done.then((phase) => ctx.emit({ kind: 'run', at: ctx.now(), run: name, phase, message: run.message }));
    return run.start();
  };

  /** What a completed run means for the rollout, or undefined while it runs / succeeded. */
  const verdict = (run: LiveAnalysisRun | undefined, step: number): Stop | undefined => {
    if (run?.unreadable) throw new Error(`${run.name} analysis: ${run.message}`);
    if (!run || run.phase === 'Running' || run.phase === 'Successful') return undefined;
    const what = `${run.name} analysis ${run.phase}${run.message ? ` (${run.message})` : ''}`;
    return run.phase === 'Inconclusive' ? { outcome: 'paused', reason: what, step } : { outcome: 'aborted', reason: what, step };
  };

  /** Waits `ms` or until `until()` holds, watching the background run; returns a stop if it ended the rollout. */
  const watch = async (step: number, ms: number, until: () => boolean | Promise<boolean> = () => false): Promise<Stop | 'timeout' | undefined> => {
    const end = ctx.now() + ms;
    for (;;) {
      const stop = verdict(background, step);
      if (stop) return stop;
      if (await until()) return undefined;
      if (ctx.now() >= end) return 'timeout';
      await sleep(Math.min(50, Math.max(1, end - ctx.now())));
    }
  };

  const canaryAvailable = async (step: number): Promise<Stop | undefined> => {
    const deadline = (plan.progressDeadlineSeconds * 1000) / speed;
    const result = await watch(step, deadline, () => ctx.canary.ready());
    if (result !== 'timeout') return result;
    const reason = `ProgressDeadlineExceeded: the canary pod was not available within progressDeadlineSeconds (${plan.progressDeadlineSeconds} s)${ctx.canary.alive() ? '' : `; it exited (${ctx.canary.output().trim().split('\n').at(-1) ?? ''})`}`;
    return plan.progressDeadlineAbort ? { outcome: 'aborted', reason, step } : { outcome: 'paused', reason: `${reason}; progressDeadlineAbort is off, so the rollout stays degraded`, step };
  };

  const play = async (): Promise<Stop> => {
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      const index = i + 1;
      if (!background && plan.canary.analysis && i >= (plan.canary.analysis.startingStep ?? 0)) background = startRun('background', plan.canary.analysis);
      ctx.emit({ kind: 'step', at: ctx.now(), index, total: steps.length, step: describeStep(step), weight: proxy.weight });
      if ('setCanaryScale' in step || 'setWeight' in step) {
        const stop = await canaryAvailable(index);
        if (stop) return stop;
        if ('setWeight' in step) {
          proxy.weight = Number(step.setWeight);
          maxWeight = Math.max(maxWeight, proxy.weight);
        }
      } else if ('pause' in step) {
        const duration = (step.pause as { duration?: string | number }).duration;
        if (duration === undefined) return { outcome: 'paused', reason: 'a pause without duration waits for a person to promote', step: index };
        const ms = (typeof duration === 'number' ? duration * 1000 : parseDuration(duration)) / speed;
        const stop = await watch(index, ms);
        if (stop !== 'timeout' && stop) return stop;
      } else if ('analysis' in step) {
        const run = startRun(`step ${index}`, step.analysis as AnalysisRef);
        const stop = await watch(index, Number.POSITIVE_INFINITY, () => run.phase !== 'Running');
        if (stop && stop !== 'timeout') return stop;
        const outcome = verdict(run, index);
        if (outcome) return outcome;
      } else {
        throw new Error(`step ${index} (${describeStep(step)}) cannot be rehearsed`);
      }
    }
    // Past the last step: the canary takes all traffic, the background run is terminated.
    proxy.weight = 100;
    maxWeight = 100;
    if (background) {
      await background.terminate();
      const stop = verdict(background, steps.length + 1);
      if (stop) return stop;
    }
    return { outcome: 'promoted', reason: `all ${steps.length} steps completed and every analysis succeeded`, step: steps.length };
  };

  try {
    const stop = await play();
    if (stop.outcome !== 'promoted') proxy.weight = stop.outcome === 'aborted' ? 0 : proxy.weight;
    return { ...stop, maxWeight, requests: { stable: proxy.served.stable, canary: proxy.served.canary } };
  } finally {
    for (const run of runs) run.stop();
  }
}

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
  const player = new RolloutPlayer(ctx);
  try {
    const stop = await player.play();
    const { proxy } = ctx;
    if (stop.outcome === 'aborted') proxy.weight = 0;
    return { ...stop, maxWeight: player.maxWeight, requests: { stable: proxy.served.stable, canary: proxy.served.canary } };
  } finally {
    player.stopRuns();
  }
}

/** One release played step by step; the background run is watched between steps. */
class RolloutPlayer {
  maxWeight = 0;
  private background: LiveAnalysisRun | undefined;
  private readonly runs: LiveAnalysisRun[] = [];
  private readonly hashes: { stable: string; canary: string };

  constructor(private readonly ctx: RolloutContext) {
    this.hashes = { stable: ctx.stable.hash, canary: ctx.canary.hash };
  }

  async play(): Promise<Stop> {
    const { plan, proxy } = this.ctx;
    const steps = plan.canary.steps;
    for (let i = 0; i < steps.length; i++) {
      if (!this.background && plan.canary.analysis && i >= (plan.canary.analysis.startingStep ?? 0)) {
        this.background = this.startRun('background', plan.canary.analysis);
      }
      this.ctx.emit({
        kind: 'step',
        at: this.ctx.now(),
        index: i + 1,
        total: steps.length,
        step: describeStep(steps[i]),
        weight: proxy.weight,
      });
      const stop = await this.playStep(steps[i], i + 1);
      if (stop) return stop;
    }
    // Past the last step: the canary takes all traffic, the background run is terminated.
    proxy.weight = 100;
    this.maxWeight = 100;
    if (this.background) {
      await this.background.terminate();
      const stop = this.verdict(this.background, steps.length + 1);
      if (stop) return stop;
    }
    return { outcome: 'promoted', reason: `all ${steps.length} steps completed and every analysis succeeded`, step: steps.length };
  }

  stopRuns(): void {
    for (const run of this.runs) run.stop();
  }

  private async playStep(step: CanaryStep, index: number): Promise<Stop | undefined> {
    if ('setCanaryScale' in step || 'setWeight' in step) {
      const stop = await this.canaryAvailable(index);
      if (stop) return stop;
      if ('setWeight' in step) {
        this.ctx.proxy.weight = Number(step.setWeight);
        this.maxWeight = Math.max(this.maxWeight, this.ctx.proxy.weight);
      }
      return undefined;
    }
    if ('pause' in step) {
      const duration = (step.pause as { duration?: string | number }).duration;
      if (duration === undefined)
        return { outcome: 'paused', reason: 'a pause without duration waits for a person to promote', step: index };
      const ms = (typeof duration === 'number' ? duration * 1000 : parseDuration(duration)) / this.ctx.speed;
      const stop = await this.watch(index, ms);
      return stop === 'timeout' ? undefined : stop;
    }
    if ('analysis' in step) {
      const run = this.startRun(`step ${index}`, step.analysis as AnalysisRef);
      const stop = await this.watch(index, Number.POSITIVE_INFINITY, () => run.phase !== 'Running');
      if (stop && stop !== 'timeout') return stop;
      return this.verdict(run, index);
    }
    throw new Error(`step ${index} (${describeStep(step)}) cannot be rehearsed`);
  }

  private startRun(name: string, ref: AnalysisRef): LiveAnalysisRun {
    const { ctx } = this;
    const run = new LiveAnalysisRun(name, resolveMetrics(ctx.plan, ref, this.hashes), {
      measure: ctx.measure,
      model: ctx.model,
      speed: ctx.speed,
      now: ctx.now,
      onMeasurement: (m: Measurement) => ctx.emit({ kind: 'measurement', ...m }),
    });
    this.runs.push(run);
    void run.done.then((phase) => ctx.emit({ kind: 'run', at: ctx.now(), run: name, phase, message: run.message }));
    return run.start();
  }

  /** What a completed run means for the rollout, or undefined while it runs / succeeded. */
  private verdict(run: LiveAnalysisRun | undefined, step: number): Stop | undefined {
    if (run?.unreadable) throw new Error(`${run.name} analysis: ${run.message}`);
    if (!run || run.phase === 'Running' || run.phase === 'Successful') return undefined;
    const what = `${run.name} analysis ${run.phase}${run.message ? ` (${run.message})` : ''}`;
    return run.phase === 'Inconclusive' ? { outcome: 'paused', reason: what, step } : { outcome: 'aborted', reason: what, step };
  }

  /** Waits `ms` or until `until()` holds, watching the background run; returns a stop if it ended the rollout. */
  private async watch(
    step: number,
    ms: number,
    until: () => boolean | Promise<boolean> = () => false,
  ): Promise<Stop | 'timeout' | undefined> {
    const end = this.ctx.now() + ms;
    for (;;) {
      const stop = this.verdict(this.background, step);
      if (stop) return stop;
      if (await until()) return undefined;
      if (this.ctx.now() >= end) return 'timeout';
      await sleep(Math.min(50, Math.max(1, end - this.ctx.now())));
    }
  }

  private async canaryAvailable(step: number): Promise<Stop | undefined> {
    const { plan, canary, speed } = this.ctx;
    const deadline = (plan.progressDeadlineSeconds * 1000) / speed;
    const result = await this.watch(step, deadline, () => canary.ready());
    if (result !== 'timeout') return result;
    const exited = canary.alive() ? '' : `; it exited (${canary.output().trim().split('\n').at(-1) ?? ''})`;
    const reason = `ProgressDeadlineExceeded: the canary pod was not available within progressDeadlineSeconds (${plan.progressDeadlineSeconds} s)${exited}`;
    return plan.progressDeadlineAbort
      ? { outcome: 'aborted', reason, step }
      : { outcome: 'paused', reason: `${reason}; progressDeadlineAbort is off, so the rollout stays degraded`, step };
  }
}

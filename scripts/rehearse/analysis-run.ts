import { ExprUnsupported, type ArgoModel, type MeasurementPhase, type MetricLimits, type RunPhase } from './argo-model';
import { parseDuration } from './time';

/**
 * One AnalysisRun, measured live on a compressed clock, with Argo Rollouts' scheduling
 * (argoproj/argo-rollouts@9f8d111d analysis/analysis.go `generateMetricTasks`):
 * - the first measurement waits `initialDelay` after the run started;
 * - the next one is due `interval` after the previous one finished, or
 *   DefaultErrorRetryInterval (10 s) after an Error;
 * - a metric stops measuring at its effective count (pkg/apis/rollouts/v1alpha1
 *   analysis_types.go `EffectiveCount`: `count`, or 1 when there is no `interval`, or
 *   unbounded with an interval and no count);
 * - a terminating run takes no new measurements.
 * What the measurements add up to is the model's (`ArgoModel.assess`).
 */

const DEFAULT_ERROR_RETRY_MS = 10_000;

/** A metric of an AnalysisTemplate after `{{args.*}}` substitution. */
export interface ResolvedMetric extends MetricLimits {
  readonly interval?: string;
  readonly initialDelay?: string;
  readonly count?: number;
  readonly successCondition?: string;
  readonly failureCondition?: string;
  readonly provider: Readonly<Record<string, unknown>>;
}

export interface MeasurementResult {
  readonly phase: MeasurementPhase;
  /** What the provider returned, as Argo Rollouts records it (`[0.998]`, `exit 1`). */
  readonly value: string;
  readonly message?: string;
}

export interface Measurement extends MeasurementResult {
  readonly run: string;
  readonly metric: string;
  /** Real milliseconds since the rehearsal started. */
  readonly at: number;
}

export type Measure = (metric: ResolvedMetric) => Promise<MeasurementResult>;

interface MetricState {
  phases: MeasurementPhase[];
  lastFinished?: number;
  inFlight?: Promise<void>;
}

export class LiveAnalysisRun {
  phase: RunPhase = 'Running';
  message = '';
  /** A condition the model cannot read: the rehearsal cannot judge this run. */
  unreadable?: Error;
  private readonly states = new Map<string, MetricState>();
  private timer?: NodeJS.Timeout;
  private startedAt = 0;
  private settle!: (phase: RunPhase) => void;
  readonly done: Promise<RunPhase> = new Promise((resolve) => (this.settle = resolve));

  constructor(
    readonly name: string,
    private readonly metrics: readonly ResolvedMetric[],
    private readonly opts: {
      readonly measure: Measure;
      readonly model: ArgoModel;
      readonly speed: number;
      readonly now: () => number;
      readonly onMeasurement: (m: Measurement) => void;
    },
  ) {
    for (const m of metrics) this.states.set(m.name, { phases: [] });
  }

  start(): this {
    this.startedAt = this.opts.now();
    this.timer = setInterval(() => this.tick(), 20);
    this.tick();
    return this;
  }

  private scaled(duration: string | undefined, fallbackMs: number): number {
    return (duration ? parseDuration(duration) : fallbackMs) / this.opts.speed;
  }

  private effectiveCount(m: ResolvedMetric): number | undefined {
    if (!m.count) return m.interval ? undefined : 1;
    return m.count;
  }

  private due(m: ResolvedMetric, state: MetricState, now: number): boolean {
    if (state.inFlight) return false;
    const last = state.phases.at(-1);
    if (last === undefined) return now >= this.startedAt + this.scaled(m.initialDelay, 0);
    const count = this.effectiveCount(m);
    if (count !== undefined && state.phases.length >= count) return false;
    const interval = last === 'Error' || !m.interval ? DEFAULT_ERROR_RETRY_MS / this.opts.speed : this.scaled(m.interval, 0);
    return now > (state.lastFinished ?? 0) + interval;
  }

  private tick(): void {
    if (this.phase !== 'Running') return;
    const now = this.opts.now();
    for (const m of this.metrics) {
      const state = this.states.get(m.name)!;
      if (!this.due(m, state, now)) continue;
      state.inFlight = this.opts
        .measure(m)
        .catch((error: Error): MeasurementResult | undefined => {
          if (!(error instanceof ExprUnsupported)) return { phase: 'Error', value: '', message: error.message };
          this.unreadable = error;
          return undefined;
        })
        .then((result) => {
          state.inFlight = undefined;
          if (this.phase !== 'Running') return;
          if (!result) {
            this.phase = 'Error';
            this.message = `metric "${m.name}": ${this.unreadable?.message}`;
            clearInterval(this.timer);
            this.settle('Error');
            return;
          }
          state.phases.push(result.phase);
          state.lastFinished = this.opts.now();
          this.opts.onMeasurement({ ...result, run: this.name, metric: m.name, at: state.lastFinished });
          this.assess(false);
        });
    }
  }

  private assess(endOfCanary: boolean): void {
    const measurements = Object.fromEntries([...this.states].map(([name, s]) => [name, s.phases]));
    let { phase, message } = this.opts.model.assess(this.metrics, measurements, { endOfCanary });
    // Every metric at its count and none past a limit: the run is Successful (assessMetricStatus).
    const allCounted = this.metrics.every((m) => {
      const count = this.effectiveCount(m);
      return count !== undefined && this.states.get(m.name)!.phases.length >= count;
    });
    if (phase === 'Running' && allCounted) ({ phase, message } = this.opts.model.assess(this.metrics, measurements, { endOfCanary: true }));
    if (phase === 'Running') return;
    this.phase = phase;
    this.message = message;
    clearInterval(this.timer);
    this.settle(phase);
  }

  /** The Rollout is done with the run (`spec.terminate`): metrics still running succeed. */
  async terminate(): Promise<RunPhase> {
    if (this.phase === 'Running') {
      clearInterval(this.timer);
      await Promise.all([...this.states.values()].flatMap((s) => (s.inFlight ? [s.inFlight] : [])));
      if (this.phase === 'Running') this.assess(true);
    }
    return this.done;
  }

  /** The run is not needed any more (the rollout aborted or paused): stop measuring. */
  stop(): void {
    clearInterval(this.timer);
  }
}

import type { Measurement } from './analysis-run';
import type { RunPhase } from './argo-model';
import { clusterClock } from './time';

export type Outcome = 'promoted' | 'aborted' | 'paused' | 'failed';

/** Exit codes of `npm run rehearse`. */
export const EXIT_CODES: Record<Outcome, number> = { promoted: 0, aborted: 3, paused: 4, failed: 1 };

export type TimelineEvent =
  | {
      readonly kind: 'step';
      readonly at: number;
      readonly index: number;
      readonly total: number;
      readonly step: string;
      readonly weight: number;
    }
  | ({ readonly kind: 'measurement' } & Measurement)
  | { readonly kind: 'run'; readonly at: number; readonly run: string; readonly phase: RunPhase; readonly message: string }
  | { readonly kind: 'note'; readonly at: number; readonly text: string };

export interface Decision {
  readonly outcome: Outcome;
  readonly reason: string;
  /** The step (1-based) the rollout was at; steps.length + 1 once fully promoted. */
  readonly step: number;
  /** The highest share of learner traffic the canary was given. */
  readonly maxWeight: number;
  readonly requests: { readonly stable: number; readonly canary: number };
}

export interface Timeline {
  readonly env: string;
  readonly rollout: string;
  readonly fault: string;
  readonly speed: number;
  readonly header: string[];
  readonly events: TimelineEvent[];
  decision?: Decision;
  wallSeconds?: number;
}

/** `[0.004749999999999999]` → `[0.00475]`: four significant digits are plenty to read. */
const readable = (value: string) => value.replace(/-?\d+\.\d{5,}(?:e-?\d+)?/g, (n) => String(Number(Number(n).toPrecision(4))));

const VERDICT: Record<string, string> = { Successful: 'ok', Failed: 'FAILED', Inconclusive: 'inconclusive', Error: 'ERROR' };

/** One line of the timeline as a person reads it. */
export function formatEvent(event: TimelineEvent, speed: number): string {
  const at = clusterClock(event.at, speed);
  switch (event.kind) {
    case 'step':
      return `${at}  step ${event.index}/${event.total}  ${event.step.padEnd(34)} canary weight ${event.weight}%`;
    case 'measurement': {
      const detail = event.message ? `  (${event.message})` : '';
      return `${at}      ${event.run.padEnd(10)} ${event.metric.padEnd(14)} ${readable(event.value).padEnd(12)} ${VERDICT[event.phase] ?? event.phase}${detail}`;
    }
    case 'run':
      return `${at}      ${event.run.padEnd(10)} run ${event.phase}${event.message ? `: ${event.message}` : ''}`;
    case 'note':
      return `${at}      ${event.text}`;
  }
}

export function formatDecision(decision: Decision, wallSeconds: number): string {
  const word = { promoted: 'PROMOTED', aborted: 'ABORTED', paused: 'PAUSED', failed: 'REHEARSAL FAILED' }[decision.outcome];
  const where =
    decision.outcome === 'promoted'
      ? 'after the last step'
      : decision.outcome === 'failed'
        ? 'before the first step'
        : `at step ${decision.step}`;
  return (
    `Decision: ${word} ${where}: ${decision.reason}\n` +
    `  canary reached ${decision.maxWeight}% of learner traffic; requests served: stable ${decision.requests.stable}, canary ${decision.requests.canary}; ` +
    `wall time ${wallSeconds.toFixed(1)} s`
  );
}

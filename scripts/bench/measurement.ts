/**
 * One line of `npm run bench`: a figure measured in this run beside the baseline
 * measured in the same run, so the ratio means something on whatever machine runs it.
 */
export interface Measurement {
  /** What was measured, e.g. "synth all environments (wall ms)". */
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The baseline measured in the same run, e.g. "import cdk8s + cdk8s-plus-28". */
  readonly baselineName: string;
  readonly baselineValue: number;
  /** value / baselineValue (or the inverse where higher is better, see `better`). */
  readonly ratio: number;
  /** Whether a higher or lower value is the better one. */
  readonly better: 'higher' | 'lower';
  /** The goal in words, e.g. "ratio ≤ 8×", and whether this run met it. */
  readonly goal: string;
  readonly met: boolean;
}

/** A group of measurements, run by scripts/bench/index.ts with a progress line. */
export interface BenchSuite {
  readonly name: string;
  run(progress: (message: string) => void): Promise<Measurement[]>;
}

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
  /** How the table shows the figure, the baseline and the ratio, when a number alone says too little. */
  readonly valueText?: string;
  readonly baselineText?: string;
  readonly ratioText?: string;
}

/** How long and how hard the HTTP suites load; `npm run bench -- --help` lists them. */
export interface BenchOptions {
  /** Alternating rounds per comparison; each target keeps its median round. */
  readonly rounds: number;
  readonly roundSeconds: number;
  /** Load on each target before the rounds (JIT, pools, caches), not counted. */
  readonly warmupSeconds: number;
  readonly connections: number;
  /** The page under load this long while the roles' RSS is sampled; 0 skips it. */
  readonly soakSeconds: number;
  /** Learners signed in, taking turns over the connections (1: one learner on all, as issue 14 measured). */
  readonly learners: number;
  /** The databases the api and the page are measured on (the soak runs on the first). */
  readonly databases: readonly ('postgres' | 'sqlite')[];
}

export const DEFAULT_OPTIONS: BenchOptions = {
  rounds: 3,
  roundSeconds: 5,
  warmupSeconds: 2,
  connections: 50,
  soakSeconds: 60,
  learners: 1,
  databases: ['postgres', 'sqlite'],
};

/** A group of measurements, run by scripts/bench/index.ts with a progress line. */
export interface BenchSuite {
  readonly name: string;
  run(progress: (message: string) => void, options?: BenchOptions): Promise<Measurement[]>;
}

/**
 * `npx tsx scripts/bench/<suite>.ts`: runs one suite on its own and prints a line per
 * figure; exits non-zero when the suite fails or a goal is missed.
 */
export function runStandalone(suite: BenchSuite): void {
  suite
    .run((message) => process.stderr.write(`… ${message}\n`))
    .then((measurements) => {
      for (const m of measurements) {
        process.stdout.write(
          `${m.met ? 'ok  ' : 'MISS'} ${m.name}: ${m.value} ${m.unit} vs ${m.baselineName}: ${m.baselineValue} → ratio ${m.ratio} (${m.goal})\n`,
        );
      }
      process.exit(measurements.every((m) => m.met) ? 0 : 1);
    })
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    });
}

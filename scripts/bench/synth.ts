/**
 * How long `npm run synth` takes for all environments, next to the time a fresh Node
 * process needs merely to load cdk8s and cdk8s-plus-28, measured in the same run so the
 * ratio holds on any machine. Goal: synth at most 8× the bare import.
 *
 *   npx tsx scripts/bench/synth.ts     prints the figures of this suite alone
 *
 * Both sides run as fresh processes, alternately, and the median of the rounds is
 * kept, so a burst of load from something else on the machine skews neither side alone.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runStandalone, type BenchSuite, type Measurement } from './measurement';

const REPO = resolve(__dirname, '../..');
const GOAL_RATIO = 8;

export interface SynthBenchOptions {
  /** Alternating rounds of (baseline, synth). @default 3 */
  readonly rounds?: number;
}

function timeProcess(command: string, args: readonly string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: REPO, encoding: 'utf8' });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${[command, ...args].join(' ')} exited with ${result.status}:\n${result.stderr}`);
  }
  return elapsed;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function synthBench(options: SynthBenchOptions = {}): BenchSuite {
  const rounds = options.rounds ?? 3;
  return {
    name: 'synth',
    async run(progress) {
      const outdir = mkdtempSync(join(tmpdir(), 'cc-bench-synth-'));
      // Exactly what `npm run synth` runs (`node --import tsx charts/main.ts`), minus
      // npm's own start-up, which is not the generator's cost; output goes to a temp
      // dir. (`--import tsx` rather than the tsx CLI: the CLI starts a second node
      // process and measurably more CPU.)
      const synthArgs = ['--import', 'tsx', 'charts/main.ts', '--outdir', outdir];
      const baselineArgs = ['-e', "require('cdk8s'); require('cdk8s-plus-28');"];
      try {
        // One untimed run of each warms the disk cache and tsx's transform cache,
        // as any second `npm run synth` on a machine would find them.
        timeProcess(process.execPath, synthArgs);
        timeProcess(process.execPath, baselineArgs);
        const baseline: number[] = [];
        const synth: number[] = [];
        for (let round = 1; round <= rounds; round++) {
          progress(`synth: round ${round}/${rounds}`);
          baseline.push(timeProcess(process.execPath, baselineArgs));
          synth.push(timeProcess(process.execPath, synthArgs));
        }
        const value = Math.round(median(synth));
        const baselineValue = Math.round(median(baseline));
        const ratio = Math.round((value / baselineValue) * 100) / 100;
        const measurement: Measurement = {
          name: 'synth all environments (wall ms, median)',
          value,
          unit: 'ms',
          baselineName: 'import cdk8s + cdk8s-plus-28 in a fresh node (wall ms, median)',
          baselineValue,
          ratio,
          better: 'lower',
          goal: `ratio ≤ ${GOAL_RATIO}×`,
          met: ratio <= GOAL_RATIO,
        };
        return [measurement];
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    },
  };
}

export default synthBench;

if (require.main === module) runStandalone(synthBench());

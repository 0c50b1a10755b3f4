/**
 * The pure part of every HTTP comparison: which target is loaded when, and which
 * figure each keeps. No I/O here, so test/ops/bench-rounds.test.ts checks it directly.
 */

/** What one bounded load of one target gave. */
export interface LoadResult {
  /** Requests per second, averaged over the round (autocannon's `requests.average`). */
  readonly requestsPerSecond: number;
  /** 99th percentile latency of a request, in ms. */
  readonly p99Ms: number;
  /** Non-2xx answers, connection errors and timeouts: every one is a failure. */
  readonly failures: number;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The order targets are loaded in, round by round: forward on even rounds, backward on
 * odd ones (A B C, C B A, A B C …). A neighbour that gets busier during a run then
 * weighs on every target alike, and no target always follows the same one (a server
 * still busy collecting garbage from the previous load would handicap its successor).
 */
export function roundOrder(targetCount: number, round: number): number[] {
  const forward = Array.from({ length: targetCount }, (_, i) => i);
  return round % 2 === 0 ? forward : forward.reverse();
}

/** Each figure's median over the rounds; failures are summed, never averaged away. */
export function medianResult(rounds: readonly LoadResult[]): LoadResult {
  return {
    requestsPerSecond: median(rounds.map((r) => r.requestsPerSecond)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    failures: rounds.reduce((sum, r) => sum + r.failures, 0),
  };
}

/**
 * Loads every target `rounds` times in alternating order with `measure`, and returns
 * each target's median result, in the targets' order.
 */
export async function compareInRounds<T>(
  targets: readonly T[],
  rounds: number,
  measure: (target: T, index: number, round: number) => Promise<LoadResult>,
): Promise<LoadResult[]> {
  const results: LoadResult[][] = targets.map(() => []);
  for (let round = 0; round < rounds; round += 1) {
    for (const index of roundOrder(targets.length, round)) {
      results[index].push(await measure(targets[index], index, round));
    }
  }
  return results.map(medianResult);
}

/**
 * The table rows of the HTTP and memory figures, built from measured numbers only (no
 * I/O), so test/ops/bench-rounds.test.ts checks their wording and verdicts directly.
 */
import type { Measurement } from '../measurement';
import { median, type LoadResult } from './rounds';

const whole = (n: number) => Math.round(n).toLocaleString('en-US');
const percent = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;

/** The same run's baselines of one comparison, beside the app's figure. */
export interface Compared {
  readonly bareHttp: LoadResult;
  readonly bareKoa: LoadResult;
  readonly app: LoadResult;
  /** CPU time per request (µs) of bare node:http and of each app process, when measured. */
  readonly cpuPerRequestUs?: readonly { readonly name: string; readonly us: number }[];
}

export interface ThroughputGoal {
  /** e.g. "api GET /api/v1/chapters/1, signed in, SQLite". */
  readonly figure: string;
  /** "req/s", or "views/s" when one view is several requests. */
  readonly unit: string;
  /** Requests the app serves per unit (a page view and the POST its script sends: 2). */
  readonly requestsPerUnit: number;
  readonly minRatio: number;
  readonly p99BudgetMs: number;
}

/** "; CPU per view: web 420 µs, api 310 µs (node:http 40 µs per request)", when measured. */
function cpuText(compared: Compared, requestsPerUnit: number): string {
  const [bare, ...app] = compared.cpuPerRequestUs ?? [];
  if (!bare || app.length === 0) return '';
  const per = requestsPerUnit === 1 ? 'request' : 'view';
  return `; CPU per ${per}: ${app.map((p) => `${p.name} ${whole(p.us * requestsPerUnit)} µs`).join(', ')} (bare node:http ${whole(bare.us)} µs per request)`;
}

/** One row: the app's rate and p99 beside bare node:http and bare Koa serving the same bytes. */
export function throughputRow(goal: ThroughputGoal, compared: Compared): Measurement {
  const { bareHttp, bareKoa, app } = compared;
  const rate = app.requestsPerSecond / goal.requestsPerUnit;
  const ratio = bareHttp.requestsPerSecond > 0 ? rate / bareHttp.requestsPerSecond : 0;
  const failed = app.failures > 0 ? `, ${whole(app.failures)} FAILED requests` : '';
  return {
    name: goal.figure,
    value: Math.round(rate),
    unit: goal.unit,
    baselineName: 'bare node:http, same bytes',
    baselineValue: Math.round(bareHttp.requestsPerSecond),
    ratio: Math.round(ratio * 1000) / 1000,
    better: 'higher',
    goal: `≥ ${Math.round(goal.minRatio * 100)} % of bare node:http, p99 < ${goal.p99BudgetMs} ms`,
    met: rate > 0 && ratio >= goal.minRatio && app.p99Ms < goal.p99BudgetMs && app.failures === 0,
    valueText: `${whole(rate)} ${goal.unit}, p99 ${app.p99Ms} ms${failed}${cpuText(compared, goal.requestsPerUnit)}`,
    baselineText:
      `node:http ${whole(bareHttp.requestsPerSecond)} req/s, p99 ${bareHttp.p99Ms} ms; ` +
      `Koa ${whole(bareKoa.requestsPerSecond)} req/s (${percent(bareKoa.requestsPerSecond / bareHttp.requestsPerSecond)})`,
    ratioText: percent(ratio),
  };
}

/** RSS after the load, each role beside the bare node:http process loaded the same way. */
export function rssRow(
  figure: string,
  roles: readonly { name: string; mib: number }[],
  baselineMib: number,
  limitMib: number,
): Measurement {
  const worst = Math.max(...roles.map((r) => r.mib));
  return {
    name: figure,
    value: Math.round(worst),
    unit: 'MiB',
    baselineName: 'bare node:http after its load',
    baselineValue: Math.round(baselineMib),
    ratio: Math.round((worst / baselineMib) * 100) / 100,
    better: 'lower',
    goal: `< ${limitMib} MiB each role`,
    met: worst < limitMib,
    valueText: roles.map((r) => `${r.name} ${Math.round(r.mib)} MiB`).join(', '),
    baselineText: `bare node:http ${Math.round(baselineMib)} MiB`,
    ratioText: `${(worst / baselineMib).toFixed(1)}×`,
  };
}

/** How much RSS may still grow over the last two thirds of a soak and count as flat. */
export const FLAT_TOLERANCE = 0.1;

/**
 * Flat: the median RSS of the soak's last third is at most 10 % above that of its first
 * third. Medians, because a garbage collection moves one sample but not a third of them;
 * the first third, not the first sample, because a process grows into its load first.
 */
export function growth(samplesMib: readonly number[]): number {
  if (samplesMib.length < 3) return 0;
  const third = Math.floor(samplesMib.length / 3);
  const first = median(samplesMib.slice(0, third));
  const last = median(samplesMib.slice(samplesMib.length - third));
  return (last - first) / first;
}

/** One role's RSS over the soak: start, end, peak; flat and under the limit. */
export function soakRow(role: string, seconds: number, samplesMib: readonly number[], baselineMib: number, limitMib: number): Measurement {
  const peak = Math.max(...samplesMib);
  const grew = growth(samplesMib);
  const flat = grew <= FLAT_TOLERANCE;
  return {
    name: `RSS of the ${role} role over ${seconds} s of page load, compiled build`,
    value: Math.round(peak),
    unit: 'MiB',
    baselineName: 'bare node:http after its load',
    baselineValue: Math.round(baselineMib),
    ratio: Math.round((peak / baselineMib) * 100) / 100,
    better: 'lower',
    goal: `< ${limitMib} MiB, flat (last third ≤ first third + ${FLAT_TOLERANCE * 100} %)`,
    met: peak < limitMib && flat,
    valueText: `${Math.round(samplesMib[0])} → ${Math.round(samplesMib[samplesMib.length - 1])} MiB, peak ${Math.round(peak)} MiB, ${grew >= 0 ? '+' : ''}${percent(grew)} (${flat ? 'flat' : 'GROWS'})`,
    baselineText: `bare node:http ${Math.round(baselineMib)} MiB`,
    ratioText: `${(peak / baselineMib).toFixed(1)}×`,
  };
}

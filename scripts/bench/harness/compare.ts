/**
 * One comparison, run the same way for the api and the page: bare `node:http` and bare
 * Koa (each its own process) serve the bytes the app answered; the load generator (its
 * own process) loads the three in alternating rounds and each keeps its median round.
 */
import type { LoadGenerator, LoadRequest } from './load-generator';
import type { BenchOptions } from '../measurement';
import { startBaseline, type ServerProcess } from './processes';
import { compareInRounds, type LoadResult } from './rounds';
import type { Compared } from './rows';
import { scratch } from './fixture';

export interface AppTarget {
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** One set of headers per learner, taking turns (see LoadJob). */
  readonly learnerHeaders?: readonly Record<string, string>[];
  /** The request sequence each connection repeats (a page view and its POST). */
  readonly requests?: readonly LoadRequest[];
  /** The app's processes (api; web and api), whose CPU time per request is reported. */
  readonly processes: readonly ServerProcess[];
  /** The bytes the app answered and their type: what the baselines serve. */
  readonly bytes: Buffer;
  readonly contentType: string;
}

export interface ComparisonOutcome {
  readonly compared: Compared;
  /** RSS of the bare node:http process after its rounds, in MiB. */
  readonly bareHttpRssMiB: number;
}

/** CPU seconds and requests summed over a target's rounds, per process. */
function cpuMeter(processes: readonly ServerProcess[]) {
  const seconds = processes.map(() => 0);
  let requests = 0;
  return {
    async around(run: () => Promise<LoadResult>, roundSeconds: number): Promise<LoadResult> {
      const before = processes.map((p) => p.cpuSeconds());
      const result = await run();
      processes.forEach((p, i) => (seconds[i] += p.cpuSeconds() - before[i]));
      requests += result.requestsPerSecond * roundSeconds;
      return result;
    },
    perRequestUs: () => processes.map((p, i) => ({ name: p.name, us: requests > 0 ? Math.round((seconds[i] / requests) * 1e6) : 0 })),
  };
}

export async function compareWithBaselines(
  generator: LoadGenerator,
  app: AppTarget,
  options: BenchOptions,
  progress: (message: string) => void,
): Promise<ComparisonOutcome> {
  const bytes = scratch();
  const baselines: ServerProcess[] = [];
  try {
    const file = bytes.file('body', app.bytes);
    baselines.push(await startBaseline('http', file, app.contentType), await startBaseline('koa', file, app.contentType));
    const targets = [
      { name: 'bare node:http', job: { url: baselines[0].url } },
      { name: 'bare Koa', job: { url: baselines[1].url } },
      { name: 'app', job: { url: app.url, headers: app.headers, requests: app.requests, learnerHeaders: app.learnerHeaders } },
    ];
    const shape = { connections: options.connections };
    for (const target of options.warmupSeconds > 0 ? targets : []) {
      progress(`warming up ${target.name} (${options.warmupSeconds} s)`);
      await generator.load({ ...target.job, ...shape, durationSeconds: options.warmupSeconds });
    }
    const meters = [cpuMeter([baselines[0]]), cpuMeter([]), cpuMeter(app.processes)];
    const [bareHttp, bareKoa, appResult] = await compareInRounds(targets, options.rounds, (target, index, round): Promise<LoadResult> => {
      progress(`round ${round + 1}/${options.rounds}: ${target.name} (${options.connections} connections, ${options.roundSeconds} s)`);
      return meters[index].around(
        () => generator.load({ ...target.job, ...shape, durationSeconds: options.roundSeconds }),
        options.roundSeconds,
      );
    });
    const cpuPerRequestUs = [...meters[0].perRequestUs(), ...meters[2].perRequestUs()];
    return { compared: { bareHttp, bareKoa, app: appResult, cpuPerRequestUs }, bareHttpRssMiB: baselines[0].rssMiB() };
  } finally {
    await Promise.all(baselines.map((b) => b.stop()));
    bytes.remove();
  }
}

/**
 * `npm run bench`: every suite in scripts/bench/, one after another (they would skew
 * each other in parallel), with a progress line while they run, then ONE table: each
 * figure beside the baseline measured in the same run, the ratio, the goal and whether
 * it was met.
 *
 * A suite file that is absent is listed as missing; a suite that throws is listed as
 * failed with its error and makes the command exit non-zero, never silently dropped.
 *
 *   npm run bench                     all suites
 *   npm run bench -- synth api        only these
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ArgumentError, parseCommandLine } from '../lib/args';
import type { BenchSuite, Measurement } from './measurement';

/** The suites the project promises (issue 2, 3, 4 and 6), in the order they run. */
export const EXPECTED_SUITES = ['synth', 'api', 'web', 'resilience'] as const;
// Helpers that live beside the suites but measure nothing themselves.
const NOT_SUITES = new Set(['index', 'measurement', 'http-load']);

export type SuiteOutcome =
  | { readonly suite: string; readonly status: 'ok'; readonly measurements: readonly Measurement[]; readonly seconds: number }
  | { readonly suite: string; readonly status: 'missing' }
  | { readonly suite: string; readonly status: 'failed'; readonly error: string; readonly seconds: number };

/** Suite names: the expected ones first, then any other file of this directory. */
export function suiteNames(dir: string = __dirname): string[] {
  const present = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => basename(f, '.ts'))
    .filter((name) => !NOT_SUITES.has(name) && !name.startsWith('_'));
  const extra = present.filter((name) => !(EXPECTED_SUITES as readonly string[]).includes(name)).sort();
  return [...EXPECTED_SUITES, ...extra];
}

/** A suite module exports a BenchSuite, or a factory of one, as default or by any name. */
export function suiteOf(name: string, module: Record<string, unknown>): BenchSuite {
  // The default export first, then named ones; a factory (e.g. `synthBench(options?)`) is
  // called with its defaults. Only functions named like a suite factory are called.
  const candidates = [module.default, ...Object.entries(module).filter(([key]) => key !== 'default').map(([, v]) => v)];
  for (const candidate of candidates) {
    if (isSuite(candidate)) return candidate;
    if (typeof candidate === 'function' && (candidate === module.default || /Bench$|Suite$/.test(candidate.name))) {
      const made = safeCall(candidate as () => unknown);
      if (isSuite(made)) return made;
    }
  }
  throw new Error(`scripts/bench/${name}.ts exports no BenchSuite (an object with name and run(progress), or a function returning one)`);
}

function safeCall(fn: () => unknown): unknown {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function isSuite(value: unknown): value is BenchSuite {
  return typeof value === 'object' && value !== null && typeof (value as BenchSuite).run === 'function' && typeof (value as BenchSuite).name === 'string';
}

export async function runSuites(
  names: readonly string[],
  progress: (line: string) => void,
  load: (name: string) => Promise<Record<string, unknown> | undefined> = loadSuiteModule,
): Promise<SuiteOutcome[]> {
  const outcomes: SuiteOutcome[] = [];
  for (const [index, name] of names.entries()) {
    const prefix = `[${index + 1}/${names.length}] ${name}`;
    const started = Date.now();
    const module = await load(name).catch((error: unknown) => error as Error);
    if (module === undefined) {
      progress(`${prefix}: missing (no scripts/bench/${name}.ts)`);
      outcomes.push({ suite: name, status: 'missing' });
      continue;
    }
    try {
      if (module instanceof Error) throw module;
      const suite = suiteOf(name, module);
      progress(`${prefix}: starting`);
      const measurements = await suite.run((message) => progress(`${prefix}: ${message}`));
      if (!Array.isArray(measurements) || measurements.length === 0) {
        throw new Error('returned no measurements');
      }
      outcomes.push({ suite: name, status: 'ok', measurements, seconds: (Date.now() - started) / 1000 });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      progress(`${prefix}: FAILED: ${message.split('\n')[0]}`);
      outcomes.push({ suite: name, status: 'failed', error: message, seconds: (Date.now() - started) / 1000 });
    }
  }
  return outcomes;
}

async function loadSuiteModule(name: string): Promise<Record<string, unknown> | undefined> {
  const file = join(__dirname, `${name}.ts`);
  if (!existsSync(file)) return undefined;
  return (await import(file)) as Record<string, unknown>;
}

const fmt = (value: number) =>
  !Number.isFinite(value) ? String(value) : Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(3);

/** The one table: a row per figure, and a row per missing or failed suite. */
export function renderTable(outcomes: readonly SuiteOutcome[]): string {
  const header = ['suite', 'figure', 'value', 'baseline (same run)', 'ratio', 'goal', 'met'];
  const rows: string[][] = [];
  for (const outcome of outcomes) {
    if (outcome.status === 'missing') {
      rows.push([outcome.suite, '(suite missing: not measured)', '', '', '', '', '–']);
    } else if (outcome.status === 'failed') {
      rows.push([outcome.suite, `FAILED: ${outcome.error.split('\n')[0].slice(0, 100)}`, '', '', '', '', 'no']);
    } else {
      for (const m of outcome.measurements) {
        rows.push([
          outcome.suite,
          m.name,
          `${fmt(m.value)} ${m.unit}`,
          `${m.baselineName}: ${fmt(m.baselineValue)} ${m.unit}`,
          `${fmt(m.ratio)}×`,
          m.goal,
          m.met ? 'yes' : 'NO',
        ]);
      }
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

/** Exit status: failed suites and unmet goals fail the command; a missing suite does not. */
export function exitCode(outcomes: readonly SuiteOutcome[]): number {
  const failed = outcomes.some((o) => o.status === 'failed');
  const unmet = outcomes.some((o) => o.status === 'ok' && o.measurements.some((m) => !m.met));
  return failed || unmet ? 1 : 0;
}

async function main(argv: readonly string[]): Promise<void> {
  const all = suiteNames();
  let positionals: string[];
  try {
    ({ positionals } = parseCommandLine(argv, {}, true));
  } catch (error) {
    if (error instanceof ArgumentError) throw new Error(`unknown suite(s): ${error.problem.arg}; known: ${all.join(', ')}`);
    throw error;
  }
  const wanted = positionals.length > 0 ? positionals : all;
  const unknown = wanted.filter((name) => !all.includes(name));
  if (unknown.length > 0) throw new Error(`unknown suite(s): ${unknown.join(', ')}; known: ${all.join(', ')}`);

  // One progress line, rewritten in place on a terminal; plain lines in CI logs.
  const tty = process.stderr.isTTY;
  const progress = (line: string) => {
    if (tty) process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 120) - 1)}`);
    else process.stderr.write(`${line}\n`);
  };
  const outcomes = await runSuites(wanted, progress);
  if (tty) process.stderr.write('\r\x1b[2K');

  process.stdout.write(`\n${renderTable(outcomes)}\n`);
  for (const o of outcomes) {
    if (o.status === 'failed') process.stdout.write(`\n${o.suite} failed:\n${o.error}\n`);
  }
  process.exitCode = exitCode(outcomes);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}

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
 *   npm run bench -- --rounds 5 --round-seconds 10 --soak-seconds 0 web
 *
 * The table is Markdown, as the README shows it: a run's output pastes there as it is.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ArgumentError, parseCommandLine } from '../lib/args';
import { DEFAULT_OPTIONS, type BenchOptions, type BenchSuite, type Measurement } from './measurement';

/** The suites the project promises (issue 2, 3, 4 and 6), in the order they run. */
export const EXPECTED_SUITES = ['synth', 'api', 'web', 'resilience'] as const;
// Helpers that live beside the suites but measure nothing themselves (the rest is in harness/).
const NOT_SUITES = new Set(['index', 'measurement']);

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
  const candidates = [
    module.default,
    ...Object.entries(module)
      .filter(([key]) => key !== 'default')
      .map(([, v]) => v),
  ];
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
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as BenchSuite).run === 'function' &&
    typeof (value as BenchSuite).name === 'string'
  );
}

export async function runSuites(
  names: readonly string[],
  progress: (line: string) => void,
  load: (name: string) => Promise<Record<string, unknown> | undefined> = loadSuiteModule,
  options: BenchOptions = DEFAULT_OPTIONS,
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
      const measurements = await suite.run((message) => progress(`${prefix}: ${message}`), options);
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
  !Number.isFinite(value)
    ? String(value)
    : Math.abs(value) >= 100
      ? value.toFixed(0)
      : Math.abs(value) >= 1
        ? value.toFixed(2)
        : value.toPrecision(3);

/** A cell: pipes would split it and line breaks end the row. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

function rowOf(m: Measurement): string[] {
  return [
    m.name,
    m.valueText ?? `${fmt(m.value)} ${m.unit}`,
    m.baselineText ?? `${m.baselineName}: ${fmt(m.baselineValue)} ${m.unit}`,
    m.ratioText ?? `${fmt(m.ratio)}×`,
    m.goal,
    m.met ? 'pass' : '**FAIL**',
  ];
}

/**
 * The one table, in Markdown: a row per figure, and a row per missing or failed suite,
 * with the figure, the baselines of the same run, the ratio, the goal and pass or fail.
 */
export function renderTable(outcomes: readonly SuiteOutcome[]): string {
  const header = ['figure', 'measured', 'baseline (same run)', 'ratio', 'goal', 'result'];
  const rows: string[][] = [];
  for (const outcome of outcomes) {
    if (outcome.status === 'missing') {
      rows.push([`${outcome.suite}: suite missing, not measured`, '', '', '', '', '–']);
    } else if (outcome.status === 'failed') {
      rows.push([`${outcome.suite}: FAILED: ${outcome.error.split('\n')[0].slice(0, 100)}`, '', '', '', '', '**FAIL**']);
    } else {
      rows.push(...outcome.measurements.map(rowOf));
    }
  }
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/** Exit status: failed suites and unmet goals fail the command; a missing suite does not. */
export function exitCode(outcomes: readonly SuiteOutcome[]): number {
  const failed = outcomes.some((o) => o.status === 'failed');
  const unmet = outcomes.some((o) => o.status === 'ok' && o.measurements.some((m) => !m.met));
  return failed || unmet ? 1 : 0;
}

const OPTION_FLAGS = {
  rounds: 'rounds',
  'round-seconds': 'roundSeconds',
  'warmup-seconds': 'warmupSeconds',
  connections: 'connections',
  'soak-seconds': 'soakSeconds',
  learners: 'learners',
} as const satisfies Record<string, keyof BenchOptions>;
type OptionFlag = keyof typeof OPTION_FLAGS | 'databases';
const DATABASES = ['postgres', 'sqlite'] as const;

/** The load shape from `--rounds 3 --round-seconds 5 …`; each a whole number (soak may be 0). */
export function benchOptions(values: Partial<Record<OptionFlag, string>>): BenchOptions {
  const options: Record<(typeof OPTION_FLAGS)[keyof typeof OPTION_FLAGS], number> = { ...DEFAULT_OPTIONS };
  for (const [flag, key] of Object.entries(OPTION_FLAGS) as [keyof typeof OPTION_FLAGS, keyof typeof options][]) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const n = Number(raw);
    const least = key === 'soakSeconds' || key === 'warmupSeconds' ? 0 : 1;
    if (!/^\d+$/.test(raw) || n < least || n > 3600)
      throw new Error(`--${flag}: expected a whole number from ${least} to 3600, got "${raw}"`);
    options[key] = n;
  }
  const databases = values.databases?.split(',') ?? DEFAULT_OPTIONS.databases;
  const unknown = databases.filter((d) => !(DATABASES as readonly string[]).includes(d));
  if (unknown.length > 0 || databases.length === 0)
    throw new Error(`--databases: expected a comma-separated list of ${DATABASES.join(', ')}, got "${values.databases}"`);
  return { ...options, databases: databases as BenchOptions['databases'] };
}

async function main(argv: readonly string[]): Promise<void> {
  const all = suiteNames();
  let positionals: string[];
  let options: BenchOptions;
  try {
    const flags = Object.fromEntries([...Object.keys(OPTION_FLAGS), 'databases'].map((flag) => [flag, { type: 'string' as const }]));
    const parsed = parseCommandLine(argv, flags, true);
    positionals = parsed.positionals;
    options = benchOptions(parsed.values);
  } catch (error) {
    if (error instanceof ArgumentError) {
      throw new Error(
        `${error.message}; suites: ${all.join(', ')}; options: ${Object.keys(OPTION_FLAGS)
          .map((f) => `--${f} N`)
          .join(', ')}, --databases postgres,sqlite`,
      );
    }
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
  const outcomes = await runSuites(wanted, progress, loadSuiteModule, options);
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

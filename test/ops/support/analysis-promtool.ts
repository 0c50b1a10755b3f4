/**
 * Runs the AnalysisTemplates' Prometheus queries as Argo Rollouts would send them,
 * on synthetic series, with `promtool test rules`, and reads the answers back.
 *
 * promtool has no "print this query" mode, so each query becomes a
 * `promql_expr_test` that expects a sentinel sample no query can return: every case
 * fails, and the failure report carries promtool's own answer ("got: …"), which is
 * parsed back. A case that does not fail means the sentinel came back, which cannot
 * happen; it is reported as a harness error rather than read as an empty answer.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';

const run = promisify(execFile);
const SENTINEL = 'analysis_readback_sentinel_never_returned';

export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

export interface InstantQuery {
  readonly expr: string;
  /** promtool duration since the series began, e.g. '10m'. */
  readonly at: string;
}

export interface Sample {
  readonly labels: string;
  readonly value: number;
}

/**
 * Argument substitution as Argo Rollouts does it (argoproj/argo-rollouts@9f8d111d
 * utils/analysis/helpers.go ResolveMetricArgs → utils/template/template.go
 * ResolveQuotedArgs/resolve): the whole metric is rendered as JSON and every
 * `{{ tag }}` is replaced by the value of `args.<name>` (tag trimmed, value escaped
 * like strconv.Quote without its quotes); an unknown tag is an error that puts the
 * AnalysisRun in phase Error.
 */
export function resolveArgs<T>(metric: T, args: Readonly<Record<string, string>>): T {
  let unresolved: string | undefined;
  const json = JSON.stringify(metric).replace(/\{\{(.*?)\}\}/g, (_, tag: string) => {
    const name = tag.trim();
    if (name.startsWith('args.') && Object.prototype.hasOwnProperty.call(args, name.slice('args.'.length))) {
      return JSON.stringify(args[name.slice('args.'.length)]).slice(1, -1);
    }
    unresolved ??= `failed to resolve {{${tag}}}`;
    return '';
  });
  if (unresolved) throw new Error(unresolved);
  return JSON.parse(json) as T;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`promtool printed a value that is not a number: ${text}`);
  return value;
}

/** "nil" or `{labels} 1.5E+00, {labels} NaN` (promtool's parsedSamplesString). */
export function parseSamples(got: string): Sample[] {
  if (got.trim() === 'nil') return [];
  const samples: Sample[] = [];
  for (const m of got.matchAll(/(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})\s+(\S+?)(?:,|$)/g)) {
    samples.push({ labels: m[1], value: parseValue(m[2]) });
  }
  if (samples.length === 0) throw new Error(`cannot read promtool's answer: ${got}`);
  return samples;
}

/** The instant vector each query returns at its time, in order. */
export async function evaluateQueries(
  input: readonly InputSeries[],
  scrapeInterval: string,
  queries: readonly InstantQuery[],
): Promise<Sample[][]> {
  const dir = mkdtempSync(join(tmpdir(), 'cc-analysis-'));
  try {
    const file = join(dir, 'queries.yaml');
    const test = {
      rule_files: [],
      evaluation_interval: '1m',
      tests: [
        {
          name: 'analysis queries',
          interval: scrapeInterval,
          input_series: input,
          promql_expr_test: queries.map((q) => ({ expr: q.expr, eval_time: q.at, exp_samples: [{ labels: SENTINEL, value: 0 }] })),
        },
      ],
    };
    writeFileSync(file, stringify(test, { lineWidth: 0 }));
    let output: string;
    try {
      await run('promtool', ['test', 'rules', file], { maxBuffer: 64 * 1024 * 1024 });
      throw new Error('promtool returned the sentinel sample; the read-back harness is broken');
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
      if (e.code === 'ENOENT') {
        throw new Error("promtool is not installed: it comes with Debian's prometheus package (apt-get install -y prometheus)");
      }
      if (e.stdout === undefined) throw error;
      output = `${e.stdout}${e.stderr ?? ''}`;
    }
    const answers = [...output.matchAll(/^\s*expr: .*, time: .*,\n\s*exp: .*\n\s*got: (.*)$/gm)].map((m) => parseSamples(m[1]));
    if (answers.length !== queries.length || !output.includes(SENTINEL)) {
      throw new Error(`expected ${queries.length} answers from promtool, read ${answers.length}:\n${output}`);
    }
    return answers;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

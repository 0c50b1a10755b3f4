/**
 * Just enough PromQL reading to list the series selectors of a query: metric names and
 * the label names their matchers use. Not a parser of the language: it strips what is
 * not a selector (strings, durations, grouping clauses, function names, keywords) and
 * reads what is left, which suffices for the queries this repository writes.
 */
export interface Selector {
  readonly metric: string;
  readonly labels: readonly string[];
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

export function selectorsOf(query: string): Selector[] {
  // Argo Rollouts arguments ({{args.role}}) sit inside label values.
  let q = query.replace(/\{\{[^}]*\}\}/g, 'ARG');
  const selectors: Selector[] = [];
  // name{matchers}
  q = q.replace(/([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{([^}]*)\}/g, (_, metric: string | undefined, body: string) => {
    const labels = [...body.replace(/"(?:[^"\\]|\\.)*"/g, '""').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]);
    const name = labels.includes('__name__') ? undefined : metric;
    if (name) selectors.push({ metric: name, labels: labels.filter((l) => l !== '__name__') });
    return ' ';
  });
  q = q
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  for (const m of q.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    if (m[2] || KEYWORDS.has(m[1].toLowerCase())) continue;
    selectors.push({ metric: m[1], labels: [] });
  }
  return selectors;
}

/** Metric name → label names seen on its samples, from the text exposition format. */
export function seriesOf(exposition: string): Map<string, Set<string>> {
  const series = new Map<string, Set<string>>();
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s/.exec(line);
    if (!m) continue;
    const labels = series.get(m[1]) ?? new Set<string>();
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) labels.add(l[1]);
    series.set(m[1], labels);
  }
  return series;
}

export interface ContractOptions {
  /** Names defined elsewhere (kube-state-metrics, recording rules). */
  readonly externalMetrics: ReadonlySet<string>;
  /** Labels added at scrape time by the ServiceMonitor / Prometheus, not by the app. */
  readonly scrapeLabels: ReadonlySet<string>;
}

/** Every problem: a metric the app does not export, or a label it does not set. */
export function contractProblems(
  queries: readonly { where: string; query: string }[],
  exposition: string,
  opts: ContractOptions,
): string[] {
  const series = seriesOf(exposition);
  const problems: string[] = [];
  for (const { where, query } of queries) {
    for (const { metric, labels } of selectorsOf(query)) {
      if (opts.externalMetrics.has(metric)) continue;
      const seen = series.get(metric);
      if (!seen) {
        problems.push(`${where}: metric ${metric} is not in the app's /metrics`);
        continue;
      }
      for (const label of labels) {
        if (!opts.scrapeLabels.has(label) && !seen.has(label)) problems.push(`${where}: ${metric} has no label ${label}`);
      }
    }
  }
  return [...new Set(problems)];
}

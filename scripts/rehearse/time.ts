/**
 * Compressed time. A rehearsal at `--speed N` runs N cluster seconds in one real second:
 * pauses, analysis intervals, initial delays, scrape intervals, Prometheus' lookback and
 * the range windows of every query are all divided by N together, so a rate over `[5m]`
 * still covers five "cluster minutes" of scrapes.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/y;

/**
 * Go's time.ParseDuration subset Argo Rollouts accepts ("10m", "1h30m", "90s") and
 * Prometheus' durations ("5m", "500ms"), in milliseconds.
 */
export function parseDuration(text: string): number {
  let total = 0;
  let at = 0;
  if (text.length === 0) throw new Error('empty duration');
  while (at < text.length) {
    PART.lastIndex = at;
    const m = PART.exec(text);
    if (!m) throw new Error(`not a duration: "${text}"`);
    total += Number(m[1]) * UNIT_MS[m[2]];
    at = PART.lastIndex;
  }
  return total;
}

/** A Prometheus duration for `ms` (whole milliseconds, at least 1 ms). */
export function promDuration(ms: number): string {
  return `${Math.max(1, Math.round(ms))}ms`;
}

const DURATION = '(?:\\d+(?:ms|[smhdwy]))+';
// Range selectors `[5m]`, subqueries `[30m:1m]` / `[30m:]`, and `offset 5m`.
const RANGE = new RegExp(`\\[(${DURATION})(?::(${DURATION})?)?\\]`, 'g');
const OFFSET = new RegExp(`\\boffset\\s+(-?)(${DURATION})`, 'g');

/**
 * Every duration in a PromQL query divided by `speed`, written in milliseconds. Quoted
 * strings (label values, regexes) are left as they are.
 */
export function scaleQueryDurations(query: string, speed: number): string {
  const scale = (d: string) => promDuration(parseDuration(d) / speed);
  const rewrite = (code: string) =>
    code
      .replace(RANGE, (all, range: string, step: string | undefined) =>
        all.includes(':') ? `[${scale(range)}:${step ? scale(step) : ''}]` : `[${scale(range)}]`,
      )
      .replace(OFFSET, (_all, sign: string, d: string) => `offset ${sign}${scale(d)}`);
  return query
    .split(/("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : rewrite(part)))
    .join('');
}

/** Real time (milliseconds since the rehearsal started) as cluster time `T+mm:ss`. */
export function clusterClock(realMs: number, speed: number): string {
  const s = Math.floor((realMs * speed) / 1000);
  return `T+${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * Counts over a window scale with the window. The learner traffic's rate stands for the
 * cluster's rate per second (so `rate()`, ratios and quantiles read as they would there),
 * which makes `increase()` / `delta()` over a window divided by `speed` come out `speed`
 * times too small: a guard like `increase(…[2m]) >= 100` would never pass. Each such call
 * is multiplied by `speed`, so it counts what the cluster would count in the full window.
 */
export function scaleQueryCounts(query: string, speed: number): string {
  const call = /\b(increase|delta)\s*\(/y;
  let out = '';
  let i = 0;
  let quote: string | undefined;
  while (i < query.length) {
    const c = query[i];
    if (quote) {
      out += c;
      if (c === '\\' && quote !== '`') {
        out += query[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (c === quote) quote = undefined;
      i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      quote = c;
      out += c;
      i++;
      continue;
    }
    call.lastIndex = i;
    const m = /\w/.test(query[i - 1] ?? '') ? null : call.exec(query);
    if (!m) {
      out += c;
      i++;
      continue;
    }
    // Find the call's closing parenthesis, outside quoted strings.
    let depth = 0;
    let j = i + m[0].length - 1;
    let inner: string | undefined;
    for (; j < query.length; j++) {
      const d = query[j];
      if (inner) {
        if (d === '\\' && inner !== '`') j++;
        else if (d === inner) inner = undefined;
        continue;
      }
      if (d === '"' || d === "'" || d === '`') inner = d;
      else if (d === '(') depth++;
      else if (d === ')' && --depth === 0) break;
    }
    out += `(${speed} * ${query.slice(i, j + 1)})`;
    i = j + 1;
  }
  return out;
}

/** What the rehearsal sends to Prometheus for a template's query at `speed`. */
export const compressQuery = (query: string, speed: number) => scaleQueryDurations(scaleQueryCounts(query, speed), speed);

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

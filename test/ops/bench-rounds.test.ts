import type autocannon from 'autocannon';
import { compareInRounds, median, medianResult, roundOrder, type LoadResult } from '../../scripts/bench/harness/rounds';
import { growth, rssRow, soakRow, throughputRow } from '../../scripts/bench/harness/rows';
import { pageViewOf, scriptPathOf } from '../../scripts/bench/harness/page-view';
import { sequenceOf } from '../../scripts/bench/harness/sequence';

const result = (requestsPerSecond: number, p99Ms = 10, failures = 0): LoadResult => ({ requestsPerSecond, p99Ms, failures });

describe('bench rounds: order and medians', () => {
  it('takes the middle value, and the mean of the middle two for an even count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
  });

  it('alternates the order round by round, so no target always follows the same one', () => {
    expect(roundOrder(3, 0)).toEqual([0, 1, 2]);
    expect(roundOrder(3, 1)).toEqual([2, 1, 0]);
    expect(roundOrder(3, 2)).toEqual([0, 1, 2]);
  });

  it('loads every target once per round in that order and keeps each one its medians', async () => {
    const calls: string[] = [];
    const figures: Record<string, number[]> = { a: [100, 300, 200], b: [10, 30, 20] };
    const seen: Record<string, number> = { a: 0, b: 0 };
    const [a, b] = await compareInRounds(['a', 'b'], 3, async (target, _index, round) => {
      calls.push(`${round}:${target}`);
      return result(figures[target][seen[target]++], figures[target][seen[target] - 1] / 10, target === 'b' && round === 1 ? 2 : 0);
    });
    expect(calls).toEqual(['0:a', '0:b', '1:b', '1:a', '2:a', '2:b']);
    expect(a).toEqual({ requestsPerSecond: 200, p99Ms: 20, failures: 0 });
    // Failures are summed over the rounds, never averaged away.
    expect(b).toEqual({ requestsPerSecond: 20, p99Ms: 2, failures: 2 });
  });

  it("takes each figure's median on its own", () => {
    expect(medianResult([result(1, 30), result(3, 10), result(2, 20)])).toEqual({ requestsPerSecond: 2, p99Ms: 20, failures: 0 });
  });
});

describe('bench rows: the figures as the table shows them', () => {
  const goal = { figure: 'page', unit: 'views/s', requestsPerUnit: 2, minRatio: 0.15, p99BudgetMs: 100 };

  it('counts a view of several requests once, against bare node:http of the same run', () => {
    const row = throughputRow(goal, { bareHttp: result(10_000, 5), bareKoa: result(6_000), app: result(4_000, 40) });
    expect(row).toMatchObject({ value: 2000, ratio: 0.2, met: true, valueText: '2,000 views/s, p99 40 ms', ratioText: '20.0 %' });
    expect(row.baselineText).toBe('node:http 10,000 req/s, p99 5 ms; Koa 6,000 req/s (60.0 %)');
    expect(row.goal).toBe('≥ 15 % of bare node:http, p99 < 100 ms');
  });

  it("adds the CPU time each process spent per view, beside bare node:http's per request", () => {
    const cpuPerRequestUs = [
      { name: 'bare http', us: 40 },
      { name: 'web', us: 200 },
      { name: 'api', us: 150 },
    ];
    const row = throughputRow(goal, { bareHttp: result(10_000), bareKoa: result(6_000), app: result(4_000), cpuPerRequestUs });
    expect(row.valueText).toBe('2,000 views/s, p99 10 ms; CPU per view: web 400 µs, api 300 µs (bare node:http 40 µs per request)');
  });

  it('fails on a low ratio, a slow p99 or a single failed request', () => {
    const compared = (app: LoadResult) => ({ bareHttp: result(10_000), bareKoa: result(6_000), app });
    expect(throughputRow(goal, compared(result(2_000))).met).toBe(false);
    expect(throughputRow(goal, compared(result(4_000, 100))).met).toBe(false);
    const failed = throughputRow(goal, compared(result(4_000, 10, 1)));
    expect(failed.met).toBe(false);
    expect(failed.valueText).toContain('1 FAILED requests');
    expect(throughputRow(goal, { bareHttp: result(0), bareKoa: result(0), app: result(0) }).met).toBe(false);
  });

  it('holds every role to the RSS limit', () => {
    const row = rssRow(
      'RSS',
      [
        { name: 'api', mib: 120.4 },
        { name: 'web', mib: 151 },
      ],
      50,
      150,
    );
    expect(row).toMatchObject({ value: 151, met: false, valueText: 'api 120 MiB, web 151 MiB', ratioText: '3.0×' });
  });

  it('calls an RSS flat when its last third is within 10 % of its first', () => {
    expect(growth([100, 100, 140, 100, 105, 108])).toBeCloseTo(0.065);
    expect(soakRow('api', 60, [100, 101, 102, 103, 104, 105], 50, 150)).toMatchObject({ met: true, value: 105 });
    const growing = soakRow('web', 60, [100, 100, 120, 120, 140, 140], 50, 150);
    expect(growing.met).toBe(false);
    expect(growing.valueText).toBe('100 → 140 MiB, peak 140 MiB, +40.0 % (GROWS)');
  });
});

describe('bench page view: the requests one view sends', () => {
  const page =
    '<meta name="csrf-token" content="salt.sig"><script src="/assets/enhance.ab12.js" defer></script><article data-chapter-number="3">';
  const recordsOnLoad = "window.addEventListener('load', reportView); fetch('/progress/position', {})";

  it("finds the page's script", () => {
    expect(scriptPathOf(page)).toBe('/assets/enhance.ab12.js');
  });

  it('is the GET alone when the script records nothing on load (the GET records the view)', () => {
    const view = pageViewOf(page, "fetch('/progress/position', {})", '/chapters/3', 'c=1');
    expect(view.requests).toEqual([{ method: 'GET', path: '/chapters/3', headers: { cookie: 'c=1' } }]);
  });

  it("adds the POST the script sends once the page has loaded, with the page's CSRF token", () => {
    const view = pageViewOf(page, recordsOnLoad, '/chapters/3', 'c=1');
    expect(view.requests[1]).toEqual({
      method: 'POST',
      path: '/progress/position',
      headers: { cookie: 'c=1', 'content-type': 'application/json', 'x-csrf-token': 'salt.sig' },
      body: '{"chapter_number":3}',
    });
    expect(view.description).toBe('GET /chapters/3 + POST /progress/position');
  });
});

describe('bench load sequence: learners take turns', () => {
  // sequenceOf always sets a function (autocannon also accepts a file path there).
  const setup = (r: autocannon.Request) => r.setupRequest as (request: autocannon.Request, context: object) => autocannon.Request;

  it('gives each pass through the view the next learner, the same for all its requests', () => {
    const sequence = sequenceOf({
      url: 'http://127.0.0.1:1/',
      connections: 2,
      durationSeconds: 1,
      requests: [
        { method: 'GET', path: '/page', headers: { cookie: 'x' } },
        { method: 'POST', path: '/view', headers: { cookie: 'x', 'x-csrf-token': 't' } },
      ],
      learnerHeaders: [{ cookie: 'a' }, { cookie: 'b' }],
    })!;
    const pass = () => {
      const context = {};
      return sequence.map((r) => setup(r)({ ...r }, context).headers);
    };
    expect(pass()).toEqual([{ cookie: 'a' }, { cookie: 'a', 'x-csrf-token': 't' }]);
    expect(pass()).toEqual([{ cookie: 'b' }, { cookie: 'b', 'x-csrf-token': 't' }]);
    expect(pass()[0]).toEqual({ cookie: 'a' });
  });

  it('turns a plain GET into a sequence only when there are learners', () => {
    expect(sequenceOf({ url: 'http://127.0.0.1:1/api/v1/chapters/1', connections: 1, durationSeconds: 1 })).toBeUndefined();
    const [get] = sequenceOf({
      url: 'http://127.0.0.1:1/api/v1/chapters/1',
      connections: 1,
      durationSeconds: 1,
      learnerHeaders: [{ authorization: 'Bearer a' }],
    })!;
    expect(get.path).toBe('/api/v1/chapters/1');
    expect(setup(get)({ ...get }, {}).headers).toEqual({ authorization: 'Bearer a' });
  });
});

import type { Measurement } from '../../scripts/bench/measurement';
import { benchOptions, exitCode, renderTable, runSuites, suiteNames, suiteOf } from '../../scripts/bench/index';

const figure = (met: boolean): Measurement => ({
  name: 'GET chapter (req/s)',
  value: 900,
  unit: 'req/s',
  baselineName: 'bare node:http',
  baselineValue: 3000,
  ratio: 0.3,
  better: 'higher',
  goal: 'ratio ≥ 0.25',
  met,
});

describe('npm run bench (scripts/bench/index.ts)', () => {
  it('runs every expected suite, first the promised ones', () => {
    expect(suiteNames().slice(0, 4)).toEqual(['synth', 'api', 'web', 'resilience']);
  });

  it('counts as a suite only files that export one (a helper would be a phantom failure)', async () => {
    for (const name of suiteNames()) {
      const module = (await import(`../../scripts/bench/${name}`)) as Record<string, unknown>;
      expect(() => suiteOf(name, module)).not.toThrow();
    }
  });

  it('lists a missing suite, reports a throwing one and keeps the figures of the rest', async () => {
    const lines: string[] = [];
    const outcomes = await runSuites(
      ['ok', 'gone', 'broken'],
      (l) => lines.push(l),
      async (name) => {
        if (name === 'gone') return undefined;
        if (name === 'broken')
          return {
            default: {
              name,
              run: async () => {
                throw new Error('database refused');
              },
            },
          };
        return {
          default: {
            name,
            run: async (progress: (m: string) => void) => {
              progress('measuring');
              return [figure(true)];
            },
          },
        };
      },
    );

    expect(outcomes.map((o) => o.status)).toEqual(['ok', 'missing', 'failed']);
    expect(lines).toContain('[1/3] ok: measuring');
    const table = renderTable(outcomes);
    expect(table.split('\n').slice(0, 3)).toEqual([
      '| figure | measured | baseline (same run) | ratio | goal | result |',
      '|---|---|---|---|---|---|',
      '| GET chapter (req/s) | 900 req/s | bare node:http: 3000 req/s | 0.300× | ratio ≥ 0.25 | pass |',
    ]);
    expect(table).toContain('| gone: suite missing, not measured |');
    expect(table).toContain('| broken: FAILED: database refused |');
    expect(exitCode(outcomes)).toBe(1);
  });

  it('fails the run when a goal is not met, and passes it when all are', async () => {
    const run = (met: boolean) =>
      runSuites(
        ['one'],
        () => undefined,
        async () => ({ default: { name: 'one', run: async () => [figure(met)] } }),
      );
    expect(exitCode(await run(false))).toBe(1);
    expect(exitCode(await run(true))).toBe(0);
  });

  it('accepts a suite factory and refuses a module without a suite', () => {
    const suite = { name: 'synth', run: async () => [figure(true)] };
    expect(suiteOf('synth', { default: () => suite })).toBe(suite);
    expect(() => suiteOf('odd', { helper: 42 })).toThrow(/scripts\/bench\/odd\.ts exports no BenchSuite/);
  });

  it('counts a suite that returns nothing as failed', async () => {
    const [outcome] = await runSuites(
      ['empty'],
      () => undefined,
      async () => ({ default: { name: 'empty', run: async () => [] } }),
    );
    expect(outcome).toMatchObject({ status: 'failed', error: 'returned no measurements' });
  });

  it('prints what a figure says in words when it has them, and keeps pipes inside their cell', async () => {
    const worded: Measurement = { ...figure(false), valueText: '900 req/s, p99 12 ms', baselineText: 'a | b', ratioText: '30.0 %' };
    const outcomes = await runSuites(
      ['one'],
      () => undefined,
      async () => ({ default: { name: 'one', run: async () => [worded] } }),
    );
    expect(renderTable(outcomes)).toContain('| GET chapter (req/s) | 900 req/s, p99 12 ms | a \\| b | 30.0 % | ratio ≥ 0.25 | **FAIL** |');
  });

  it('reads the load shape from the command line and refuses what is not a whole number', () => {
    expect(benchOptions({})).toEqual({
      rounds: 3,
      roundSeconds: 5,
      warmupSeconds: 2,
      connections: 50,
      soakSeconds: 60,
      learners: 1,
      databases: ['postgres', 'sqlite'],
    });
    expect(benchOptions({ databases: 'sqlite' }).databases).toEqual(['sqlite']);
    expect(() => benchOptions({ databases: 'mysql' })).toThrow(
      '--databases: expected a comma-separated list of postgres, sqlite, got "mysql"',
    );
    expect(benchOptions({ rounds: '5', 'soak-seconds': '0' })).toMatchObject({ rounds: 5, soakSeconds: 0 });
    expect(() => benchOptions({ rounds: '0' })).toThrow('--rounds: expected a whole number from 1 to 3600, got "0"');
    expect(() => benchOptions({ 'round-seconds': '1.5' })).toThrow(/--round-seconds/);
  });
});

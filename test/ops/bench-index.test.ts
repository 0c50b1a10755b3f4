import type { Measurement } from '../../scripts/bench/measurement';
import { exitCode, renderTable, runSuites, suiteNames, suiteOf } from '../../scripts/bench/index';

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
    const outcomes = await runSuites(['ok', 'gone', 'broken'], (l) => lines.push(l), async (name) => {
      if (name === 'gone') return undefined;
      if (name === 'broken') return { default: { name, run: async () => { throw new Error('database refused'); } } };
      return { default: { name, run: async (progress: (m: string) => void) => { progress('measuring'); return [figure(true)]; } } };
    });

    expect(outcomes.map((o) => o.status)).toEqual(['ok', 'missing', 'failed']);
    expect(lines).toContain('[1/3] ok: measuring');
    const table = renderTable(outcomes);
    expect(table).toMatch(/ok\s+\| GET chapter \(req\/s\)\s+\| 900 req\/s\s+\| bare node:http: 3000 req\/s \| 0\.300×\s+\| ratio ≥ 0\.25 \| yes/);
    expect(table).toMatch(/gone\s+\| \(suite missing: not measured\)/);
    expect(table).toMatch(/broken\s+\| FAILED: database refused/);
    expect(exitCode(outcomes)).toBe(1);
  });

  it('fails the run when a goal is not met, and passes it when all are', async () => {
    const run = (met: boolean) =>
      runSuites(['one'], () => undefined, async () => ({ default: { name: 'one', run: async () => [figure(met)] } }));
    expect(exitCode(await run(false))).toBe(1);
    expect(exitCode(await run(true))).toBe(0);
  });

  it('accepts a suite factory and refuses a module without a suite', () => {
    const suite = { name: 'synth', run: async () => [figure(true)] };
    expect(suiteOf('synth', { default: () => suite })).toBe(suite);
    expect(() => suiteOf('odd', { helper: 42 })).toThrow(/scripts\/bench\/odd\.ts exports no BenchSuite/);
  });

  it('counts a suite that returns nothing as failed', async () => {
    const [outcome] = await runSuites(['empty'], () => undefined, async () => ({ default: { name: 'empty', run: async () => [] } }));
    expect(outcome).toMatchObject({ status: 'failed', error: 'returned no measurements' });
  });
});

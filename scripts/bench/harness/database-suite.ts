import { DEFAULT_OPTIONS, type BenchOptions, type BenchSuite, type Measurement } from '../measurement';
import type { DatabaseKind } from './fixture';
import { LoadGenerator } from './load-generator';
import { ensureBuilt } from './processes';

/** Measures one database's rows, with the load generator the whole suite shares. */
export type MeasureOn = (
  kind: DatabaseKind,
  generator: LoadGenerator,
  options: BenchOptions,
  progress: (message: string) => void,
) => Promise<Measurement[]>;

/** A suite run against the compiled build once per database of `--databases`, one load generator for all. */
export function perDatabaseSuite(name: string, measureOn: MeasureOn): BenchSuite {
  return {
    name,
    async run(progress, options = DEFAULT_OPTIONS) {
      progress('building the app (npm run build)');
      ensureBuilt();
      const generator = LoadGenerator.start();
      try {
        const measurements: Measurement[] = [];
        for (const kind of options.databases) measurements.push(...(await measureOn(kind, generator, options, progress)));
        return measurements;
      } finally {
        await generator.stop();
      }
    },
  };
}

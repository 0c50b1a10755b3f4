import type { Config } from 'jest';

// One project per half of the repository, so `npm test -- --selectProjects charts`
// runs only what a change touched. ts-jest transpiles only (isolatedModules, set in
// tsconfig.json): the type check runs once, in `npm run typecheck`, not in every worker.
const transform: Config['transform'] = {
  '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  // The CEL evaluator the manifest checks use ships ES modules only; Jest's CommonJS
  // runtime gets it compiled to CommonJS (tsx and Node load it as it is).
  '/node_modules/@marcbachmann/cel-js/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } }],
};
const transformIgnorePatterns = ['/node_modules/(?!@marcbachmann/cel-js/)'];

const project = (name: string, roots: string[], extra: Partial<Config> = {}): Config => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns,
  roots,
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  ...extra,
});

const config: Config = {
  maxWorkers: 2,
  testTimeout: 60_000,
  projects: [
    project('charts', ['<rootDir>/test/charts', '<rootDir>/test/gitops']),
    project('app', ['<rootDir>/test/app', '<rootDir>/app/src']),
    project('web', ['<rootDir>/test/web']),
    project('e2e', ['<rootDir>/test/e2e']),
    project('ops', ['<rootDir>/test/ops', '<rootDir>/scripts']),
  ],
};

export default config;

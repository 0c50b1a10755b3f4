// @ts-check
// `npm run lint`: ESLint with typescript-eslint's type-aware recommended rules, zero warnings.
//
// Layout is Prettier's (.prettierrc.json; `npm run format` writes it, `npm run lint` checks
// it), so none of eslint's own formatting rules is enabled (they are deprecated anyway).
// Width 140: the code was written wide (up to 130 by habit); 140 keeps most of it as it
// is, while still fitting two panes of a side-by-side review.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The no-unsafe-* family: values typed `any` flowing into typed code. */
const unsafeAny = {
  '@typescript-eslint/no-explicit-any': 'off',
  '@typescript-eslint/no-unsafe-argument': 'off',
  '@typescript-eslint/no-unsafe-assignment': 'off',
  '@typescript-eslint/no-unsafe-call': 'off',
  '@typescript-eslint/no-unsafe-member-access': 'off',
  '@typescript-eslint/no-unsafe-return': 'off',
};

export default tseslint.config(
  {
    // Generated (cdk8s import, synth output, builds) or not ours.
    ignores: ['charts/imports/**', 'dist/**', 'argocd/**', 'app/build/**', 'build/**', 'coverage/**', 'tmp/**', 'node_modules/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // Each file is checked with the tsconfig that owns it: app/tsconfig.json (no DOM) for
      // app/src, ./tsconfig.json for the rest.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_name` marks a binding kept on purpose (a destructured field left out, a callback's position).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Koa middleware and interface implementations are async by contract even when one body has nothing to await.
      '@typescript-eslint/require-await': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off',
      'prefer-const': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    // Issue 12: a reader takes in a file or a function at once. Every line counts (comments
    // included), so a long comment is a sign to split too. Tests are left out: a describe()
    // block is a table of cases, not a function to read top to bottom.
    files: ['app/src/**/*.{ts,tsx}', 'charts/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['**/*.test.{ts,tsx}'],
    rules: {
      'max-lines': ['error', { max: 300 }],
      'max-lines-per-function': ['error', { max: 60 }],
    },
  },
  {
    // Kubernetes manifests (cdk8s' toJson(), YAML read back from dist/ or a git ref) are
    // `any` by nature; this code checks their shape itself, field by field: the manifest
    // library, the checks, the charts that hand cdk8s objects to them, diff, promote and
    // the rehearsal. Typing the manifest model (charts/manifest) would let this block go.
    files: [
      'charts/checks/**',
      'charts/manifest/**',
      'charts/main.ts',
      'charts/course-companion-chart.ts',
      'charts/constructs/argocd/**',
      'scripts/lib/**',
      'scripts/promote.ts',
      'scripts/rehearse.ts',
      'scripts/rehearse/**',
    ],
    rules: { ...unsafeAny, '@typescript-eslint/no-base-to-string': 'off' },
  },
  {
    // knex returns rows typed `any`: the stores in app/src/db own all SQL and hand the
    // domain typed values; inside them the rows are read field by field.
    files: ['app/src/db/**'],
    rules: unsafeAny,
  },
  {
    // Tests poke at parsed JSON, YAML and HTTP bodies; a wrong guess fails the assertion.
    files: ['test/**', '**/*.test.ts', '**/*.test.tsx'],
    rules: unsafeAny,
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);

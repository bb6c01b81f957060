// ESLint with typescript-eslint's type-aware recommended rules over every
// TypeScript file of the project: sources, CLI, tests, benchmarks, scripts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'demo-out/',
      'test-output/',
      'coverage/',
      'test/fixtures/',
      'examples/',
      '.bench/',
      '**/*.mjs',
      '**/*.d.mts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    // Tests read what the code under test wrote (JSON reports, documents,
    // API answers) and look into it: typing each parsed document would only
    // restate the assertion. Everywhere else an `any` must not spread.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);

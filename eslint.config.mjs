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
  {
    // Spreading an array into a call passes each item as an argument: past about 120,000 (a subject glob's files, an
    // SBOM's components, a hostile document's entries) V8 throws RangeError instead of calling. The product's code
    // appends with appendAll and takes extremes with maxOf/minOf (src/core/objects.ts).
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^(push|unshift|splice)$/] > SpreadElement',
          message: 'push(...items) throws RangeError past about 120,000 items: use appendAll (src/core/objects.ts).',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name=/^(max|min)$/] > SpreadElement",
          message:
            'Math.max(...items) throws RangeError past about 120,000 items: use maxOf/minOf (src/core/objects.ts).',
        },
        {
          selector: 'CallExpression[callee.property.name=/^(fromCharCode|fromCodePoint)$/] > SpreadElement',
          message: 'String.fromCharCode(...codes) throws RangeError past about 120,000 codes.',
        },
        {
          selector: "CallExpression[callee.property.name='apply'][arguments.length=2]",
          message: 'fn.apply(this, list) passes each item as an argument: RangeError past about 120,000 items.',
        },
      ],
    },
  },
);

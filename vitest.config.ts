import { defineConfig } from 'vitest/config';

/** Every file of these folders must keep at least this share of its lines run by the suite. */
const COVERED = { lines: 90 };

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // @actions/workflow-parser imports its schemas as JSON without import
    // attributes, which Node 20 refuses; let Vite load it instead.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
    // V8's own coverage of src/ as the tests import it (code the tests run
    // as child processes, through dist/, is not counted: those lines are
    // covered, but not measured here). The README's contributing section
    // gives the figure; the verifier and the format must not fall below 90 %
    // of lines in any file.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary', 'json'],
      reportsDirectory: 'coverage',
      reportOnFailure: true,
      // perFile applies to every group: a glob's own entry takes only the four
      // measures, and would otherwise be checked over the whole folder at once.
      thresholds: { perFile: true, 'src/verifier/**': COVERED, 'src/core/**': COVERED },
    },
  },
});

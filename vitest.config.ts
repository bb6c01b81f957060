import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // @actions/workflow-parser imports its schemas as JSON without import
    // attributes, which Node 20 refuses; let Vite load it instead.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});

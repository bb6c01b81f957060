#!/usr/bin/env node
// Builds the two one-file programs, each with every dependency inlined, that
// run with Node alone:
//   dist/evidence-verify.mjs  `evidence verify` for auditors (public-good root embedded)
//   dist/action/index.mjs     the GitHub Action's entry (action.yml)
// Both are committed, as JavaScript actions must be; test/action checks that
// they are what this script makes from the sources. libxmljs2 (native, only
// used to validate XML SBOMs) stays out.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  external: ['libxmljs2'],
  legalComments: 'eof',
  // CommonJS dependencies call require(); give them one in the ES module.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
};

await Promise.all([
  build({ ...common, entryPoints: [new URL('../cli/verify-standalone.ts', import.meta.url).pathname], outfile: new URL('../dist/evidence-verify.mjs', import.meta.url).pathname }),
  build({ ...common, entryPoints: [new URL('../cli/action.ts', import.meta.url).pathname], outfile: new URL('../dist/action/index.mjs', import.meta.url).pathname }),
]);

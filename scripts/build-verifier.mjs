#!/usr/bin/env node
// Builds dist/evidence-verify.mjs: `evidence verify` in one file that runs
// with Node alone. libxmljs2 (native, only used to collect XML SBOMs) stays out.
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('../cli/verify-standalone.ts', import.meta.url).pathname],
  outfile: new URL('../dist/evidence-verify.mjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['libxmljs2'],
  legalComments: 'eof',
  // CommonJS dependencies call require(); give them one in the ES module.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});

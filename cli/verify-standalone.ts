#!/usr/bin/env node
// The one-file verifier for auditors: `node evidence-verify.mjs BUNDLE …` is `evidence verify BUNDLE …` for bundle
// files, bundled with every dependency and the public-good trusted root (scripts/build-bundles.mjs); its program is
// cli/verify-main.ts. That is imported dynamically, so that esbuild wraps every module behind it in a function run on
// first use: `--version` runs none of them (issue 28: the whole file's top level took 100 ms of a 180 ms start).
import { quietOnClosedPipe } from './pipes.js';
import { versionOnly } from './version-only.js';

quietOnClosedPipe(process.stdout, process.stderr);
if (!versionOnly(process.argv.slice(2), process.stdout)) await import('./verify-main.js');

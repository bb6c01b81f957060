#!/usr/bin/env node
// The one-file verifier for auditors: `node evidence-verify.mjs BUNDLE …` is `evidence verify BUNDLE …` for bundle
// files, bundled with every dependency and the public-good trusted root (scripts/build-bundles.mjs); its program is
// cli/verify-main.ts. From the sources, that is imported dynamically; in the one file, the build puts the program there
// as one string, compiled only when it runs (scripts/build-bundles.mjs), so that `--version` neither runs nor compiles
// any of it (issue 28: compiling the whole 1 MB module took 78 ms of a 180 ms start).
import { quietOnClosedPipe } from './pipes.js';
import { versionOnly } from './version-only.js';

quietOnClosedPipe(process.stdout, process.stderr);
if (!versionOnly(process.argv.slice(2), process.stdout)) await import('./verify-main.js');

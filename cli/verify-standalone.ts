#!/usr/bin/env node
// The one-file verifier for auditors: `node evidence-verify.mjs BUNDLE …` is
// `evidence verify BUNDLE …`, with the same options and exit codes, bundled
// with every dependency and the public-good trusted root (scripts/build-bundles.mjs).
import { run } from './run.js';

const argv = process.argv.slice(2);
process.exitCode = await run(argv[0] === '--help' || argv[0] === '-h' ? ['verify', '--help'] : ['verify', ...argv], {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});

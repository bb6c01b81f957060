#!/usr/bin/env node
// The one-file verifier for auditors: `node evidence-verify.mjs BUNDLE …` is
// `evidence verify BUNDLE …`, with the same options and exit codes, bundled
// with every dependency and the public-good trusted root (scripts/build-bundles.mjs).
import { cleanUpOnSignals } from '../src/fs/leftovers.js';
import { quietOnClosedPipe } from './pipes.js';
import { run } from './run.js';

const argv = process.argv.slice(2);
quietOnClosedPipe(process.stdout, process.stderr);
cleanUpOnSignals();
const only = argv.length === 1 ? argv[0] : undefined;
process.exitCode = await run(only === '--help' || only === '-h' ? ['verify', '--help'] : only === '--version' || only === '-V' ? ['--version'] : ['verify', ...argv], {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});

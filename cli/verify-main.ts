// The one-file verifier's program (cli/verify-standalone.ts runs it): `node evidence-verify.mjs BUNDLE …` is
// `evidence verify BUNDLE …` for bundle files, with the same options, reports and exit codes. It is built from the
// verify command alone (cli/verify-program.ts): no registry, GitHub, signing or TUF code is in it.
import { Command } from 'commander';
import { basename } from 'node:path';
import { cleanUpOnSignals } from '../src/fs/leftovers.js';
import { PACKAGE_VERSION } from '../src/version.js';
import { runProgram } from './options.js';
import { addVerifyCommand } from './verify-program.js';
import { keepYoungGenerationSmall } from './young-generation.js';

const argv = process.argv.slice(2);
keepYoungGenerationSmall(process.execArgv, process.env.NODE_OPTIONS);
cleanUpOnSignals();
const only = argv.length === 1 ? argv[0] : undefined;
// Until the program settles, the process says it did not: a verification that never finished (its reads never
// answered, nothing left to wait on) is no pass. As a top-level await, Node ended such a run with 13.
let settled = false;
process.exitCode = 1;
process.once('exit', () => {
  if (!settled) process.stderr.write('evidence-verify: the verification did not finish; nothing was verified\n');
});
void runProgram(
  (io, outcome) => {
    const program = new Command('evidence-verify')
      .version(PACKAGE_VERSION, '-V, --version')
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
    // The usage its --help shows is the one it accepts: the file, run with node, then verify's options and the bundle.
    addVerifyCommand(program, io, outcome, undefined, {
      invocation: `node ${basename(process.argv[1] ?? '') || 'evidence-verify.mjs'}`,
    });
    return program;
  },
  only === '--help' || only === '-h'
    ? ['verify', '--help']
    : only === '--version' || only === '-V'
      ? ['--version']
      : ['verify', ...argv],
  { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() },
).then((code) => {
  settled = true;
  process.exitCode = code;
});

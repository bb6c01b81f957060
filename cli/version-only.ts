import { PACKAGE_VERSION } from '../src/version.js';

/**
 * `--version` (or `-V`) alone, answered before the command line is loaded (issue 28): the version and a newline, as
 * commander prints it, and true; false for any other arguments. Both entries (cli/bin.ts, cli/verify-standalone.ts)
 * ask this first.
 */
export function versionOnly(argv: readonly string[], stdout: { write(s: string): unknown }): boolean {
  if (argv.length !== 1 || (argv[0] !== '--version' && argv[0] !== '-V')) return false;
  stdout.write(`${PACKAGE_VERSION}\n`);
  return true;
}

#!/usr/bin/env node
/**
 * The `evidence` command. `--version` alone is answered here (cli/version-only.ts), before anything else is loaded, and
 * so is `--help` alone where its text was rendered when the package was built (cli/help-only.ts).
 * Otherwise Node's module compile cache (Node 22.1 and later; NODE_DISABLE_COMPILE_CACHE=1 turns it off) is enabled
 * before the command line is loaded, so that a second run compiles nothing again; then cli/main.ts runs.
 */
import * as nodeModule from 'node:module';
import { warnOnUnsupportedNode } from './node-support.js';
import { quietOnClosedPipe } from './pipes.js';
import { helpOnly, renderedTopHelp } from './help-only.js';
import { versionOnly } from './version-only.js';

// Closed pipes are quiet from the first write (cli/pipes.ts), and an unsupported Node is said once, whatever runs.
quietOnClosedPipe(process.stdout, process.stderr);
warnOnUnsupportedNode(process.versions.node, process.env, process.stderr);
const argv = process.argv.slice(2);
if (!versionOnly(argv, process.stdout) && !helpOnly(argv, process.stdout, () => renderedTopHelp(import.meta.url))) {
  (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  await import('./main.js');
}

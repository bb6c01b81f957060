#!/usr/bin/env node
/**
 * The `evidence` command. Node's module compile cache (Node 22.1 and later; NODE_DISABLE_COMPILE_CACHE=1 turns it off)
 * is enabled before the command line is loaded, so that a second run compiles nothing again; then cli/main.ts runs.
 */
import * as nodeModule from 'node:module';

(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
await import('./main.js');

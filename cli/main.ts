/** The command line run as a process: stdio, signals, the Node version warning, then `run` (cli/run.ts). */
import { cleanUpOnSignals } from '../src/fs/leftovers.js';
import { warnOnUnsupportedNode } from './node-support.js';
import { quietOnClosedPipe } from './pipes.js';
import { run } from './run.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

quietOnClosedPipe(process.stdout, process.stderr);
cleanUpOnSignals();
warnOnUnsupportedNode(process.versions.node, process.env, process.stderr);
process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  readStdin,
});

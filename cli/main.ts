/** The command line run as a process (after cli/bin.ts): signals, then `run` (cli/run.ts) on the process's stdio. */
import { cleanUpOnSignals } from '../src/fs/leftovers.js';
import { run } from './run.js';
import { keepYoungGenerationSmall } from './young-generation.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

keepYoungGenerationSmall(process.execArgv, process.env.NODE_OPTIONS);
cleanUpOnSignals();
process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  readStdin,
});

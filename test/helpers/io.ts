import { run, type CliIo } from '../../cli/run.js';

// The CLIs the tests start (bin.js, on Node 20 too) say nothing of the Node version, so their standard error stays
// theirs (cli/node-support.ts).
process.env.EVIDENCE_NO_NODE_WARNING ??= '1';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output, as the bin shim would. */
export async function runCli(
  argv: string[],
  options: { cwd: string; env?: Record<string, string | undefined>; tty?: boolean; stdin?: string },
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: options.tty ?? false },
    stderr: { write: (s: string) => (stderr += s), isTTY: options.tty ?? false },
    env: options.env ?? {},
    cwd: options.cwd,
    ...(options.stdin !== undefined ? { readStdin: () => Promise.resolve(options.stdin as string) } : {}),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/**
 * `evidence inspect big.tar.gz | head` closes the pipe early: the next write
 * fails with EPIPE, which Node turns into an unhandled 'error' event and a
 * stack trace. A closed reader is not an error of ours: stop writing quietly
 * and let the command finish with its own exit code.
 *
 * Any other failure to write (a full disk, ENOSPC; an I/O error) is said once
 * on standard error, unless that is what failed, and the command ends with
 * exit 2 (ExitCode.InvalidInput, cli/exit-codes.ts, which this file does not
 * import: it loads before anything else); never with a stack trace, nor with
 * 1, which means a verification failed.
 */
export function quietOnClosedPipe(...streams: NodeJS.WritableStream[]): void {
  let failed = false;
  for (const stream of streams) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || failed) return;
      failed = true;
      if (stream !== process.stderr) {
        const name = stream === process.stdout ? 'standard output' : 'an output stream';
        process.stderr.write(`evidence: ${name} cannot be written: ${e.code ?? e.message}\n`);
      }
      process.exit(2);
    });
  }
}
